//! Improvement actions (SPEC §6, PDCA): opened from a KPI, a SERVQUAL gap or a survey
//! answer with the figure they target and its baseline (the 90 days before), given an
//! owner, a plan, a due date and a check date, and moved through plan → do → check →
//! act → closed. The figure since the action started is measured against the baseline
//! whenever the action is read, and kept at the check step; open actions past their due
//! or check date are on the owner's task list.

mod measure;

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::kpis::GroupBy;
use crate::scope::{visibility, visible_customer};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_domain::classify::{day_date, day_num};
use consign_domain::customer::CustomerId;
use consign_domain::improvements::{metric, outcome, Better, Outcome, Source, Stage};
use consign_domain::role::Role;
use consign_domain::validate::{optional_text, required_day, required_text};
use consign_domain::FieldErrors;
use consign_store::improvements::{self as repo, ImprovementFilter, ImprovementRow};
use consign_store::scope::Visibility;
use serde::{Deserialize, Serialize};

pub use measure::Scope;

/// Days before an action is opened over which its baseline is measured.
pub const BASELINE_DAYS: i64 = 90;

/// Who may open an action on a segment or the whole company, and move anyone's.
pub fn leads(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Manager)
}

/// The SQL condition of the actions `actor` may see: those of customers within its scope,
/// its own, and (for admins, managers and read-only users) those of segments and the
/// company.
fn visible_condition(actor: &Actor, vis: &Visibility) -> (String, Vec<sea_orm::Value>) {
    let (scope, mut values) = vis.owner_condition("c.owner_id");
    let mut sql = format!("(i.customer_id IS NOT NULL AND {scope})");
    if actor.role.can_analyse() {
        sql += " OR i.customer_id IS NULL";
    }
    sql += " OR i.owner_id = ?";
    values.push(actor.user_id().into());
    (sql, values)
}

/// What an action targets and holds, as given.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImprovementNew)]
#[serde(deny_unknown_fields)]
pub struct ImprovementInput {
    #[schema(min_length = 1, pattern = r"\S")]
    pub title: String,
    /// A KPI's field name (`on_time_rate`, `damage_rate`, `csat` …) or `gap.<dimension>`.
    pub metric: String,
    /// `company`, `customer:<id>`, or `<segment>:<key>` (`value_class:a`, `grade:…`,
    /// `province:…`, `industry:…`, `service_mode:…`, `owner:<user name>`).
    pub scope: String,
    /// `kpi`, `gap`, `survey` or `manual` (default).
    #[serde(default)]
    pub source: String,
    /// The survey answer it was opened from.
    #[serde(default)]
    pub survey_id: String,
    /// The value aimed for (optional).
    #[serde(default)]
    pub goal: String,
    /// A user id; empty: the caller.
    #[serde(default)]
    pub owner_id: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub plan: String,
    /// YYYY-MM-DD.
    #[schema(value_type = chrono::NaiveDate)]
    pub due_on: String,
    /// When the figure is checked against the baseline, YYYY-MM-DD.
    #[schema(value_type = chrono::NaiveDate)]
    pub check_on: String,
}

/// One step of an action.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub from: Option<Stage>,
    pub to: Stage,
    pub note: String,
    /// The figure since the start, measured at this step.
    pub value: Option<f64>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Improvement)]
pub struct ImprovementView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub title: String,
    pub metric: String,
    /// The figure's message key.
    pub metric_label: String,
    pub better: Better,
    pub scope: String,
    /// The customer's or segment's name as shown (the company: None).
    pub scope_label: Option<String>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub customer_id: Option<i64>,
    pub source: Source,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub survey_id: Option<i64>,
    pub baseline: Option<f64>,
    pub baseline_from: NaiveDate,
    /// Exclusive.
    pub baseline_to: NaiveDate,
    pub goal: Option<f64>,
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub owner_id: i64,
    pub owner_name: Option<String>,
    pub plan: String,
    pub stage: Stage,
    pub started_on: NaiveDate,
    pub due_on: NaiveDate,
    pub check_on: NaiveDate,
    /// Open and past its due date.
    pub overdue: bool,
    /// Open, in plan or do, and its check date reached.
    pub check_due: bool,
    /// The figure measured when the action entered "check".
    pub check_value: Option<f64>,
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

