//! Follow-ups (SPEC §5): the interaction log on the customer's timeline, follow-up
//! tasks on each user's list (today, overdue, upcoming), and the plan that makes them:
//! regular visits by value class, a callback after every closed complaint, a call to
//! every customer flagged at risk. Completing a task logs the interaction that did it.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::Page;
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_domain::classify::{day_date, day_num, ValueClass};
use consign_domain::customer::CustomerId;
use consign_domain::followup::{Due, FollowUpPolicy, InteractionKind, TaskKind, TaskStatus};
use consign_domain::role::Role;
use consign_domain::validate::{optional_text, required_text};
use consign_domain::{FieldErrors, Lang};
use consign_store::followups::{
    self as repo, InteractionRow, NewInteraction, NewTask, TaskFilter, TaskRow,
};
use serde::{Deserialize, Serialize};

/// Settings key of the follow-up policy (JSON); absent: the defaults.
pub const POLICY_FOLLOWUP: &str = "policy.followup";

/// The follow-up policy, for staff.
pub async fn policy(app: &App, actor: &Actor) -> Result<FollowUpPolicy> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    policy_in_force(app).await
}

pub(crate) async fn policy_in_force(app: &App) -> Result<FollowUpPolicy> {
    crate::policies::load(app, POLICY_FOLLOWUP).await
}

/// Stores a follow-up policy (admins), audited.
pub async fn set_policy(app: &App, actor: &Actor, p: &FollowUpPolicy) -> Result<FollowUpPolicy> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let bad = p.validate();
    let mut e = FieldErrors::new();
    for f in bad {
        e.add(f, "err.followup_days");
    }
    if let Some(id) = p.pool_assignee {
        let u = consign_store::users::user(&app.db.conn, id).await?;
        if u.is_none_or(|u| u.disabled) {
            e.add("pool_assignee", "err.unknown_user");
        }
    }
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let before = policy_in_force(app).await?;
    crate::policies::store(app, actor, POLICY_FOLLOWUP, &before, p).await?;
    Ok(p.clone())
}

// ---- interactions ----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    #[schema(value_type = consign_domain::followup::InteractionKind)]
    pub kind: String,
    /// When it happened (company time, YYYY-MM-DD HH:MM); empty: now.
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub contact_id: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub summary: String,
    #[serde(default)]
    pub next_step: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Interaction)]
pub struct InteractionView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub kind: InteractionKind,
    pub at: DateTime<Utc>,
    pub contact_name: Option<String>,
    pub user_name: Option<String>,
    pub summary: String,
    pub next_step: Option<String>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub task_id: Option<i64>,
}

fn interaction_view(r: InteractionRow) -> Result<InteractionView> {
    Ok(InteractionView {
        id: r.id,
        kind: AppError::stored(
            "interactions.kind",
            &r.kind,
            InteractionKind::parse(&r.kind),
        )?,
        at: r.at,
        contact_name: r.contact_name,
        user_name: r.user_name,
        summary: r.summary,
        next_step: r.next_step,
        task_id: r.task_id,
    })
}

/// Who may log interactions with a customer: whoever may work its tickets or edit it.
fn can_log(role: Role) -> bool {
    role.handles_tickets()
}

struct Checked {
    kind: InteractionKind,
    at: DateTime<Utc>,
    contact_id: Option<i64>,
    summary: String,
    next_step: Option<String>,
}

