//! Webhook and group-bot storage: the endpoints, and their deliveries as a persisted
//! queue (due, claimed with a lease, tried, retried, given up, replayed) that is also
//! the delivery log an admin reads.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, FromQueryResult)]
pub struct Webhook {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub url: String,
    pub secret_enc: Option<String>,
    /// Space-separated.
    pub events: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// `/1/4/` — the team's place in the tree (bots post about it and below).
    pub unit_path: Option<String>,
    pub lang: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub pending: i64,
    pub failed: i64,
}

impl Webhook {
    pub fn takes(&self, event: &str) -> bool {
        self.events.split(' ').any(|e| e == event)
    }
}

pub struct WebhookWrite<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    /// None: keep the stored one (an update), or none (a new WeCom robot).
    pub secret_enc: Option<String>,
    pub events: String,
    pub unit_id: Option<i64>,
    pub lang: &'a str,
    pub active: bool,
}

const SELECT: &str = "SELECT w.id, w.kind, w.name, w.url, w.secret_enc, w.events, w.unit_id, \
    u.name AS unit_name, u.path AS unit_path, w.lang, w.active, w.created_at, w.updated_at, \
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending') AS pending, \
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'failed') AS failed \
    FROM webhooks w LEFT JOIN org_units u ON u.id = w.unit_id";

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

pub async fn add<C: ConnectionTrait>(
    conn: &C,
    w: &WebhookWrite<'_>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO webhooks (kind, name, url, secret_enc, events, unit_id, lang, active, \
         created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            w.kind.into(),
            w.name.into(),
            w.url.into(),
            w.secret_enc.clone().into(),
            w.events.clone().into(),
            w.unit_id.into(),
            w.lang.into(),
            w.active.into(),
            by.into(),
            now.into(),
            now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or_else(|| StoreError::Other("webhook not inserted".into()))?
    .id)
}

/// Changes an endpoint; its secret only when a new one is given.
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    w: &WebhookWrite<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE webhooks SET kind = ?, name = ?, url = ?, secret_enc = COALESCE(?, secret_enc), \
             events = ?, unit_id = ?, lang = ?, active = ?, updated_at = ? WHERE id = ?",
            vec![
                w.kind.into(),
                w.name.into(),
                w.url.into(),
                w.secret_enc.clone().into(),
                w.events.clone().into(),
                w.unit_id.into(),
                w.lang.into(),
                w.active.into(),
                now.into(),
                id.into(),
            ],
        ))
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Removes an endpoint with its log.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool> {
    let b = conn.get_database_backend();
    conn.execute(stmt(
        b,
        "DELETE FROM webhook_attempts WHERE delivery_id IN \
         (SELECT id FROM webhook_deliveries WHERE webhook_id = ?)",
        vec![id.into()],
    ))
    .await?;
    conn.execute(stmt(
        b,
        "DELETE FROM webhook_deliveries WHERE webhook_id = ?",
        vec![id.into()],
    ))
    .await?;
    let n = conn
        .execute(stmt(
            b,
            "DELETE FROM webhooks WHERE id = ?",
            vec![id.into()],
        ))
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<Webhook>> {
    Ok(Webhook::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} ORDER BY w.kind, w.id"),
        vec![],
    ))
    .all(conn)
    .await?)
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Webhook>> {
    Ok(Webhook::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE w.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// An endpoint without its counts, as a sender or an event needs it.
const PLAIN: &str = "SELECT w.id, w.kind, w.name, w.url, w.secret_enc, w.events, w.unit_id, \
    u.name AS unit_name, u.path AS unit_path, w.lang, w.active, w.created_at, w.updated_at, \
    CAST(0 AS BIGINT) AS pending, CAST(0 AS BIGINT) AS failed \
    FROM webhooks w LEFT JOIN org_units u ON u.id = w.unit_id";

/// The active endpoints of some kinds (without their counts), to queue an event for.
pub async fn active<C: ConnectionTrait>(conn: &C, bots: bool) -> Result<Vec<Webhook>> {
    let kinds = if bots {
        "w.kind IN ('wecom', 'dingtalk')"
    } else {
        "w.kind = 'webhook'"
    };
    Ok(Webhook::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{PLAIN} WHERE w.active AND {kinds}"),
        vec![],
    ))
    .all(conn)
    .await?)
}

/// An endpoint without its counts (the sender's lookup: no count of its deliveries).
pub async fn plain<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Webhook>> {
    Ok(Webhook::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{PLAIN} WHERE w.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// One delivery to queue.
pub struct NewDelivery {
    pub webhook_id: i64,
    pub event_id: String,
    pub event: String,
    pub order_key: String,
    pub body: String,
}

/// Queues deliveries (in the caller's transaction), in statements of a few hundred rows.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    rows: &[NewDelivery],
    now: DateTime<Utc>,
    give_up_at: DateTime<Utc>,
) -> Result<()> {
    for chunk in rows.chunks(200) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for r in chunk {
            values.extend([
                r.webhook_id.into(),
                r.event_id.clone().into(),
                r.event.clone().into(),
                r.order_key.clone().into(),
                r.body.clone().into(),
                PENDING.into(),
                now.into(),
                give_up_at.into(),
                now.into(),
            ]);
        }
        let rows_sql = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        conn.execute(stmt(
            conn.get_database_backend(),
            &format!(
                "INSERT INTO webhook_deliveries (webhook_id, event_id, event, order_key, body, \
                 state, next_at, give_up_at, created_at) VALUES {rows_sql}"
            ),
            values,
        ))
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: String,
    pub event: String,
    pub order_key: String,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub next_at: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub last_response: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

const DELIVERY: &str = "SELECT d.id, d.webhook_id, d.event_id, d.event, d.order_key, d.body, \
    d.state, d.attempts, d.next_at, d.give_up_at, d.last_status, d.last_latency_ms, \
    d.last_error, d.last_response, d.created_at, d.delivered_at FROM webhook_deliveries d";

/// Pending deliveries that are due, not held by a worker, and first in their endpoint's
/// line for their order key.
pub async fn due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Delivery>> {
    Ok(Delivery::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "{DELIVERY} WHERE d.state = 'pending' AND d.next_at <= ? \
             AND (d.locked_until IS NULL OR d.locked_until < ?) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id \
             AND e.order_key = d.order_key AND e.state = 'pending' AND e.id < d.id) \
             ORDER BY d.next_at, d.id LIMIT {limit}"
        ),
        vec![now.into(), now.into()],
    ))
    .all(conn)
    .await?)
}

