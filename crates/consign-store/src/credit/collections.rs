//! Collections as stored: promises to pay, and what a customer paid after each.

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A promise as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PromiseRow {
    pub id: i64,
    pub customer_id: i64,
    pub amount_fen: i64,
    pub promised_on: i32,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn add_promise<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    amount_fen: i64,
    promised_on: i32,
    note: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let r = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "INSERT INTO collection_promises (customer_id, amount_fen, promised_on, note, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                customer_id.into(),
                amount_fen.into(),
                promised_on.into(),
                note.into(),
                by.into(),
                now.into(),
            ],
        ))
        .await?;
    Ok(r.map(|r| r.try_get::<i64>("", "id"))
        .transpose()?
        .unwrap_or(0))
}

/// A customer's promises, latest first.
pub async fn promises_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
) -> Result<Vec<PromiseRow>> {
    Ok(PromiseRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT p.id, p.customer_id, p.amount_fen, p.promised_on, p.note, p.created_by, \
         u.display_name AS created_by_name, p.created_at \
         FROM collection_promises p LEFT JOIN users u ON u.id = p.created_by \
         WHERE p.customer_id = ? ORDER BY p.promised_on DESC, p.id DESC LIMIT 100",
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?)
}

/// What a customer paid from `from` to before `to`.
pub async fn paid_between<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64> {
    Ok(conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS s FROM payments \
             WHERE customer_id = ? AND paid_at >= ? AND paid_at < ?",
            vec![customer_id.into(), from.into(), to.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "s"))
        .transpose()?
        .unwrap_or(0))
}

/// Whether the customer has an open collection task, escalated ones (`escalated`) or
/// first reminders.
pub async fn open_collection<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    escalated: bool,
) -> Result<bool> {
    Ok(conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT 1 AS one FROM tasks WHERE customer_id = ? AND kind = 'collection' \
             AND status = 'open' AND title_key = ? LIMIT 1",
            vec![
                customer_id.into(),
                if escalated {
                    "task.title.collection_escalated"
                } else {
                    "task.title.collection"
                }
                .into(),
            ],
        ))
        .await?
        .is_some())
}