async fn check(
    app: &App,
    customer_id: CustomerId,
    input: &InteractionInput,
    now: DateTime<Utc>,
) -> Result<Checked> {
    let mut e = FieldErrors::new();
    let kind = InteractionKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "err.invalid_choice");
    }
    let summary = e.check("summary", required_text(&input.summary, 4000));
    let next_step = e
        .check("next_step", optional_text(&input.next_step, 1000))
        .flatten();
    let at = if input.at.trim().is_empty() {
        now
    } else {
        match consign_domain::ops::parse_local_datetime(&input.at, app.tz()) {
            Ok(t) if t > now + Duration::minutes(5) => {
                e.add("at", "err.in_future");
                now
            }
            Ok(t) => t,
            Err(k) => {
                e.add("at", k);
                now
            }
        }
    };
    let mut contact_id = None;
    if !input.contact_id.trim().is_empty() {
        let contacts = consign_store::customers::contacts_of(&app.db.conn, customer_id).await?;
        match input.contact_id.trim().parse::<i64>() {
            Ok(id) if contacts.iter().any(|k| k.id == id) => contact_id = Some(id),
            _ => e.add("contact_id", "err.contact_not_of_customer"),
        }
    }
    e.into_result()?;
    let (Some(kind), Some(summary)) = (kind, summary) else {
        return Err(AppError::internal("validated interaction incomplete"));
    };
    Ok(Checked {
        kind,
        at,
        contact_id,
        summary,
        next_step,
    })
}

/// Writes a checked interaction in `txn`: the log, the customer's last follow-up when its
/// owner made it, and the audit entry that puts it on the timeline.
async fn write_interaction<C: consign_store::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    c: &consign_store::entity::customer::Model,
    x: &Checked,
    task_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = repo::add_interaction(
        txn,
        &NewInteraction {
            customer_id: c.id,
            contact_id: x.contact_id,
            user_id: actor.id,
            kind: x.kind.as_str(),
            at: x.at,
            summary: &x.summary,
            next_step: x.next_step.as_deref(),
            ticket_id: None,
            task_id,
            now,
        },
    )
    .await?;
    if c.owner_id.is_some() && c.owner_id == actor.id {
        repo::touch_customer(txn, c.cid(), x.at).await?;
    }
    audit::record(
        txn,
        actor,
        Entry {
            action: "interaction.log",
            entity_type: "interaction",
            entity_id: id.to_string(),
            customer_id: Some(c.id),
            summary: Some(x.summary.chars().take(120).collect()),
            said: None,
            before: None,
            after: Some(serde_json::json!({
                "interaction": x.kind.as_str(),
                "next_step": x.next_step,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// Logs a call, visit, e-mail, meeting or WeChat exchange with a customer in scope.
pub async fn log(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &InteractionInput,
) -> Result<InteractionView> {
    if !can_log(actor.role) {
        return Err(AppError::Forbidden);
    }
    let c = visible_customer(app, actor, customer_id).await?;
    let now = Utc::now();
    let x = check(app, c.cid(), input, now).await?;
    let txn = app.db.begin_write().await?;
    let id = write_interaction(&txn, actor, &c, &x, None, now).await?;
    txn.commit().await?;
    let (rows, _) = repo::interactions_of(&app.db.conn, c.cid(), 1, 20).await?;
    rows.into_iter()
        .find(|r| r.id == id)
        .map(interaction_view)
        .ok_or(AppError::NotFound)?
}

pub async fn interactions(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    page: u64,
) -> Result<Page<InteractionView>> {
    let c = visible_customer(app, actor, customer_id).await?;
    let per_page = 20;
    let (rows, total) = repo::interactions_of(&app.db.conn, c.cid(), page, per_page).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(interaction_view)
            .collect::<Result<_>>()?,
        total,
        page: page.max(1),
        per_page,
    })
}

// ---- tasks ----

/// The language a use case writes generated text in for `actor` (its account's).
fn actor_lang(actor: &Actor) -> Lang {
    actor.lang.unwrap_or(Lang::Zh)
}

/// A generated task title in `lang`: its key with its parameters.
pub fn generated_title(lang: Lang, key: &str, args: &[String]) -> String {
    let args: Vec<&dyn std::fmt::Display> =
        args.iter().map(|a| a as &dyn std::fmt::Display).collect();
    lang.tf(key, &args)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Task)]
pub struct TaskView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    #[schema(value_type = String)]
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub assignee_name: Option<String>,
    pub kind: TaskKind,
    /// The title as written, or a generated one in the actor's language.
    pub title: String,
    /// A generated title's message key and parameters, to show it in the reader's
    /// language (None for a title written by a person).
    pub title_key: Option<String>,
    pub title_args: Vec<String>,
    pub due_on: NaiveDate,
    pub due: Due,
    pub status: TaskStatus,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub ticket_id: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
}

fn task_view(r: TaskRow, today: NaiveDate, lang: Lang) -> Result<TaskView> {
    let due_on = day_date(r.due_on).unwrap_or(today);
    let title_args: Vec<String> = match &r.title_args {
        Some(a) => serde_json::from_str(a).map_err(AppError::from_err)?,
        None => Vec::new(),
    };
    let title = match &r.title_key {
        Some(k) => generated_title(lang, k, &title_args),
        None => r.title.clone(),
    };
    Ok(TaskView {
        id: r.id,
        customer_id: CustomerId::trusted(r.customer_id),
        customer_code: r.customer_code,
        customer_name: r.customer_name,
        assignee_name: r.assignee_name,
        kind: AppError::stored("tasks.kind", &r.kind, TaskKind::parse(&r.kind))?,
        title,
        title_key: r.title_key,
        title_args,
        due: Due::of(due_on, today),
        due_on,
        status: AppError::stored("tasks.status", &r.status, TaskStatus::parse(&r.status))?,
        ticket_id: r.ticket_id,
        done_at: r.done_at,
    })
}

/// A user's task list: overdue, due today, and the next `upcoming_days` days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskList {
    pub overdue: Vec<TaskView>,
    pub today: Vec<TaskView>,
    pub upcoming: Vec<TaskView>,
    pub today_date: NaiveDate,
    /// Each group's whole count; a group lists at most `per_page` of them.
    pub overdue_total: u64,
    pub today_total: u64,
    pub upcoming_total: u64,
    /// The one group being paged through, if any (the others then list nothing).
    #[schema(value_type = Option<consign_domain::followup::Due>)]
    pub group: Option<&'static str>,
    pub page: u64,
    pub per_page: u64,
}

