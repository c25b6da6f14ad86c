//! m0019: the audit summaries written as English text before issue 18 get the message
//! key and values that make them, read back from the text (and, for import runs, from
//! the row's `after` object, which holds the same facts without the text's ambiguity).
//! A summary that does not read as its action's shape keeps its text as it is.

use consign_domain::i18n::Arg;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use sea_orm_migration::prelude::*;

const SQL: &str = include_str!("m0019_audit_summary_keys.sql");

/// The actions whose summaries were generated text (the reveals are keyed in SQL).
const ACTIONS: &str = "'user.password', 'customer.export', 'shipment.export', 'invoice.export', \
     'ticket.export', 'payment.export', 'import.run', 'import.profile_save', \
     'classification.recompute', 'customer.reclaim'";

pub(super) struct M0019;

impl MigrationName for M0019 {
    fn name(&self) -> &str {
        "m0019_audit_summary_keys"
    }
}

#[derive(FromQueryResult)]
struct Old {
    id: i64,
    action: String,
    entity_id: String,
    summary: String,
    after_json: Option<String>,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for M0019 {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = conn.get_database_backend();
        let sql = crate::dialect::schema_sql(SQL, backend);
        for stmt in super::statements(&sql) {
            conn.execute_unprepared(&stmt).await?;
        }
        let olds = Old::find_by_statement(Statement::from_string(
            backend,
            format!(
                "SELECT id, action, entity_id, summary, after_json FROM audit_log \
                 WHERE summary_key IS NULL AND summary IS NOT NULL AND action IN ({ACTIONS})"
            ),
        ))
        .all(conn)
        .await?;
        for o in olds {
            let Some((key, args)) =
                rekey(&o.action, &o.entity_id, &o.summary, o.after_json.as_deref())
            else {
                continue;
            };
            let args = serde_json::to_string(&args).map_err(|e| DbErr::Custom(e.to_string()))?;
            conn.execute(crate::dialect::stmt(
                backend,
                "UPDATE audit_log SET summary_key = ?, summary_args = ? WHERE id = ?",
                vec![key.into(), args.into(), o.id.into()],
            ))
            .await?;
        }
        Ok(())
    }
}

