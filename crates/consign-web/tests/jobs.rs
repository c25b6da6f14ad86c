//! Background jobs as rows: scheduled once per slot across instances, claimed by one
//! worker at a time, taken over when a lease runs out, failed for good when retrying
//! cannot help.

mod common;
use chrono::{Duration, Utc};
use common::*;
use consign_app::jobs;
use consign_store::jobs as repo;

async fn lifecycle(t: TestApp) {
    let app = &t.app;
    let now = Utc::now();
    // Two instances scheduling the same slot: one run.
    let first = jobs::schedule_housekeeping(app, now)
        .await
        .expect("schedule");
    let second = jobs::schedule_housekeeping(app, now)
        .await
        .expect("schedule");
    assert!(first.is_some());
    assert_eq!(second, None, "the slot is queued already");
    let id = first.expect("id");
    let ran = jobs::run_due(app, "worker-a").await.expect("run");
    assert_eq!(ran, 1);
    let job = repo::get(&app.db.conn, id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::DONE, "{job:?}");
    assert_eq!(job.attempts, 1);
    assert!(job.result.unwrap_or_default().contains("reclaimed="));
    assert_eq!(
        jobs::run_due(app, "worker-a").await.expect("run"),
        0,
        "nothing due"
    );

    // A job whose worker stopped (its lease ran out) is taken over by another.
    let id = jobs::enqueue(app, &jobs::JobKind::Housekeeping, now)
        .await
        .expect("enqueue");
    let past = Utc::now() - Duration::minutes(1);
    let held = repo::claim(&app.db.conn, "worker-gone", Utc::now(), past)
        .await
        .expect("claim")
        .expect("due");
    assert_eq!(held.id, id);
    assert!(
        repo::claim(
            &app.db.conn,
            "worker-b",
            past - Duration::minutes(30),
            past + Duration::minutes(5)
        )
        .await
        .expect("claim")
        .is_none(),
        "not while the lease holds"
    );
    assert_eq!(jobs::run_due(app, "worker-b").await.expect("run"), 1);
    let job = repo::get(&app.db.conn, id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!((job.status.as_str(), job.attempts), (repo::DONE, 2));
    // The stopped worker's late report changes nothing.
    repo::fail(&app.db.conn, id, "worker-gone", "late", None, Utc::now())
        .await
        .expect("fail");
    let job = repo::get(&app.db.conn, id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::DONE);

    // A kind nobody knows fails for good at once, with the reason.
    // (Only a stored row can name one: the application queues typed jobs.)
    let id = repo::enqueue(&app.db.conn, "no-such-kind", "{}", None, now, now)
        .await
        .expect("enqueue")
        .expect("queued");
    assert_eq!(jobs::run_due(app, "worker-a").await.expect("run"), 1);
    let job = repo::get(&app.db.conn, id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::FAILED);
    assert!(job.last_error.unwrap_or_default().contains("no-such-kind"));
    // A job due later waits.
    let id = jobs::enqueue(app, &jobs::JobKind::Housekeeping, now + Duration::hours(1))
        .await
        .expect("enqueue");
    assert_eq!(jobs::run_due(app, "worker-a").await.expect("run"), 0);
    let job = repo::get(&app.db.conn, id)
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::QUEUED);
}

#[tokio::test]
async fn persisted_jobs() {
    each_db(lifecycle).await;
}

/// The nightly classification: queued once per local day (whichever instance first), it
/// classifies as of that day and stores the run.
async fn nightly(t: TestApp) {
    let app = &t.app;
    t.customer("上海恒通供应链管理有限公司", Some("lixy"), None)
        .await;
    // 18:00 in Shanghai on 2026-06-01: that day's 02:00 run is due.
    let at = chrono::DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let first = jobs::schedule_nightly(app, at).await.expect("schedule");
    let again = jobs::schedule_nightly(app, at + Duration::hours(3))
        .await
        .expect("schedule");
    assert!(first.is_some());
    assert_eq!(again, None, "one a day");
    let ran = jobs::run_due(app, "worker-a").await.expect("run");
    assert!(ran >= 1);
    let job = repo::get(&app.db.conn, first.expect("id"))
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::DONE, "{job:?}");
    assert!(
        job.result.unwrap_or_default().contains("as of 2026-06-01"),
        "the job's summary"
    );
    let run = consign_app::classification::current_run(app)
        .await
        .expect("run")
        .expect("stored");
    assert_eq!(
        (run.as_of, run.cause.as_str(), run.keep),
        (20260601, "nightly", true)
    );
}

#[tokio::test]
async fn nightly_classification() {
    each_db(nightly).await;
}

/// The service sweep: queued once a minute, it escalates what is overdue (and reminds,
/// and mails when SMTP is configured).
async fn sweep(t: TestApp) {
    let app = &t.app;
    let c = t
        .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
        .await;
    let agent = t.actor("liuy").await;
    let input = consign_app::service::TicketInput {
        kind: "complaint".into(),
        channel: "phone".into(),
        customer_id: c.to_string(),
        subject: "多票延误".into(),
        ..Default::default()
    };
    let late =
        consign_app::service::create_at(app, &agent, &input, Utc::now() - Duration::days(10))
            .await
            .expect("ticket");
    let now = Utc::now();
    let first = jobs::schedule_service(app, now).await.expect("schedule");
    assert!(first.is_some());
    assert_eq!(
        jobs::schedule_service(app, now).await.expect("schedule"),
        None,
        "one a minute"
    );
    assert!(jobs::run_due(app, "worker-a").await.expect("run") >= 1);
    let job = repo::get(&app.db.conn, first.expect("id"))
        .await
        .expect("get")
        .expect("job");
    assert_eq!(job.status, repo::DONE, "{job:?}");
    assert!(
        job.result.unwrap_or_default().contains("escalated=2"),
        "both deadlines"
    );
    let d = consign_app::service::get(app, &agent, late.ticket.id)
        .await
        .expect("ticket");
    assert!(d.ticket.escalated);
}

#[tokio::test]
async fn service_sweep() {
    each_db(sweep).await;
}
