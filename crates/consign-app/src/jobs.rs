//! Background jobs (ARCHITECTURE rule 11): persisted rows, claimed atomically with a
//! lease, idempotent, retried with backoff, and stopped with the server (a job cut off
//! by a stop is taken up again when its lease runs out).

use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_store::jobs::{self as repo, Job};

/// What a job does. Stored as its kind's name and a JSON payload; a stored job whose kind
/// or payload does not parse fails for good with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// Expired sessions and idempotency keys, old finished jobs, planner statistics, and
    /// customers returning to the pool: one run per slot, whichever instance queues it
    /// first.
    Housekeeping,
    /// SLA escalations, task reminders, e-mail, and (once a day) the surveys of
    /// sampled deliveries: one run a minute.
    Service,
    /// The nightly classification as of a day, then the day's follow-up tasks.
    Classify { as_of: NaiveDate },
}

impl JobKind {
    /// The kind's stored name.
    pub fn name(&self) -> &'static str {
        match self {
            JobKind::Housekeeping => "housekeeping",
            JobKind::Service => "service",
            JobKind::Classify { .. } => "classify",
        }
    }

    /// The stored payload.
    fn payload(&self) -> String {
        match self {
            JobKind::Housekeeping | JobKind::Service => "{}".into(),
            JobKind::Classify { as_of } => {
                serde_json::json!({ "as_of": as_of.to_string() }).to_string()
            }
        }
    }

    /// A stored job's kind and payload, strictly: an unknown kind, or a payload without
    /// what the kind needs, is an error naming it.
    pub fn parse(kind: &str, payload: &str) -> std::result::Result<JobKind, String> {
        match kind {
            "housekeeping" => Ok(JobKind::Housekeeping),
            "service" => Ok(JobKind::Service),
            "classify" => serde_json::from_str::<serde_json::Value>(payload)
                .ok()
                .and_then(|v| v["as_of"].as_str().map(str::to_string))
                .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
                .map(|as_of| JobKind::Classify { as_of })
                .ok_or_else(|| format!("classify: bad payload {payload:?}")),
            other => Err(format!("unknown job kind {other:?}")),
        }
    }
}

/// Minutes per housekeeping slot.
pub const HOUSEKEEPING_EVERY: i64 = 10;
/// Local hour the nightly classification runs.
pub const CLASSIFY_HOUR: u32 = 2;
/// How long a claimed job is held before another worker may take it over.
const LEASE: Duration = Duration::minutes(15);
/// Finished jobs are kept this long for inspection.
const KEEP_FINISHED: Duration = Duration::days(30);

/// Queues this slot's housekeeping run unless it is queued (or done) already.
pub async fn schedule_housekeeping(app: &App, now: DateTime<Utc>) -> Result<Option<i64>> {
    let slot = now.timestamp().div_euclid(HOUSEKEEPING_EVERY * 60);
    let job = JobKind::Housekeeping;
    Ok(repo::enqueue(
        &app.db.conn,
        job.name(),
        &job.payload(),
        Some(&format!("{}:{slot}", job.name())),
        now,
        now,
    )
    .await?)
}

/// Queues this minute's service sweep (SLA escalations) unless queued already.
pub async fn schedule_service(app: &App, now: DateTime<Utc>) -> Result<Option<i64>> {
    let slot = now.timestamp().div_euclid(60);
    let job = JobKind::Service;
    Ok(repo::enqueue(
        &app.db.conn,
        job.name(),
        &job.payload(),
        Some(&format!("{}:{slot}", job.name())),
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
    let job = JobKind::Classify { as_of: today };
    Ok(repo::enqueue(
        &app.db.conn,
        job.name(),
        &job.payload(),
        Some(&format!("{}:{today}", job.name())),
        run_at,
        now,
    )
    .await?)
}

/// Queues a job to run at `run_at` (now or later).
pub async fn enqueue(app: &App, job: &JobKind, run_at: DateTime<Utc>) -> Result<i64> {
    let now = Utc::now();
    repo::enqueue(&app.db.conn, job.name(), &job.payload(), None, run_at, now)
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
    let kind = JobKind::parse(&job.kind, &job.payload).map_err(|message| Failure {
        message,
        permanent: true,
    })?;
    match kind {
        JobKind::Housekeeping => Ok(housekeeping(app).await?),
        JobKind::Service => {
            let now = Utc::now();
            let escalated = crate::service::escalate_due(app, now).await?;
            let reminded = crate::service::remind_due_tasks(app, now).await?;
            let mailed = crate::service::deliver_email(app, now).await?;
            // Once a company day: the sample of the last days' deliveries to survey.
            let surveyed = crate::surveys::sweep::sample_deliveries(app, now).await?;
            let survey_mail = crate::surveys::sweep::deliver_email(app, now).await?;
            Ok(format!(
                "escalated={escalated} reminded={reminded} mailed={mailed} \
                 surveys={surveyed} surveys_mailed={survey_mail}"
            ))
        }
        JobKind::Classify { as_of } => {
            let s = crate::classification::recompute(
                app,
                &crate::auth::Actor::system("nightly"),
                Some(as_of),
                "nightly",
            )
            .await?;
            // The day's follow-ups: regular visits by value class, and a call to every
            // customer the run flags at risk.
            let tasks = crate::followups::plan(app, Utc::now()).await?;
            // Overdue accounts: reminders to their owners, escalations to managers.
            let (reminded, escalated) = crate::credit::sweep(app).await?;
            Ok(format!(
                "{} follow-up tasks={tasks} collections={reminded} escalated={escalated}",
                s.text(consign_domain::Lang::En)
            ))
        }
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
    // A new month moves the recent sums the company's KPI page reads.
    let recent = crate::kpis::keep_recent(app).await?;
    // Delivered and given-up webhook deliveries are kept 30 days for the log.
    let deliveries = consign_store::webhooks::purge(&app.db.conn, now - Duration::days(30)).await?;
    // Tracking lookups matter for an hour (throttling).
    let lookups = crate::tracking::purge(app).await?;
    // Credit crossings are told as writes make them; this catches any a write missed.
    crate::credit::notify_crossings(app, &app.db.conn, None).await?;
    Ok(format!(
        "sessions={sessions} login_attempts={attempts} idempotency_keys={keys} jobs={jobs} \
         reclaimed={reclaimed} interrupted_imports={interrupted} import_errors={errors} \
         recent_moved={recent} webhook_deliveries={deliveries} \
         tracking_lookups={lookups}"
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
    fn stored_jobs_parse_strictly() {
        for job in [
            JobKind::Housekeeping,
            JobKind::Service,
            JobKind::Classify {
                as_of: NaiveDate::from_ymd_opt(2026, 6, 1).expect("day"),
            },
        ] {
            assert_eq!(JobKind::parse(job.name(), &job.payload()), Ok(job));
        }
        assert_eq!(
            JobKind::parse("classify", "{}"),
            Err("classify: bad payload \"{}\"".to_string())
        );
        let bad_day = JobKind::parse("classify", r#"{"as_of":"2026-13-01"}"#);
        assert!(
            bad_day
                .as_ref()
                .is_err_and(|e| e.starts_with("classify: bad payload")),
            "{bad_day:?}"
        );
        assert_eq!(
            JobKind::parse("no-such-kind", "{}"),
            Err("unknown job kind \"no-such-kind\"".to_string())
        );
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(50), Duration::seconds(3600));
    }
}
