//! Background jobs as rows: enqueue, claim with a lease, finish, fail with a retry time.

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, FromQueryResult)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub result: Option<String>,
}

const COLUMNS: &str =
    "id, kind, payload, status, attempts, max_attempts, run_at, last_error, result";

/// Queues a job; with a `dedupe_key` already queued or run, nothing happens (None).
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    payload: &str,
    dedupe_key: Option<&str>,
    run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let row = Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO jobs (kind, payload, dedupe_key, run_at, created_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        vec![
            kind.into(),
            payload.into(),
            dedupe_key.map(str::to_string).into(),
            run_at.into(),
            now.into(),
        ],
    ))
    .one(conn)
    .await?;
    Ok(row.map(|r| r.id))
}

/// Takes the oldest due job (queued and due, or running with an expired lease) for
/// `worker` until `lease_until`. Two workers never get the same job: the update checks
/// the state it read, and whoever loses tries the next one.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    worker: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Job>> {
    let backend = conn.get_database_backend();
    for _ in 0..5 {
        let due = Job::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT {COLUMNS} FROM jobs WHERE (status = 'queued' AND run_at <= ?) \
                 OR (status = 'running' AND locked_until < ?) ORDER BY run_at, id LIMIT 1"
            ),
            vec![now.into(), now.into()],
        ))
        .one(conn)
        .await?;
        let Some(job) = due else { return Ok(None) };
        let taken = conn
            .execute(stmt(
                backend,
                "UPDATE jobs SET status = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1 \
                 WHERE id = ? AND ((status = 'queued' AND run_at <= ?) OR (status = 'running' AND locked_until < ?))",
                vec![
                    worker.into(),
                    lease_until.into(),
                    job.id.into(),
                    now.into(),
                    now.into(),
                ],
            ))
            .await?
            .rows_affected();
        if taken == 1 {
            return Ok(Some(Job {
                status: RUNNING.into(),
                attempts: job.attempts + 1,
                ..job
            }));
        }
    }
    Ok(None)
}

/// Marks a job this worker holds as done, with a short result.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    worker: &str,
    result: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE jobs SET status = 'done', result = ?, finished_at = ?, locked_by = NULL, locked_until = NULL \
         WHERE id = ? AND locked_by = ?",
        vec![result.into(), now.into(), id.into(), worker.into()],
    ))
    .await?;
    Ok(())
}

/// Records a failure: queued again at `retry_at`, or failed for good when None.
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = if retry_at.is_some() {
        "UPDATE jobs SET status = 'queued', last_error = ?, run_at = ?, locked_by = NULL, locked_until = NULL \
         WHERE id = ? AND locked_by = ?"
    } else {
        "UPDATE jobs SET status = 'failed', last_error = ?, finished_at = ?, locked_by = NULL, locked_until = NULL \
         WHERE id = ? AND locked_by = ?"
    };
    conn.execute(stmt(
        conn.get_database_backend(),
        sql,
        vec![
            error.into(),
            retry_at.unwrap_or(now).into(),
            id.into(),
            worker.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Job>> {
    Ok(Job::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// Forgets finished jobs older than `before`.
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < ?",
            vec![before.into()],
        ))
        .await?
        .rows_affected())
}