/// The key and values of one old summary, or None when it does not read as its action's.
pub(crate) fn rekey(
    action: &str,
    entity_id: &str,
    summary: &str,
    after: Option<&str>,
) -> Option<(&'static str, Vec<Arg>)> {
    match action {
        "user.password" => {
            let n = summary.strip_prefix("tokens revoked: ")?;
            n.parse::<u64>().ok()?;
            Some(("audit.summary.tokens_revoked", vec![Arg::text(n)]))
        }
        "import.run" => {
            let a: serde_json::Value = serde_json::from_str(after?).ok()?;
            let c = &a["counts"];
            let n = |k: &str| c[k].as_u64().map(Arg::text);
            Some((
                "audit.summary.import_run",
                vec![
                    Arg::key(format!("import.kind.{}", a["kind"].as_str()?)),
                    Arg::text(a["file_name"].as_str()?),
                    Arg::key(format!("import.status.{}", a["status"].as_str()?)),
                    n("rows_new")?,
                    n("rows_updated")?,
                    n("rows_unchanged")?,
                    n("rows_bad")?,
                ],
            ))
        }
        "import.profile_save" => {
            let kind = summary
                .strip_prefix(entity_id)?
                .strip_prefix(" (")?
                .strip_suffix(')')?;
            Some((
                "audit.summary.profile_save",
                vec![
                    Arg::text(entity_id),
                    Arg::key(format!("import.kind.{kind}")),
                ],
            ))
        }
        "classification.recompute" => {
            // "{customers} ({cause}, {as_of})"
            let (n, rest) = summary.split_once(" (")?;
            let (cause, as_of) = rest.strip_suffix(')')?.split_once(", ")?;
            n.parse::<u64>().ok()?;
            Some((
                "audit.summary.classification_run",
                vec![
                    Arg::text(n),
                    Arg::key(format!("classification.cause.{cause}")),
                    Arg::text(as_of),
                ],
            ))
        }
        "customer.reclaim" => {
            // "{code} {name} ({days})"; a name may hold spaces and brackets of its own.
            let (code, rest) = summary.split_once(' ')?;
            let (name, days) = rest.strip_suffix(')')?.rsplit_once(" (")?;
            days.parse::<u64>().ok()?;
            Some((
                "audit.summary.reclaim",
                vec![Arg::text(code), Arg::text(name), Arg::text(days)],
            ))
        }
        a if a.ends_with(".export") => {
            // "{n} ({ext}); all" or "{n} ({ext}); owners {k} + pool"
            let (head, scope) = summary.split_once("; ")?;
            let (n, ext) = head.strip_suffix(')')?.split_once(" (")?;
            n.parse::<u64>().ok()?;
            if scope == "all" {
                return Some((
                    "audit.summary.export_all",
                    vec![Arg::text(n), Arg::text(ext)],
                ));
            }
            let k = scope.strip_prefix("owners ")?.strip_suffix(" + pool")?;
            k.parse::<u64>().ok()?;
            Some((
                "audit.summary.export_owners",
                vec![Arg::text(n), Arg::text(ext), Arg::text(k)],
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::rekey;
    use consign_domain::Lang;

    fn en(action: &str, entity: &str, summary: &str, after: Option<&str>) -> Option<String> {
        rekey(action, entity, summary, after).map(|(k, a)| Lang::En.said(k, &a))
    }
    fn zh(action: &str, entity: &str, summary: &str, after: Option<&str>) -> Option<String> {
        rekey(action, entity, summary, after).map(|(k, a)| Lang::Zh.said(k, &a))
    }

    #[test]
    fn old_summaries_read_in_both_languages() {
        assert_eq!(
            zh("user.password", "7", "tokens revoked: 2", None).as_deref(),
            Some("吊销了 2 个 API 令牌")
        );
        assert_eq!(
            en("customer.export", "", "120 (xlsx); owners 3 + pool", None).as_deref(),
            Some("120 rows (xlsx), customers of 3 owners and the pool")
        );
        assert_eq!(
            zh("shipment.export", "", "5 (csv); all", None).as_deref(),
            Some("5 行（csv），全部客户")
        );
        let after = r#"{"kind":"shipments","file_name":"德邦 11月.xlsx","status":"finished","counts":{"rows_new":168,"rows_updated":0,"rows_unchanged":0,"rows_bad":2}}"#;
        assert_eq!(
            zh(
                "import.run",
                "4",
                "shipments 德邦 11月.xlsx: finished, 168 new, 0 updated, 0 unchanged, 2 bad",
                Some(after)
            )
            .as_deref(),
            Some("运单 德邦 11月.xlsx：已完成，新增 168，更新 0，未变 0，错误 2")
        );
        assert_eq!(
            en(
                "import.profile_save",
                "德邦 (华东)",
                "德邦 (华东) (shipments)",
                None
            )
            .as_deref(),
            Some("德邦 (华东) (Shipments)")
        );
        assert_eq!(
            en(
                "classification.recompute",
                "9",
                "26000 (nightly, 2026-12-01)",
                None
            )
            .as_deref(),
            Some("26000 customers (nightly run, as of 2026-12-01)")
        );
        assert_eq!(
            zh(
                "customer.reclaim",
                "3",
                "KH000012 上海 (浦东) 顺达物流 (30)",
                None
            )
            .as_deref(),
            Some("KH000012 上海 (浦东) 顺达物流（30 天未跟进）")
        );
    }

    #[test]
    fn what_does_not_read_keeps_its_text() {
        assert!(rekey("user.password", "7", "something else", None).is_none());
        assert!(rekey("customer.export", "", "many rows", None).is_none());
        assert!(rekey("import.run", "4", "x", Some("{}")).is_none());
        assert!(rekey("customer.reclaim", "3", "KH1 顺达", None).is_none());
        assert!(rekey("customer.update", "3", "KH1 顺达", None).is_none());
    }
}
