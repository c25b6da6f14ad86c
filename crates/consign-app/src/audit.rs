//! Writing and reading the audit log (SPEC §13): who, when, what, before and after.

use crate::actor::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::i18n::Arg;
use consign_domain::Lang;
use consign_store::entity::audit_log;
use consign_store::ConnectionTrait;
use sea_orm::Set;
use serde::Serialize;
use serde_json::Value;

/// One change to record. `before`/`after` never hold personal data in clear.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub customer_id: Option<i64>,
    /// A summary as written: names, numbers, waybills (shown as stored).
    pub summary: Option<String>,
    /// A generated summary: a message key and its values, shown in the reader's
    /// language (takes the place of `summary`).
    pub said: Option<Said>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A generated summary: `said("audit.summary.tokens_revoked", vec![Arg::text(3)])`.
pub struct Said {
    pub key: &'static str,
    pub args: Vec<Arg>,
}

pub fn said(key: &'static str, args: Vec<Arg>) -> Option<Said> {
    Some(Said { key, args })
}

impl<'a> Entry<'a> {
    /// The deletion of a record known by `key` (a waybill, invoice or payment number),
    /// with what it was.
    pub fn deleted<T: serde::Serialize>(
        action: &'a str,
        entity_type: &'a str,
        key: &str,
        customer_id: Option<i64>,
        before: &T,
    ) -> Entry<'a> {
        Entry {
            action,
            entity_type,
            entity_id: key.to_string(),
            customer_id,
            summary: Some(key.to_string()),
            said: None,
            before: serde_json::to_value(before).ok(),
            after: None,
        }
    }
}

pub async fn record<C: ConnectionTrait>(conn: &C, actor: &Actor, e: Entry<'_>) -> Result<()> {
    consign_store::audit::insert(conn, model(actor, e))
        .await
        .map_err(AppError::from)
}

/// Several entries in one statement (a batch of creates).
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    entries: Vec<(&Actor, Entry<'_>)>,
) -> Result<()> {
    let rows = entries.into_iter().map(|(a, e)| model(a, e)).collect();
    consign_store::audit::insert_many(conn, rows)
        .await
        .map_err(AppError::from)
}

fn model(actor: &Actor, e: Entry<'_>) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(actor.id),
        actor_name: Set(actor.display()),
        action: Set(e.action.to_string()),
        entity_type: Set(e.entity_type.to_string()),
        entity_id: Set(e.entity_id),
        customer_id: Set(e.customer_id),
        summary_key: Set(e.said.as_ref().map(|s| s.key.to_string())),
        summary_args: Set(e
            .said
            .as_ref()
            .map(|s| serde_json::to_string(&s.args).unwrap_or_else(|_| "[]".into()))),
        summary: Set(e.summary),
        before_json: Set(e.before.map(|v| v.to_string())),
        after_json: Set(e.after.map(|v| v.to_string())),
        ip: Set(actor.ip.clone()),
        ..Default::default()
    }
}

/// A field that differs between before and after.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub at: DateTime<Utc>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub customer_id: Option<i64>,
    /// The summary: as written, or a generated one in the reader's language.
    pub summary: Option<String>,
    /// A generated summary's message key and values, to show it in another language
    /// (None for one written as data).
    pub summary_key: Option<String>,
    pub summary_args: Vec<Arg>,
    pub changes: Vec<FieldChange>,
    pub ip: Option<String>,
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields that changed, in the order of the after (or before) object.
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<FieldChange> {
    let b: Option<Value> = before.and_then(|s| serde_json::from_str(s).ok());
    let a: Option<Value> = after.and_then(|s| serde_json::from_str(s).ok());
    let empty = serde_json::Map::new();
    let bo = b.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let ao = a.as_ref().and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = ao.keys().collect();
    for k in bo.keys() {
        if !ao.contains_key(k) {
            keys.push(k);
        }
    }
    keys.into_iter()
        .map(|k| FieldChange {
            field: k.clone(),
            before: show(bo.get(k)),
            after: show(ao.get(k)),
        })
        // null, "" and an absent key all read as empty: not a change.
        .filter(|c| c.before != c.after)
        .collect()
}

/// An entry as `lang` reads it.
pub fn view(m: audit_log::Model, lang: Lang) -> AuditView {
    let changes = diff(m.before_json.as_deref(), m.after_json.as_deref());
    // A stored value that does not read as values is shown without them, not refused:
    // the log is evidence and stays readable.
    let summary_args: Vec<Arg> = m
        .summary_args
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    let summary = match &m.summary_key {
        Some(k) => Some(lang.said(k, &summary_args)),
        None => m.summary,
    };
    AuditView {
        id: m.id,
        at: m.at,
        actor_id: m.actor_id,
        actor_name: m.actor_name,
        action: m.action,
        entity_type: m.entity_type,
        entity_id: m.entity_id,
        customer_id: m.customer_id,
        summary,
        summary_key: m.summary_key,
        summary_args,
        changes,
        ip: m.ip,
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub customer_id: Option<i64>,
    pub page: u64,
    pub per_page: u64,
}

/// The audit browser (admins only).
pub async fn list(app: &App, actor: &Actor, q: &AuditQuery) -> Result<(Vec<AuditView>, u64)> {
    if !actor.role.can_read_audit() {
        return Err(AppError::Forbidden);
    }
    let (rows, total) = consign_store::audit::list(
        &app.db.conn,
        &consign_store::audit::AuditFilter {
            actor_id: q.actor_id,
            action: q.action.clone(),
            entity_type: q.entity_type.clone(),
            customer_ids: q.customer_id.map(|c| vec![c]),
            page: q.page.max(1),
            per_page: if q.per_page == 0 { 50 } else { q.per_page },
        },
    )
    .await?;
    let lang = actor.lang.unwrap_or_default();
    Ok((rows.into_iter().map(|m| view(m, lang)).collect(), total))
}

#[cfg(test)]
mod tests {
    #[test]
    fn diffs() {
        let d = super::diff(
            Some(r#"{"name":"顺丰","city":"上海","tags":["a"]}"#),
            Some(r#"{"name":"顺丰速运","city":"上海","tags":["a","b"]}"#),
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].field, "name");
        assert_eq!(d[0].before, "顺丰");
        assert_eq!(d[0].after, "顺丰速运");
        assert_eq!(d[1].after, "a, b");
        assert_eq!(super::diff(None, Some(r#"{"x":1}"#))[0].after, "1");
        assert!(super::diff(None, Some(r#"{"x":null,"y":""}"#)).is_empty());
    }
}
