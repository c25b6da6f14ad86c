//! Notifications left for users, read in the app and sent by e-mail.

#[allow(unused_imports)]
use super::*;

// ---- notifications ----

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub ticket_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub args: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub emailed_at: Option<DateTime<Utc>>,
}

pub(crate) const NOTE_COLS: &str =
    "id, user_id, kind, ticket_id, customer_id, args, created_at, read_at, emailed_at";

pub async fn notify<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    kind: &str,
    ticket_id: Option<i64>,
    customer_id: Option<i64>,
    args: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "INSERT INTO notifications (user_id, kind, ticket_id, customer_id, args, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            user_id.into(),
            kind.into(),
            ticket_id.into(),
            customer_id.into(),
            serde_json::to_string(args).unwrap_or_default().into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// A user's latest notifications, newest first, and how many are unread.
pub async fn notifications_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    limit: u64,
) -> Result<(Vec<NotificationRow>, i64)> {
    let backend = conn.get_database_backend();
    let rows = NotificationRow::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT {limit}"
        ),
        vec![user_id.into()],
    ))
    .all(conn)
    .await?;
    Ok((rows, unread_count(conn, user_id).await?))
}

pub async fn unread_count<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(Count::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL",
        vec![user_id.into()],
    ))
    .one(conn)
    .await?
    .map(|c| c.n)
    .unwrap_or(0))
}

pub async fn mark_read<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
            vec![now.into(), user_id.into()],
        ))
        .await?
        .rows_affected())
}

/// Notifications not yet e-mailed, oldest first.
pub async fn unsent<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<NotificationRow>> {
    Ok(NotificationRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {NOTE_COLS} FROM notifications WHERE emailed_at IS NULL ORDER BY id LIMIT {limit}"
        ),
        vec![],
    ))
    .all(conn)
    .await?)
}

pub async fn mark_emailed<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE notifications SET emailed_at = ? WHERE id = ?",
        vec![now.into(), id.into()],
    ))
    .await?;
    Ok(())
}