/// Holds a due delivery for this worker until `until`; false when another took it.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let n = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE webhook_deliveries SET locked_until = ? WHERE id = ? AND state = 'pending' \
             AND (locked_until IS NULL OR locked_until < ?)",
            vec![until.into(), id.into(), now.into()],
        ))
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// What one attempt brought.
pub struct Attempt<'a> {
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<&'a str>,
    pub response: Option<&'a str>,
}

/// Records an attempt and the delivery's next state: delivered, pending again at `retry`,
/// or failed.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    a: &Attempt<'_>,
    state: &str,
    retry: Option<DateTime<Utc>>,
) -> Result<()> {
    let b = conn.get_database_backend();
    conn.execute(stmt(
        b,
        "INSERT INTO webhook_attempts (delivery_id, at, status, latency_ms, error, response) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            id.into(),
            a.at.into(),
            a.status.into(),
            a.latency_ms.into(),
            a.error.into(),
            a.response.into(),
        ],
    ))
    .await?;
    let delivered: Option<DateTime<Utc>> = (state == DELIVERED).then_some(a.at);
    conn.execute(stmt(
        b,
        "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_at = ?, \
         locked_until = NULL, last_status = ?, last_latency_ms = ?, last_error = ?, \
         last_response = ?, delivered_at = COALESCE(?, delivered_at) WHERE id = ?",
        vec![
            state.into(),
            retry.unwrap_or(a.at).into(),
            a.status.into(),
            a.latency_ms.into(),
            a.error.into(),
            a.response.into(),
            delivered.into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// An endpoint's deliveries, newest first, optionally of one state.
pub async fn deliveries<C: ConnectionTrait>(
    conn: &C,
    webhook_id: i64,
    state: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Delivery>, u64)> {
    let b = conn.get_database_backend();
    let (cond, mut vals): (&str, Vec<Value>) = match state {
        Some(s) => (
            "d.webhook_id = ? AND d.state = ?",
            vec![webhook_id.into(), s.into()],
        ),
        None => ("d.webhook_id = ?", vec![webhook_id.into()]),
    };
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let total = N::find_by_statement(stmt(
        b,
        &format!("SELECT COUNT(*) AS n FROM webhook_deliveries d WHERE {cond}"),
        vals.clone(),
    ))
    .one(conn)
    .await?
    .map_or(0, |r| r.n);
    vals.extend([(limit as i64).into(), (offset as i64).into()]);
    let rows = Delivery::find_by_statement(stmt(
        b,
        &format!("{DELIVERY} WHERE {cond} ORDER BY d.id DESC LIMIT ? OFFSET ?"),
        vals,
    ))
    .all(conn)
    .await?;
    Ok((rows, total.max(0) as u64))
}

pub async fn delivery<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Delivery>> {
    Ok(Delivery::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{DELIVERY} WHERE d.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct AttemptRow {
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
    pub response: Option<String>,
}

pub async fn attempts<C: ConnectionTrait>(conn: &C, delivery_id: i64) -> Result<Vec<AttemptRow>> {
    Ok(AttemptRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT at, status, latency_ms, error, response FROM webhook_attempts \
         WHERE delivery_id = ? ORDER BY id DESC LIMIT 50",
        vec![delivery_id.into()],
    ))
    .all(conn)
    .await?)
}

/// Sends deliveries again from now, for another day of tries: one (whatever its state,
/// unless a worker holds it), or every failed one of an endpoint. Returns how many.
pub async fn replay<C: ConnectionTrait>(
    conn: &C,
    delivery_id: Option<i64>,
    failed_of: Option<i64>,
    now: DateTime<Utc>,
    give_up_at: DateTime<Utc>,
) -> Result<u64> {
    let (cond, key): (&str, i64) = match (delivery_id, failed_of) {
        (Some(id), _) => (
            "id = ? AND (state <> 'pending' OR locked_until IS NULL OR locked_until < ?)",
            id,
        ),
        (None, Some(w)) => ("webhook_id = ? AND state = 'failed' AND ? IS NOT NULL", w),
        (None, None) => return Ok(0),
    };
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            &format!(
                "UPDATE webhook_deliveries SET state = 'pending', next_at = ?, give_up_at = ?, \
                 locked_until = NULL WHERE {cond}"
            ),
            vec![now.into(), give_up_at.into(), key.into(), now.into()],
        ))
        .await?
        .rows_affected())
}

/// Delivered and failed deliveries older than `before`, with their attempts.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    let b = conn.get_database_backend();
    conn.execute(stmt(
        b,
        "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries \
         WHERE state <> 'pending' AND created_at < ?)",
        vec![before.into()],
    ))
    .await?;
    Ok(conn
        .execute(stmt(
            b,
            "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < ?",
            vec![before.into()],
        ))
        .await?
        .rows_affected())
}
