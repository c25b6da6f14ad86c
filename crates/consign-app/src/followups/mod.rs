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
use consign_domain::classify::{day_date, day_num};
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
    /// The caller's improvement actions past their due date or at their check date.
    pub improvements: Vec<crate::improvements::ImprovementView>,
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
        improvements: if group.is_none() {
            crate::improvements::due_of(app, actor).await?
        } else {
            Vec::new()
        },
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

mod plan;
pub use plan::*;