/// Tasks a group lists (a page, when one group is paged through).
pub const TASKS_PER_GROUP: u64 = 100;

/// A task list's groups: overdue, today, upcoming.
pub const TASK_GROUPS: [&str; 3] = ["overdue", "today", "upcoming"];

/// The actor's open tasks in three groups, oldest due first: overdue, due today, and due
/// in the next `upcoming_days`. Each group gives its whole count and its first
/// [`TASKS_PER_GROUP`]; with `group`, only that group is listed, at `page`.
pub async fn my_tasks(
    app: &App,
    actor: &Actor,
    upcoming_days: i64,
    group: Option<&str>,
    page: u64,
) -> Result<TaskList> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    let group = match group.map(str::trim).filter(|g| !g.is_empty()) {
        None => None,
        Some(g) => Some(
            *TASK_GROUPS
                .iter()
                .find(|x| **x == g)
                .ok_or_else(|| AppError::field("group", "err.invalid_choice"))?,
        ),
    };
    let t = app.today();
    let today_num = day_num(t);
    let tomorrow = day_num(t + Duration::days(1));
    let until = day_num(t + Duration::days(upcoming_days.clamp(1, 366) + 1));
    let mut list = TaskList {
        overdue: Vec::new(),
        today: Vec::new(),
        upcoming: Vec::new(),
        today_date: t,
        overdue_total: 0,
        today_total: 0,
        upcoming_total: 0,
        group,
        page: page.max(1),
        per_page: TASKS_PER_GROUP,
    };
    for (name, from, before) in [
        ("overdue", None, today_num),
        ("today", Some(today_num), tomorrow),
        ("upcoming", Some(tomorrow), until),
    ] {
        let listed = group.is_none_or(|g| g == name);
        let (rows, total) = repo::tasks(
            &app.db.conn,
            &TaskFilter {
                assignee_id: Some(actor.user_id()),
                status: Some(TaskStatus::Open.as_str().into()),
                due_from: from,
                due_before: Some(before),
                page: if group.is_some() { list.page } else { 1 },
                per_page: if listed { TASKS_PER_GROUP } else { 0 },
                ..Default::default()
            },
        )
        .await?;
        let views = rows
            .into_iter()
            .map(|r| task_view(r, t, actor_lang(actor)))
            .collect::<Result<_>>()?;
        match name {
            "overdue" => (list.overdue, list.overdue_total) = (views, total),
            "today" => (list.today, list.today_total) = (views, total),
            _ => (list.upcoming, list.upcoming_total) = (views, total),
        }
    }
    Ok(list)
}

