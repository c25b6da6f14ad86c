//! Background jobs (ARCHITECTURE rule 11): persisted rows, claimed atomically with a
//! lease, idempotent, retried with backoff, and stopped with the server (a job cut off
//! by a stop is taken up again when its lease runs out).

use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_store::jobs::{self as repo, Job};

/// Expired sessions and idempotency keys, old finished jobs, planner statistics, and
/// customers returning to the pool: one run per slot, whichever instance queues it first.
pub const HOUSEKEEPING: &str = "housekeeping";
/// Minutes per housekeeping slot.
pub const HOUSEKEEPING_EVERY: i64 = 10;
/// The nightly classification (and, as of the first of a month, the month-end snapshot).
pub const CLASSIFY: &str = "classify";
/// SLA escalations (and reminders): one run a minute, whichever instance queues it.
pub const SERVICE: &str = "service";
/// Local hour the nightly classification runs.
pub const CLASSIFY_HOUR: u32 = 2;
/// How long a claimed job is held before another worker may take it over.
const LEASE: Duration = Duration::minutes(15);
/// Finished jobs are kept this long for inspection.
const KEEP_FINISHED: Duration = Duration::days(30);

/// Queues this slot's housekeeping run unless it is queued (or done) already.
pub async fn schedule_housekeeping(app: &App, now: DateTime<Utc>) -> Result<Option<i64>> {
    let slot = now.timestamp().div_euclid(HOUSEKEEPING_EVERY * 60);
    Ok(repo::enqueue(
        &app.db.conn,
        HOUSEKEEPING,
        "{}",
        Some(&format!("{HOUSEKEEPING}:{slot}")),
        now,
        now,
    )
    .await?)
}

/// Queues this minute's service sweep (SLA escalations) unless queued already.
pub async fn schedule_service(app: &App, now: DateTime<Utc>) -> Result<Option<i64>> {
    let slot = now.timestamp().div_euclid(60);
    Ok(repo::enqueue(
        &app.db.conn,
        SERVICE,
        "{}",
        Some(&format!("{SERVICE}:{slot}")),
        now,
        now,
    )
    .await?)
}

/// Queues today's nightly classification (as of today, at 02:00 in the company's zone)
/// unless it is queued or done already.
pub async fn schedule_nightly(app: &App, now: DateTime<Utc>) -> Result<Option<i64>> {
    let tz = app.tz();
    let today = now.with_timezone(&tz).date_naive();
    let run_at = today
        .and_hms_opt(CLASSIFY_HOUR, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let payload = serde_json::json!({ "as_of": today.to_string() }).to_string();
    Ok(repo::enqueue(
        &app.db.conn,
        CLASSIFY,
        &payload,
        Some(&format!("{CLASSIFY}:{today}")),
        run_at,
        now,
    )
    .await?)
}

/// Queues a job to run now (or at `run_at`).
pub async fn enqueue(
    app: &App,
    kind: &str,
    payload: &serde_json::Value,
    run_at: DateTime<Utc>,
) -> Result<i64> {
    let now = Utc::now();
    repo::enqueue(&app.db.conn, kind, &payload.to_string(), None, run_at, now)
        .await?
        .ok_or_else(|| AppError::internal("job not queued"))
}

/// Waiting time before attempt `attempts + 1`: 30 s, 1 min, 2 min … at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// Runs every job that is due, one after another; returns how many ran.
pub async fn run_due(app: &App, worker: &str) -> Result<usize> {
    let mut ran = 0;
    loop {
        let now = Utc::now();
        let Some(job) = repo::claim(&app.db.conn, worker, now, now + LEASE).await? else {
            return Ok(ran);
        };
        ran += 1;
        match execute(app, &job).await {
            Ok(result) => repo::finish(&app.db.conn, job.id, worker, &result, Utc::now()).await?,
            Err(Failure { message, permanent }) => {
                let retry = (!permanent && job.attempts < job.max_attempts)
                    .then(|| Utc::now() + backoff(job.attempts));
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, retry = retry.is_some(), error = %message, "job failed");
                repo::fail(&app.db.conn, job.id, worker, &message, retry, Utc::now()).await?;
            }
        }
    }
}

struct Failure {
    message: String,
    /// Retrying cannot help (an unknown kind, a payload that does not parse).
    permanent: bool,
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure {
            message: e.chain(),
            permanent: false,
        }
    }
}

async fn execute(app: &App, job: &Job) -> std::result::Result<String, Failure> {
    match job.kind.as_str() {
        HOUSEKEEPING => Ok(housekeeping(app).await?),
        SERVICE => {
            let now = Utc::now();
            let escalated = crate::service::escalate_due(app, now).await?;
            let reminded = crate::service::remind_due_tasks(app, now).await?;
            let mailed = crate::service::deliver_email(app, now).await?;
            Ok(format!(
                "escalated={escalated} reminded={reminded} mailed={mailed}"
            ))
        }
        CLASSIFY => {
            let as_of = serde_json::from_str::<serde_json::Value>(&job.payload)
                .ok()
                .and_then(|v| v["as_of"].as_str().map(str::to_string))
                .and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
                .ok_or_else(|| Failure {
                    message: format!("classify: bad payload {:?}", job.payload),
                    permanent: true,
                })?;
            let s = crate::classification::recompute(app, Some(as_of), "nightly").await?;
            // The day's follow-ups: regular visits by value class, and a call to every
            // customer the run flags at risk.
            let tasks = crate::followups::plan(app, Utc::now()).await?;
            Ok(format!(
                "{} follow-up tasks={tasks}",
                s.text(consign_domain::Lang::En)
            ))
        }
        other => Err(Failure {
            message: format!("unknown job kind {other:?}"),
            permanent: true,
        }),
    }
}

/// Each step is idempotent, so a retried or repeated run does no harm.
async fn housekeeping(app: &App) -> Result<String> {
    let now = Utc::now();
    let sessions = consign_store::users::delete_expired_sessions(&app.db.conn, now).await?;
    // Sign-in attempts matter for a day (throttling); kept a week for investigations.
    let attempts =
        consign_store::users::purge_attempts(&app.db.conn, now - Duration::days(7)).await?;
    let keys = crate::idempotency::purge(app).await?;
    let jobs = repo::purge(&app.db.conn, now - KEEP_FINISHED).await?;
    app.db.optimize().await?;
    let reclaimed = crate::customers::reclaim_stale(app, now).await?;
    // A running import commits a batch every second or so; ten silent minutes mean its
    // process died (its committed batches stand; running the file again completes it).
    let interrupted =
        consign_store::imports::mark_interrupted(&app.db.conn, now - Duration::minutes(10), now)
            .await?;
    // Bad-row reports of runs older than 90 days (the runs and their counts stay).
    let errors =
        consign_store::imports::purge_errors(&app.db.conn, now - Duration::days(90)).await?;
    Ok(format!(
        "sessions={sessions} login_attempts={attempts} idempotency_keys={keys} jobs={jobs} \
         reclaimed={reclaimed} interrupted_imports={interrupted} import_errors={errors}"
    ))
}

/// A name for this process among several workers.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "consign".into());
    format!("{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(50), Duration::seconds(3600));
    }
}