fn date(d: i32, fallback: NaiveDate) -> NaiveDate {
    day_date(d).unwrap_or(fallback)
}

fn view(r: ImprovementRow, today: NaiveDate) -> Result<ImprovementView> {
    let m = metric(&r.metric).ok_or_else(|| AppError::internal(format!("metric {}", r.metric)))?;
    let stage = AppError::stored("improvements.stage", &r.stage, Stage::parse(&r.stage))?;
    let due_on = date(r.due_on, today);
    let check_on = date(r.check_on, today);
    let scope = match (&r.scope_key, r.scope_kind.as_str()) {
        (Some(k), kind) => format!("{kind}:{k}"),
        (None, kind) => kind.to_string(),
    };
    let scope_label = match r.scope_kind.as_str() {
        "customer" => r.customer_name.clone(),
        "company" => None,
        _ => r.scope_key.clone(),
    };
    Ok(ImprovementView {
        id: r.id,
        title: r.title,
        metric: r.metric,
        metric_label: m.label.to_string(),
        better: m.better,
        scope,
        scope_label,
        customer_id: r.customer_id,
        source: AppError::stored("improvements.source", &r.source, Source::parse(&r.source))?,
        survey_id: r.survey_id,
        baseline: r.baseline,
        baseline_from: date(r.baseline_from, today),
        baseline_to: date(r.baseline_to, today),
        goal: r.goal,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        plan: r.plan,
        overdue: stage.is_open() && due_on < today,
        check_due: matches!(stage, Stage::Plan | Stage::Do) && check_on <= today,
        stage,
        started_on: date(r.started_on, today),
        due_on,
        check_on,
        check_value: r.check_value,
        result: r.result,
        created_at: r.created_at,
        closed_at: r.closed_at,
    })
}

/// An action and where its figure stands since it started.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImprovementDetail {
    pub action: ImprovementView,
    /// The figure from the start to the check date (or to today, before it), and the
    /// window it was measured over (`to` exclusive).
    pub since_start: Option<f64>,
    pub since_from: NaiveDate,
    pub since_to: NaiveDate,
    pub outcome: Outcome,
    pub steps: Vec<StepView>,
    /// The stages the caller may move it to.
    pub next: Vec<Stage>,
}

/// Reads an action the actor may see.
async fn load(app: &App, actor: &Actor, id: i64) -> Result<ImprovementRow> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let r = repo::get(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = r.owner_id == actor.user_id();
    let seen = match r.customer_id {
        Some(c) => visible_customer(app, actor, CustomerId::trusted(c))
            .await
            .is_ok(),
        None => actor.role.can_analyse(),
    };
    if mine || seen {
        Ok(r)
    } else {
        Err(AppError::NotFound)
    }
}

