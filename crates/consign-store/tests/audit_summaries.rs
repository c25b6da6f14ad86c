//! Migration m0019: the audit summaries the system wrote as English text get the message
//! key and values that made them; a summary written as data (a customer's code and name)
//! keeps none.

use consign_store::{audit, migrations::Migrator, ConnectionTrait, Db};
use sea_orm_migration::MigratorTrait;

#[tokio::test]
async fn generated_audit_summaries_get_their_message_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let db = Db::connect(&url, None).await.expect("connect");
    Migrator::up(&db.conn, Some(18))
        .await
        .expect("migrations up to m0018");
    let t = "'2026-11-01T00:00:00+00:00'";
    let import_after = r#"{"kind":"shipments","file_name":"德邦11月.xlsx","status":"finished","counts":{"rows_new":3,"rows_updated":0,"rows_unchanged":1,"rows_bad":2}}"#;
    let rows = [
        (
            "user.password",
            "7",
            "tokens revoked: 2",
            "NULL".to_string(),
        ),
        ("pii.reveal", "11", "phone,email (export)", "NULL".into()),
        ("pii.reveal", "12", "phone,email", "NULL".into()),
        ("pii.reveal", "3", "id_number", "NULL".into()),
        (
            "customer.export",
            "",
            "120 (xlsx); owners 3 + pool",
            "NULL".into(),
        ),
        (
            "import.run",
            "4",
            "shipments 德邦11月.xlsx: finished, 3 new, 0 updated, 1 unchanged, 2 bad",
            format!("'{import_after}'"),
        ),
        (
            "classification.recompute",
            "9",
            "26000 (nightly, 2026-12-01)",
            "NULL".into(),
        ),
        (
            "customer.update",
            "3",
            "KH000003 上海顺达物流有限公司",
            "NULL".into(),
        ),
    ];
    for (action, entity, summary, after) in rows {
        db.conn
            .execute_unprepared(&format!(
                "INSERT INTO audit_log (at, actor_id, actor_name, action, entity_type, entity_id, summary, after_json) \
                 VALUES ({t}, NULL, 'system', '{action}', 'x', '{entity}', '{summary}', {after})"
            ))
            .await
            .expect("old row");
    }
    db.migrate().await.expect("the rest of the migrations");
    let (rows, total) = audit::list(
        &db.conn,
        &audit::AuditFilter {
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await
    .expect("list");
    assert_eq!(total, 8);
    let keyed: Vec<(String, Option<String>, Option<String>)> = rows
        .into_iter()
        .rev()
        .map(|r| (r.action, r.summary_key, r.summary_args))
        .collect();
    let key = |i: usize| keyed[i].1.as_deref();
    let args = |i: usize| keyed[i].2.as_deref();
    assert_eq!(key(0), Some("audit.summary.tokens_revoked"));
    assert_eq!(args(0), Some(r#"["2"]"#));
    assert_eq!(key(1), Some("audit.summary.reveal_contact_export"));
    assert_eq!(key(2), Some("audit.summary.reveal_contact"));
    assert_eq!(key(3), Some("audit.summary.reveal_id_number"));
    assert_eq!(key(4), Some("audit.summary.export_owners"));
    assert_eq!(args(4), Some(r#"["120","xlsx","3"]"#));
    assert_eq!(key(5), Some("audit.summary.import_run"));
    assert_eq!(
        args(5),
        Some(
            r#"[{"k":"import.kind.shipments"},"德邦11月.xlsx",{"k":"import.status.finished"},"3","0","1","2"]"#
        )
    );
    assert_eq!(key(6), Some("audit.summary.classification_run"));
    assert_eq!(key(7), None, "a summary written as data stays as written");
}