/// A customer's open tasks (for its page).
pub async fn tasks_of_customer(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
) -> Result<Vec<TaskView>> {
    let c = visible_customer(app, actor, customer_id).await?;
    let (rows, _) = repo::tasks(
        &app.db.conn,
        &TaskFilter {
            customer_id: Some(c.id),
            status: Some(TaskStatus::Open.as_str().into()),
            page: 1,
            per_page: 50,
            ..Default::default()
        },
    )
    .await?;
    let t = app.today();
    rows.into_iter()
        .map(|r| task_view(r, t, actor_lang(actor)))
        .collect()
}

async fn load_task(
    app: &App,
    actor: &Actor,
    id: i64,
) -> Result<(TaskRow, consign_store::entity::customer::Model)> {
    let t = repo::task(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = visible_customer(app, actor, CustomerId::trusted(t.customer_id)).await?;
    // A task is its assignee's; managers and admins may close their people's too.
    if t.assignee_id != actor.id && !matches!(actor.role, Role::Admin | Role::Manager) {
        return Err(AppError::NotFound);
    }
    Ok((t, c))
}

/// Completes a task by logging the interaction that did it.
pub async fn complete(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &InteractionInput,
) -> Result<TaskView> {
    let (t, c) = load_task(app, actor, id).await?;
    if t.status != TaskStatus::Open.as_str() {
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.task_not_open",
        });
    }
    let now = Utc::now();
    let x = check(app, c.cid(), input, now).await?;
    let txn = app.db.begin_write().await?;
    let iid = write_interaction(&txn, actor, &c, &x, Some(id), now).await?;
    if !repo::finish_task(&txn, id, TaskStatus::Done.as_str(), Some(iid), now).await? {
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.task_not_open",
        });
    }
    txn.commit().await?;
    let t = repo::task(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    task_view(t, app.today(), actor_lang(actor))
}

/// A task someone adds by hand (a promised call back, a visit to arrange).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    #[schema(min_length = 1, pattern = r"\S")]
    pub title: String,
    /// YYYY-MM-DD.
    #[schema(value_type = chrono::NaiveDate)]
    pub due_on: String,
    /// A user id; empty: the caller.
    #[serde(default)]
    pub assignee_id: String,
}

pub async fn add(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &TaskInput,
) -> Result<TaskView> {
    if !can_log(actor.role) {
        return Err(AppError::Forbidden);
    }
    let c = visible_customer(app, actor, customer_id).await?;
    let mut e = FieldErrors::new();
    let title = e.check("title", required_text(&input.title, 200));
    let due = match NaiveDate::parse_from_str(input.due_on.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            e.add("due_on", "err.date_format");
            None
        }
    };
    let assignee = if input.assignee_id.trim().is_empty() {
        actor.id
    } else {
        match input.assignee_id.trim().parse::<i64>() {
            Ok(a)
                if crate::users::ticket_handlers(app)
                    .await?
                    .iter()
                    .any(|x| x.id == a) =>
            {
                Some(a)
            }
            _ => {
                e.add("assignee_id", "err.invalid_choice");
                None
            }
        }
    };
    e.into_result()?;
    let (Some(title), Some(due)) = (title, due) else {
        return Err(AppError::internal("validated task incomplete"));
    };
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let id = repo::add_task(
        &txn,
        &NewTask {
            customer_id: c.id,
            assignee_id: assignee,
            kind: TaskKind::Manual.as_str(),
            title: &title,
            title_key: None,
            title_args: None,
            due_on: day_num(due),
            ticket_id: None,
            created_by: actor.id,
            now,
        },
    )
    .await?;
    txn.commit().await?;
    let t = repo::task(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    task_view(t, app.today(), actor_lang(actor))
}

// ---- the plan ----

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