/// The window "since the start": from the day the action started to its check date
/// (inclusive), or to today while the check date is ahead.
fn since_window(v: &ImprovementView, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let end = v.check_on.min(today) + Duration::days(1);
    (v.started_on, end.max(v.started_on + Duration::days(1)))
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ImprovementDetail> {
    let r = load(app, actor, id).await?;
    let today = app.today();
    let can_move = r.owner_id == actor.user_id() || leads(actor.role);
    let v = view(r, today)?;
    let scope = Scope::parse(&v.scope)?;
    let (from, to) = since_window(&v, today);
    let since = measure::value(app, &v.metric, &scope, from, to).await?;
    let m = metric(&v.metric).ok_or_else(|| AppError::internal("metric"))?;
    let steps = repo::steps(&app.db.conn, id)
        .await?
        .into_iter()
        .map(|s| {
            Ok(StepView {
                from: s.from_stage.as_deref().and_then(Stage::parse),
                to: AppError::stored(
                    "improvement_steps.to_stage",
                    &s.to_stage,
                    Stage::parse(&s.to_stage),
                )?,
                note: s.note,
                value: s.value,
                user_name: s.user_name,
                at: s.at,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ImprovementDetail {
        outcome: outcome(m.better, v.baseline, since),
        since_start: since,
        since_from: from,
        since_to: to,
        steps,
        next: if can_move {
            v.stage.next().to_vec()
        } else {
            Vec::new()
        },
        action: v,
    })
}

/// Opens an action: the figure's baseline over the 90 days before today is measured and
/// kept; audited.
pub async fn create(app: &App, actor: &Actor, input: &ImprovementInput) -> Result<ImprovementView> {
    create_at(app, actor, input, app.today(), Utc::now()).await
}

/// [`create`] as of a day (the demo's history).
pub(crate) async fn create_at(
    app: &App,
    actor: &Actor,
    input: &ImprovementInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ImprovementView> {
    if !actor.role.handles_tickets() {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let title = e.check("title", required_text(&input.title, 200));
    let plan = e.check("plan", required_text(&input.plan, 4000));
    let m = metric(input.metric.trim());
    if m.is_none() {
        e.add("metric", "err.invalid_choice");
    }
    let scope = match Scope::parse(input.scope.trim()) {
        Ok(s) => Some(s),
        Err(_) => {
            e.add("scope", "err.invalid_choice");
            None
        }
    };
    let source = match input.source.trim() {
        "" => Some(Source::Manual),
        s => Source::parse(s),
    };
    if source.is_none() {
        e.add("source", "err.invalid_choice");
    }
    let goal = match input.goal.trim() {
        "" => None,
        g => match g.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(x),
            _ => {
                e.add("goal", "err.invalid_number");
                None
            }
        },
    };
    let due = e.check("due_on", required_day(&input.due_on));
    let check = e.check("check_on", required_day(&input.check_on));
    if due.is_some_and(|d| d < today) {
        e.add("due_on", "err.improvement_past");
    }
    if check.is_some_and(|d| d <= today) {
        e.add("check_on", "err.improvement_check");
    }
    let survey_id = match input.survey_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                e.add("survey_id", "err.invalid_choice");
                None
            }
        },
    };
    let owner = match input.owner_id.trim() {
        "" => Some(actor.user_id()),
        o => match o.parse::<i64>() {
            Ok(id)
                if crate::users::ticket_handlers(app)
                    .await?
                    .iter()
                    .any(|u| u.id == id) =>
            {
                Some(id)
            }
            _ => {
                e.add("owner_id", "err.invalid_choice");
                None
            }
        },
    };
    // Who may target what: a customer in scope, or (managers, admins) a segment or all.
    let customer_id = match &scope {
        Some(Scope::Customer(id)) => {
            match visible_customer(app, actor, CustomerId::trusted(*id)).await {
                Ok(c) => Some(c.id),
                Err(AppError::NotFound) => {
                    e.add("scope", "err.invalid_choice");
                    None
                }
                Err(x) => return Err(x),
            }
        }
        Some(_) if !leads(actor.role) => return Err(AppError::Forbidden),
        _ => None,
    };
    if let (Some(m), Some(s)) = (&m, &scope) {
        if m.of.is_none() && matches!(s, Scope::Segment(..)) {
            e.add("scope", "err.improvement_gap_scope");
        }
    }
    if let Some(sid) = survey_id {
        let ok = match consign_store::surveys::get(&app.db.conn, sid).await? {
            Some(s) => {
                Some(s.customer_id) == customer_id || customer_id.is_none() && leads(actor.role)
            }
            None => false,
        };
        if !ok {
            e.add("survey_id", "err.invalid_choice");
        }
    }
    e.into_result()?;
    let (
        Some(title),
        Some(plan),
        Some(m),
        Some(scope),
        Some(source),
        Some(due),
        Some(check),
        Some(owner),
    ) = (title, plan, m, scope, source, due, check, owner)
    else {
        return Err(AppError::internal("validated action incomplete"));
    };
    let base_from = today - Duration::days(BASELINE_DAYS);
    let baseline = measure::value(app, m.key, &scope, base_from, today).await?;
    let (kind, key) = scope.parts();
    let txn = app.db.begin_write().await?;
    let id = repo::add(
        &txn,
        &repo::NewImprovement {
            title: &title,
            metric: m.key,
            scope_kind: kind,
            scope_key: key.as_deref(),
            customer_id,
            source: source.as_str(),
            survey_id,
            baseline,
            baseline_from: day_num(base_from),
            baseline_to: day_num(today),
            goal,
            owner_id: owner,
            plan: &plan,
            started_on: day_num(today),
            due_on: day_num(due),
            check_on: day_num(check),
            created_by: actor.id,
            now,
        },
    )
    .await?;
    record(
        &txn,
        actor,
        Recorded {
            id,
            customer_id,
            title: &title,
            from: None,
            to: Stage::Plan,
            note: &plan,
            value: baseline,
            audit: "improvement.create",
            after: serde_json::json!({
                "metric": m.key, "scope": scope.to_string(), "baseline": baseline,
                "owner_id": owner, "due_on": due.to_string(), "check_on": check.to_string(),
            }),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    let r = repo::get(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    view(r, app.today())
}

/// A step as kept: the step row and its audit entry, in the caller's transaction.
struct Recorded<'a> {
    id: i64,
    customer_id: Option<i64>,
    title: &'a str,
    from: Option<Stage>,
    to: Stage,
    note: &'a str,
    /// The figure measured at the step.
    value: Option<f64>,
    audit: &'static str,
    after: serde_json::Value,
}

async fn record<C: consign_store::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    r: Recorded<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let from = r.from.map(Stage::as_str);
    repo::add_step(
        txn,
        r.id,
        from,
        r.to.as_str(),
        r.note,
        r.value,
        actor.id,
        now,
    )
    .await?;
    audit::record(
        txn,
        actor,
        Entry {
            action: r.audit,
            entity_type: "improvement",
            entity_id: r.id.to_string(),
            customer_id: r.customer_id,
            summary: Some(r.title.to_string()),
            said: None,
            before: from.map(|f| serde_json::json!({ "stage": f })),
            after: Some(r.after),
        },
    )
    .await?;
    Ok(())
}

/// A move to another stage, with what was done or learned.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ImprovementStep)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    #[schema(value_type = consign_domain::improvements::Stage)]
    pub stage: String,
    #[serde(default)]
    pub note: String,
}

/// Moves an action on (its owner, managers and admins): entering "do" the first time
/// starts the measured period; entering "check" keeps the figure since the start; closing
/// keeps the note as the result. Audited with the step.
pub async fn move_to(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &StageInput,
) -> Result<ImprovementDetail> {
    move_at(app, actor, id, input, app.today(), Utc::now()).await
}

/// [`move_to`] as of a day (the demo's history).
pub(crate) async fn move_at(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &StageInput,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ImprovementDetail> {
    let r = load(app, actor, id).await?;
    if r.owner_id != actor.user_id() && !leads(actor.role) {
        return Err(AppError::Forbidden);
    }
    let v = view(r, today)?;
    let mut e = FieldErrors::new();
    let note = e.check("note", optional_text(&input.note, 4000)).flatten();
    let to = Stage::parse(&input.stage);
    match to {
        None => e.add("stage", "err.invalid_choice"),
        Some(t) if !v.stage.next().contains(&t) => e.add("stage", "err.improvement_stage"),
        _ => {}
    }
    if to == Some(Stage::Closed) && note.is_none() {
        e.add("note", "err.improvement_result");
    }
    e.into_result()?;
    let to = to.ok_or_else(|| AppError::internal("stage"))?;
    let first_do = v.stage == Stage::Plan && to == Stage::Do;
    let started = if first_do { today } else { v.started_on };
    let scope = Scope::parse(&v.scope)?;
    let mut measured = v.clone();
    measured.started_on = started;
    let (from, until) = since_window(&measured, today);
    let value = measure::value(app, &v.metric, &scope, from, until).await?;
    let txn = app.db.begin_write().await?;
    let moved = repo::move_stage(
        &txn,
        id,
        &repo::Move {
            from: v.stage.as_str(),
            to: to.as_str(),
            started_on: first_do.then_some(day_num(today)),
            check_value: (to == Stage::Check).then_some(value),
            result: (to == Stage::Closed).then_some(note.as_deref().unwrap_or("")),
            now,
        },
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict {
            field: "stage".into(),
            code: "err.improvement_changed",
        });
    }
    record(
        &txn,
        actor,
        Recorded {
            id,
            customer_id: v.customer_id,
            title: &v.title,
            from: Some(v.stage),
            to,
            note: note.as_deref().unwrap_or(""),
            value,
            audit: "improvement.step",
            after: serde_json::json!({"stage": to.as_str(), "value": value}),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}

/// Which actions to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImprovementQuery {
    /// `open`, `overdue`, or a stage (`plan`, `do`, `check`, `act`, `closed`).
    pub stage: Option<String>,
    /// `me`: the caller's own.
    pub owner: Option<String>,
    pub customer_id: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImprovementPage {
    pub items: Vec<ImprovementView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl ImprovementPage {
    pub fn pages(&self) -> u64 {
        consign_domain::params::pages(self.total, self.per_page)
    }
}

/// The actions the actor may see, open ones first by due date.
pub async fn list(app: &App, actor: &Actor, q: &ImprovementQuery) -> Result<ImprovementPage> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let vis = visibility(app, actor).await?;
    let mut e = FieldErrors::new();
    let stage = q.stage.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if stage.is_some_and(|s| s != "open" && s != "overdue" && Stage::parse(s).is_none()) {
        e.add("stage", "err.invalid_choice");
    }
    let owner_id = match q.owner.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("me") => Some(actor.user_id()),
        Some(_) => {
            e.add("owner", "err.invalid_choice");
            None
        }
    };
    let customer_id = match q.customer_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match c.parse::<i64>() {
            Ok(id) => Some(
                visible_customer(app, actor, CustomerId::trusted(id))
                    .await?
                    .id,
            ),
            Err(_) => return Err(AppError::NotFound),
        },
    };
    e.into_result()?;
    let today = app.today();
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let (cond, values) = visible_condition(actor, &vis);
    let (rows, total) = repo::list(
        &app.db.conn,
        (&cond, values),
        &ImprovementFilter {
            owner_id,
            customer_id,
            stage: stage.map(str::to_string),
            today: day_num(today),
            page,
            per_page,
        },
    )
    .await?;
    Ok(ImprovementPage {
        items: rows
            .into_iter()
            .map(|r| view(r, today))
            .collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// The actor's own open actions that need it now: past their due date, or at their
/// check date while still in plan or do (for its task list).
pub async fn due_of(app: &App, actor: &Actor) -> Result<Vec<ImprovementView>> {
    let today = app.today();
    let (rows, _) = repo::list(
        &app.db.conn,
        ("1=1", Vec::new()),
        &ImprovementFilter {
            owner_id: Some(actor.user_id()),
            stage: Some("open".into()),
            today: day_num(today),
            page: 1,
            per_page: 200,
            ..Default::default()
        },
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| view(r, today))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|v| v.overdue || v.check_due)
        .collect())
}

/// The segments an action can target, for a form's choices.
pub fn segment_kinds() -> &'static [GroupBy] {
    &GroupBy::SEGMENTS
}
