//! Stored answers to writes sent with an `Idempotency-Key` (ARCHITECTURE: "Writes that a
//! client may retry take an `Idempotency-Key` header").

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// What a key holds when a request arrives with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: the caller does the write, then [`complete`] or [`release`].
    New,
    /// Answered before: the stored status and body.
    Done { status: u16, response: String },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

#[derive(FromQueryResult)]
struct Row {
    request_hash: String,
    status: Option<i32>,
    response: Option<String>,
}

/// Claims `key` for this user and request, or reports what it already holds.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Claim> {
    let backend = conn.get_database_backend();
    let inserted = conn
        .execute(stmt(
            backend,
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, idem_key) DO NOTHING",
            vec![user_id.into(), key.into(), request_hash.into(), now.into()],
        ))
        .await?
        .rows_affected();
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let row = Row::find_by_statement(stmt(
        backend,
        "SELECT request_hash, status, response FROM idempotency_keys WHERE user_id = ? AND idem_key = ?",
        vec![user_id.into(), key.into()],
    ))
    .one(conn)
    .await?;
    Ok(match row {
        // Released between the insert and the read: the client may simply retry.
        None => Claim::InProgress,
        Some(r) if r.request_hash != request_hash => Claim::Mismatch,
        Some(Row {
            status: Some(status),
            response,
            ..
        }) => Claim::Done {
            status: u16::try_from(status).unwrap_or(500),
            response: response.unwrap_or_default(),
        },
        Some(_) => Claim::InProgress,
    })
}

/// Stores the answer to a claimed key.
pub async fn complete<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    key: &str,
    status: u16,
    response: &str,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE idempotency_keys SET status = ?, response = ? WHERE user_id = ? AND idem_key = ?",
        vec![
            i32::from(status).into(),
            response.into(),
            user_id.into(),
            key.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Frees a claimed key whose request failed, so that a corrected retry may use it.
pub async fn release<C: ConnectionTrait>(conn: &C, user_id: i64, key: &str) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND status IS NULL",
        vec![user_id.into(), key.into()],
    ))
    .await?;
    Ok(())
}

/// Forgets keys older than `before`.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "DELETE FROM idempotency_keys WHERE created_at < ?",
            vec![before.into()],
        ))
        .await?
        .rows_affected())
}
