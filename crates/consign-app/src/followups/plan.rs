//! The follow-up plan (SPEC §5): regular visits by value class, a callback after every
//! closed complaint, a call to every customer the classification flags at risk.

use super::{generated_title, policy_in_force};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_domain::classify::{day_num, ValueClass};
use consign_domain::customer::CustomerId;
use consign_domain::followup::{FollowUpPolicy, TaskKind};
use consign_domain::Lang;
use consign_store::followups::{self as repo, NewTask};

/// After a complaint is closed: a callback task for the customer's owner (else the
/// ticket's assignee), due the policy's days later.
pub async fn after_closed_complaint(
    app: &App,
    ticket_id: i64,
    customer_id: i64,
    number: &str,
    assignee: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let p = policy_in_force(app).await?;
    let c = consign_store::customers::find(&app.db.conn, CustomerId::trusted(customer_id))
        .await?
        .ok_or(AppError::NotFound)?;
    let who = c.owner_id.or(assignee);
    let due = now.with_timezone(&app.tz()).date_naive() + Duration::days(p.after_complaint_days);
    let key = "task.title.complaint_callback";
    let args = vec![number.to_string()];
    let title = generated_title(Lang::Zh, key, &args);
    let args = serde_json::to_string(&args).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    repo::add_task(
        &txn,
        &NewTask {
            customer_id,
            assignee_id: who,
            kind: TaskKind::ComplaintCallback.as_str(),
            title: &title,
            title_key: Some(key),
            title_args: Some(&args),
            due_on: day_num(due),
            ticket_id: Some(ticket_id),
            created_by: None,
            now,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Makes the plan's tasks that are missing: each owned customer's next regular follow-up
/// by its value class (one open at a time), and a call for each customer the current
/// classification flags at risk that has none open. Idempotent. Returns how many.
pub async fn plan(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let p = policy_in_force(app).await?;
    let conn = &app.db.conn;
    let today = now.with_timezone(&app.tz()).date_naive();
    let run = consign_store::classification::current_run(conn, day_num(today)).await?;
    let verdicts = match &run {
        Some(r) => consign_store::classification::verdicts_of_run(conn, r.id).await?,
        None => Vec::new(),
    };
    let class: std::collections::HashMap<i64, ValueClass> = verdicts
        .iter()
        .filter_map(|v| ValueClass::parse(&v.value_class).map(|c| (v.customer_id, c)))
        .collect();
    let open_follow: std::collections::HashSet<i64> =
        repo::with_open(conn, TaskKind::FollowUp.as_str())
            .await?
            .into_iter()
            .collect();
    let customers = repo::owned_customers(conn).await?;
    let tz = app.tz();
    // (customer, owner, kind, the title's parameters, due)
    let mut batch: Vec<(i64, i64, TaskKind, Vec<String>, NaiveDate)> = Vec::new();
    for c in &customers {
        let vc = class.get(&c.id).copied().unwrap_or(ValueClass::C);
        if !open_follow.contains(&c.id) {
            let last = c
                .last_interaction_at
                .map(|t| t.with_timezone(&tz).date_naive());
            let due = p.next_due(vc, last, today);
            // Only what falls due within the next two weeks: the list stays a list.
            if due <= today + Duration::days(14) {
                batch.push((
                    c.id,
                    c.owner_id,
                    TaskKind::FollowUp,
                    vec![vc.as_str().to_uppercase()],
                    due,
                ));
            }
        }
    }
    let key = "task.title.follow_up";
    let planned: Vec<Planned> = batch
        .iter()
        .map(|(customer_id, owner, kind, args, due)| Planned {
            customer_id: *customer_id,
            assignee_id: Some(*owner),
            kind: *kind,
            title: generated_title(Lang::Zh, key, args),
            title_key: key,
            title_args: serde_json::to_string(args).unwrap_or_else(|_| "[]".into()),
            due: *due,
        })
        .collect();
    let made = add_planned(app, &planned, now).await?;
    Ok(made + plan_at_risk(app, now).await?)
}

/// A task the plan makes.
struct Planned<'a> {
    customer_id: i64,
    assignee_id: Option<i64>,
    kind: TaskKind,
    /// The title in Chinese (kept as written), its message key and parameters (JSON).
    title: String,
    title_key: &'a str,
    title_args: String,
    due: NaiveDate,
}

/// Writes the plan's tasks, 500 a transaction. Returns how many.
async fn add_planned(app: &App, tasks: &[Planned<'_>], now: DateTime<Utc>) -> Result<usize> {
    for chunk in tasks.chunks(500) {
        let txn = app.db.begin_write().await?;
        for t in chunk {
            repo::add_task(
                &txn,
                &NewTask {
                    customer_id: t.customer_id,
                    assignee_id: t.assignee_id,
                    kind: t.kind.as_str(),
                    title: &t.title,
                    title_key: Some(t.title_key),
                    title_args: Some(&t.title_args),
                    due_on: day_num(t.due),
                    ticket_id: None,
                    created_by: None,
                    now,
                },
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(tasks.len())
}

/// A call for every customer the current classification flags at risk that has none
/// open: to its owner, or for a pool customer to the policy's `pool_assignee` (else the
/// pool's team lead). Run after every classification, so the call is on a list as soon
/// as the flag is raised. Idempotent. Returns how many.
pub async fn plan_at_risk(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let p = policy_in_force(app).await?;
    let conn = &app.db.conn;
    let today = now.with_timezone(&app.tz()).date_naive();
    let Some(run) = consign_store::classification::current_run(conn, day_num(today)).await? else {
        return Ok(0);
    };
    let open: std::collections::HashSet<i64> = repo::with_open(conn, TaskKind::AtRisk.as_str())
        .await?
        .into_iter()
        .collect();
    let due: Vec<(i64, Option<i64>)> = repo::at_risk_of_run(conn, run.id)
        .await?
        .into_iter()
        .filter(|(c, _)| !open.contains(c))
        .collect();
    if due.is_empty() {
        return Ok(0);
    }
    let lead = if due.iter().any(|(_, o)| o.is_none()) {
        pool_lead(app, &p).await?
    } else {
        None
    };
    let title_key = "task.title.at_risk";
    let planned: Vec<Planned> = due
        .iter()
        .map(|(customer_id, owner)| Planned {
            customer_id: *customer_id,
            assignee_id: owner.or(lead),
            kind: TaskKind::AtRisk,
            title: Lang::Zh.t(title_key).to_string(),
            title_key,
            title_args: "[]".into(),
            due: today + Duration::days(p.at_risk_days),
        })
        .collect();
    add_planned(app, &planned, now).await
}

/// Who takes the pool's calls: the configured user while active, else the active
/// manager of the highest unit that has one (the lowest id among equals), else the
/// first active admin.
pub(crate) async fn pool_lead(app: &App, p: &FollowUpPolicy) -> Result<Option<i64>> {
    let conn = &app.db.conn;
    let users = consign_store::users::all_users(conn).await?;
    let active = |id: i64| users.iter().any(|u| u.id == id && !u.disabled);
    if let Some(id) = p.pool_assignee.filter(|id| active(*id)) {
        return Ok(Some(id));
    }
    let units = consign_store::users::units(conn).await?;
    let depth = |unit: i64| {
        units
            .iter()
            .find(|x| x.id == unit)
            .map_or(usize::MAX, |x| x.path.matches('/').count())
    };
    let pick = |role: &str| {
        users
            .iter()
            .filter(|u| !u.disabled && u.role == role)
            .min_by_key(|u| (depth(u.org_unit_id), u.id))
            .map(|u| u.id)
    };
    Ok(pick("manager").or_else(|| pick("admin")))
}
