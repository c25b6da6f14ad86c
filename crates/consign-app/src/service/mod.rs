//! The service desk (SPEC §4): tickets of the customers in scope, the seed's complaint
//! workflow with every step recorded, SLA deadlines from the policy, escalation of
//! breaches to the assignee's manager, and attachments.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use consign_domain::classify::{day_num, Grade, ValueClass};
use consign_domain::ops::{format_fen, parse_fen, waybill_no};
use consign_domain::params;
use consign_domain::role::{Role, Scope};
use consign_domain::service::{
    Action, Channel, RootCause, Severity, SlaPolicy, Status, TicketKind,
};
use consign_domain::validate::{optional_text, required_text};
use consign_domain::FieldErrors;
use consign_store::entity::customer;
use consign_store::service::{
    self as repo, EventRow, NewEvent, NewTicket, TicketChange, TicketFilter, TicketRow, TicketSort,
};
/// The rows a ticket's detail carries, as the store reads them.
pub use consign_store::service::{AttachmentRow, TicketShipment};
use serde::{Deserialize, Serialize};

/// Settings key of the SLA policy (JSON); absent: the defaults.
pub const POLICY_SLA: &str = "policy.sla";
/// Largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments per ticket.
pub const MAX_ATTACHMENTS: usize = 20;

/// May register and work tickets (of customers in scope).
pub fn can_handle(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Manager | Role::AccountManager | Role::ServiceAgent
    )
}

/// Which customers' tickets a user sees: an account manager only its own customers'
/// (not the pool's); everyone else as far as it sees customers.
async fn ticket_scope(app: &App, actor: &Actor) -> Result<(Option<Vec<i64>>, bool)> {
    match actor.role.customer_scope() {
        Scope::All => Ok((None, true)),
        Scope::Own => Ok((Some(vec![actor.user_id()]), false)),
        Scope::Unit => {
            let ids =
                consign_store::users::user_ids_in_subtree(&app.db.conn, &actor.unit_path).await?;
            Ok((Some(ids), true))
        }
        Scope::None => Err(AppError::Forbidden),
    }
}

fn in_scope(scope: &(Option<Vec<i64>>, bool), owner: Option<i64>) -> bool {
    match (&scope.0, owner) {
        (None, _) => true,
        (Some(ids), Some(o)) => ids.contains(&o),
        (Some(_), None) => scope.1,
    }
}

// ---- policy ----

pub async fn sla_policy(app: &App) -> Result<SlaPolicy> {
    crate::policies::load(app, POLICY_SLA).await
}

/// Stores a new SLA policy (admins), after checking every field; audited. Deadlines of
/// tickets already open stay as they were given.
pub async fn set_sla_policy(app: &App, actor: &Actor, p: &SlaPolicy) -> Result<SlaPolicy> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let problems = p.validate();
    if !problems.is_empty() {
        let mut e = FieldErrors::new();
        for x in problems {
            e.add(x.field, x.key);
        }
        return Err(AppError::Validation(e));
    }
    let before = sla_policy(app).await?;
    crate::policies::store(app, actor, POLICY_SLA, &before, p).await?;
    Ok(p.clone())
}

// ---- views ----

#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub number: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub severity: Severity,
    pub status: Status,
    #[serde(serialize_with = "crate::ser::id")]
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    #[serde(serialize_with = "crate::ser::opt_id")]
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub subject: String,
    pub description: String,
    /// The customer's value class and grade when the ticket was registered (they set
    /// its deadlines).
    pub value_class: Option<String>,
    pub grade: Option<String>,
    pub claimed: Option<String>,
    pub settled: Option<String>,
    pub responsible_party: Option<String>,
    pub root_cause: Option<RootCause>,
    pub resolution: Option<String>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// First response late (given late, or still missing past its deadline).
    pub response_breached: bool,
    /// Resolution late (reached late, or still missing past its deadline).
    pub resolution_breached: bool,
    pub escalated: bool,
    pub reopened: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TicketView {
    pub fn breached(&self) -> bool {
        self.response_breached || self.resolution_breached
    }
}

fn view(r: TicketRow, now: DateTime<Utc>) -> TicketView {
    let response_breached = r.first_response_at.unwrap_or(now) > r.first_response_due
        && !(r.first_response_at.is_none() && r.closed_at.is_some());
    let resolution_breached = match (r.resolved_at, r.closed_at) {
        (Some(at), _) => at > r.resolution_due,
        (None, Some(_)) => false,
        (None, None) => now > r.resolution_due,
    };
    TicketView {
        id: r.id,
        number: r.number,
        kind: TicketKind::parse(&r.kind).unwrap_or(TicketKind::Inquiry),
        channel: Channel::parse(&r.channel).unwrap_or(Channel::Phone),
        severity: Severity::parse(&r.severity).unwrap_or(Severity::Normal),
        status: Status::parse(&r.status).unwrap_or(Status::Registered),
        customer_id: r.customer_id,
        customer_code: r.customer_code,
        customer_name: r.customer_name,
        contact_id: r.contact_id,
        contact_name: r.contact_name,
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_name,
        subject: r.subject,
        description: r.description,
        value_class: r.value_class,
        grade: r.grade,
        claimed: r.claimed_fen.map(format_fen),
        settled: r.settled_fen.map(format_fen),
        responsible_party: r.responsible_party,
        root_cause: r.root_cause.as_deref().and_then(RootCause::parse),
        resolution: r.resolution,
        first_response_due: r.first_response_due,
        resolution_due: r.resolution_due,
        first_response_at: r.first_response_at,
        resolved_at: r.resolved_at,
        closed_at: r.closed_at,
        response_breached,
        resolution_breached,
        escalated: r.response_escalated_at.is_some() || r.resolution_escalated_at.is_some(),
        reopened: r.reopened as i64,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub note: String,
    pub detail: serde_json::Value,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

fn event_view(e: EventRow) -> EventView {
    EventView {
        action: e.action,
        from_status: e.from_status.as_deref().and_then(Status::parse),
        to_status: e.to_status.as_deref().and_then(Status::parse),
        note: e.note,
        detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        actor_name: e.actor_name,
        at: e.at,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketDetail {
    pub ticket: TicketView,
    pub events: Vec<EventView>,
    pub shipments: Vec<TicketShipment>,
    pub attachments: Vec<AttachmentRow>,
    /// The workflow steps the caller may take now.
    pub actions: Vec<Action>,
    pub can_work: bool,
}

/// A user a ticket can be given to.
#[derive(Debug, Clone, Serialize)]
pub struct Assignee {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// Active users who handle tickets, by name.
pub async fn assignees(app: &App) -> Result<Vec<Assignee>> {
    let mut out: Vec<Assignee> = consign_store::users::all_users(&app.db.conn)
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .filter_map(|u| {
            let role = Role::parse(&u.role)?;
            can_handle(role).then_some(Assignee {
                id: u.id,
                name: u.display_name,
                role,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

async fn load(app: &App, actor: &Actor, id: i64) -> Result<TicketRow> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    let scope = ticket_scope(app, actor).await?;
    let t = repo::get(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !in_scope(&scope, t.owner_id) {
        return Err(AppError::NotFound);
    }
    Ok(t)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<TicketDetail> {
    let t = load(app, actor, id).await?;
    detail(app, actor, t).await
}

pub async fn get_by_number(app: &App, actor: &Actor, number: &str) -> Result<TicketDetail> {
    let id = repo::id_by_number(&app.db.conn, number)
        .await?
        .ok_or(AppError::NotFound)?;
    get(app, actor, id).await
}

async fn detail(app: &App, actor: &Actor, t: TicketRow) -> Result<TicketDetail> {
    let conn = &app.db.conn;
    let (events, shipments, attachments) = tokio::try_join!(
        repo::events_of(conn, t.id),
        repo::shipments_of(conn, t.id),
        repo::attachments_of(conn, t.id),
    )?;
    let ticket = view(t, Utc::now());
    let can_work = can_handle(actor.role);
    Ok(TicketDetail {
        actions: if can_work {
            Action::allowed(ticket.status)
        } else {
            Vec::new()
        },
        can_work,
        ticket,
        events: events.into_iter().map(event_view).collect(),
        shipments,
        attachments,
    })
}

// ---- list ----

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct TicketQuery {
    pub status: Option<String>,
    /// "1": only tickets not closed.
    pub open: Option<String>,
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub channel: Option<String>,
    pub root_cause: Option<String>,
    /// A user id, "me", or "none" (unassigned).
    pub assignee: Option<String>,
    /// "1": past a deadline now.
    pub breached: Option<String>,
    pub customer_id: Option<String>,
    /// Created on or after (YYYY-MM-DD, company time).
    pub from: Option<String>,
    /// Created before (YYYY-MM-DD, company time, that day excluded).
    pub to: Option<String>,
    pub q: Option<String>,
    /// newest (default), oldest, due.
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filters a query asks for, checked: a bad value is a field error, not an empty
/// list.
pub async fn filter(app: &App, actor: &Actor, q: &TicketQuery) -> Result<TicketFilter> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    let (owners, pool) = ticket_scope(app, actor).await?;
    let mut e = FieldErrors::new();
    let mut f = TicketFilter {
        owners,
        pool,
        ..Default::default()
    };
    f.open_only = e
        .check("open", params::flag(q.open.as_deref()))
        .unwrap_or(false);
    if let Some(s) = some(&q.status) {
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Status::parse(part) {
                Some(st) => f.status.push(st.as_str().to_string()),
                None => e.add("status", "err.invalid_choice"),
            }
        }
    }
    macro_rules! choice {
        ($field:ident, $ty:ty) => {
            if let Some(s) = some(&q.$field) {
                match <$ty>::parse(s) {
                    Some(v) => f.$field = Some(v.as_str().to_string()),
                    None => e.add(stringify!($field), "err.invalid_choice"),
                }
            }
        };
    }
    choice!(kind, TicketKind);
    choice!(severity, Severity);
    choice!(channel, Channel);
    choice!(root_cause, RootCause);
    match some(&q.assignee) {
        None => {}
        Some("me") => f.assignee_id = Some(actor.user_id()),
        Some("none") => f.unassigned = true,
        Some(s) => match s.parse() {
            Ok(id) => f.assignee_id = Some(id),
            Err(_) => e.add("assignee", "err.invalid_choice"),
        },
    }
    if e.check("breached", params::flag(q.breached.as_deref())) == Some(true) {
        f.breached_at = Some(Utc::now());
    }
    if let Some(s) = some(&q.customer_id) {
        match s.parse() {
            Ok(id) => f.customer_id = Some(id),
            Err(_) => e.add("customer_id", "err.invalid_choice"),
        }
    }
    let tz = app.tz();
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    if let Some(s) = some(&q.from) {
        match day(s) {
            Some(t) => f.created_from = Some(t),
            None => e.add("from", "err.date_format"),
        }
    }
    if let Some(s) = some(&q.to) {
        match day(s) {
            Some(t) => f.created_before = Some(t),
            None => e.add("to", "err.date_format"),
        }
    }
    f.q = some(&q.q).map(String::from);
    f.sort = match some(&q.sort) {
        None | Some("newest") => TicketSort::Newest,
        Some("oldest") => TicketSort::Oldest,
        Some("due") => TicketSort::Due,
        Some(_) => {
            e.add("sort", "err.invalid_choice");
            TicketSort::Newest
        }
    };
    f.page = e
        .check("page", params::page(q.page.as_deref()))
        .unwrap_or(1);
    f.per_page = e
        .check("per_page", params::per_page(q.per_page.as_deref(), 50, 500))
        .unwrap_or(50);
    e.into_result()?;
    Ok(f)
}

/// A page of the ticket list. The count stops at [`repo::TICKET_COUNT_CAP`] (or the
/// page's end, if further): past it, `total_capped` is set and `total` is a lower bound.
#[derive(Debug, Clone, Serialize)]
pub struct TicketPage {
    pub items: Vec<TicketView>,
    pub total: u64,
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
}

impl TicketPage {
    /// Pages counted (at least, when the count is capped).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages() || (self.total_capped && self.items.len() as u64 == self.per_page)
    }
}

pub async fn list(app: &App, actor: &Actor, q: &TicketQuery) -> Result<TicketPage> {
    let f = filter(app, actor, q).await?;
    let p = repo::list(&app.db.conn, &f).await?;
    let now = Utc::now();
    Ok(TicketPage {
        items: p.rows.into_iter().map(|r| view(r, now)).collect(),
        total: p.total,
        total_capped: p.capped,
        page: f.page,
        per_page: f.per_page,
    })
}

// ---- register ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    pub kind: String,
    pub channel: String,
    #[serde(default)]
    pub severity: String,
    /// The customer: its id, or else its code.
    #[serde(default)]
    pub customer_id: String,
    #[serde(default)]
    pub customer_code: String,
    #[serde(default)]
    pub contact_id: String,
    /// A user id; empty: the registering user when it handles tickets.
    #[serde(default)]
    pub assignee_id: String,
    pub subject: String,
    #[serde(default)]
    pub description: String,
    /// Waybill numbers, separated by commas, spaces or lines.
    #[serde(default)]
    pub waybills: String,
    /// Claims: the amount claimed (yuan).
    #[serde(default)]
    pub claimed: String,
    /// Claims: the carrier or party responsible.
    #[serde(default)]
    pub responsible_party: String,
}

fn local(app: &App, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&app.tz()).naive_local()
}

fn utc(app: &App, t: NaiveDateTime) -> DateTime<Utc> {
    app.tz()
        .from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // A wall time skipped by a clock change: an hour on is the same instant's
        // neighbour.
        .unwrap_or_else(|| Utc.from_utc_datetime(&t))
}

/// The customer's value class and grade in the latest classification (None before the
/// first run).
async fn class_of(app: &App, customer_id: i64) -> Result<(Option<ValueClass>, Option<Grade>)> {
    let today = crate::classification::today(app);
    let conn = &app.db.conn;
    let Some(run) = consign_store::classification::current_run(conn, day_num(today)).await? else {
        return Ok((None, None));
    };
    Ok(
        match consign_store::classification::verdict(conn, run.id, customer_id).await? {
            Some(v) => (ValueClass::parse(&v.value_class), Grade::parse(&v.grade)),
            None => (None, None),
        },
    )
}

async fn resolve_customer(
    app: &App,
    actor: &Actor,
    input: &TicketInput,
    e: &mut FieldErrors,
) -> Result<Option<customer::Model>> {
    let conn = &app.db.conn;
    let found = if let Ok(id) = input.customer_id.trim().parse::<i64>() {
        consign_store::customers::find(conn, id).await?
    } else if !input.customer_code.trim().is_empty() {
        let ids =
            consign_store::customers::ids_by_code(conn, &[input.customer_code.trim()]).await?;
        match ids.values().next() {
            Some(id) => consign_store::customers::find(conn, *id).await?,
            None => None,
        }
    } else {
        e.add("customer_id", "err.required");
        return Ok(None);
    };
    let scope = ticket_scope(app, actor).await?;
    match found {
        Some(c) if c.archived_at.is_none() && in_scope(&scope, c.owner_id) => Ok(Some(c)),
        Some(c) if c.archived_at.is_none() => {
            e.add("customer_id", "err.customer_out_of_scope");
            let _ = c;
            Ok(None)
        }
        _ => {
            e.add("customer_id", "err.unknown_customer_ticket");
            Ok(None)
        }
    }
}

/// Registers a ticket (登记): checked field by field, its deadlines set from the SLA
/// policy by the customer's current value class and grade, audited on the customer's
/// timeline.
pub async fn create(app: &App, actor: &Actor, input: &TicketInput) -> Result<TicketDetail> {
    create_at(app, actor, input, Utc::now()).await
}

/// [`create`] as of `now` (the demo's history; tests of deadlines).
pub async fn create_at(
    app: &App,
    actor: &Actor,
    input: &TicketInput,
    now: DateTime<Utc>,
) -> Result<TicketDetail> {
    if !can_handle(actor.role) {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let kind = TicketKind::parse(&input.kind);
    if kind.is_none() {
        e.add("kind", "err.invalid_choice");
    }
    let channel = Channel::parse(&input.channel);
    if channel.is_none() {
        e.add("channel", "err.invalid_choice");
    }
    let severity = if input.severity.trim().is_empty() {
        Some(Severity::Normal)
    } else {
        Severity::parse(&input.severity)
    };
    if severity.is_none() {
        e.add("severity", "err.invalid_choice");
    }
    let subject = e.check("subject", required_text(&input.subject, 200));
    let description = e
        .check("description", optional_text(&input.description, 10_000))
        .flatten()
        .unwrap_or_default();
    let responsible = e
        .check(
            "responsible_party",
            optional_text(&input.responsible_party, 200),
        )
        .flatten();
    let claimed = if input.claimed.trim().is_empty() {
        if kind == Some(TicketKind::Claim) {
            e.add("claimed", "err.required");
        }
        None
    } else {
        match parse_fen(&input.claimed) {
            Ok(f) if f < 0 => {
                e.add("claimed", "err.negative");
                None
            }
            Ok(f) => Some(f),
            Err(k) => {
                e.add("claimed", k);
                None
            }
        }
    };
    let customer = resolve_customer(app, actor, input, &mut e).await?;
    let conn = &app.db.conn;
    let mut contact_id = None;
    if let (Some(c), Ok(cid)) = (&customer, input.contact_id.trim().parse::<i64>()) {
        let contacts = consign_store::customers::contacts_of(conn, c.id).await?;
        if contacts.iter().any(|k| k.id == cid) {
            contact_id = Some(cid);
        } else {
            e.add("contact_id", "err.contact_not_of_customer");
        }
    } else if !input.contact_id.trim().is_empty() && customer.is_some() {
        e.add("contact_id", "err.invalid_choice");
    }
    let mut assignee_id = None;
    if input.assignee_id.trim().is_empty() {
        assignee_id = actor.id;
    } else {
        match input.assignee_id.trim().parse::<i64>() {
            Ok(id) if assignees(app).await?.iter().any(|a| a.id == id) => assignee_id = Some(id),
            _ => e.add("assignee_id", "err.invalid_choice"),
        }
    }
    let mut waybills: Vec<(String, Option<i64>)> = Vec::new();
    for w in input
        .waybills
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        match waybill_no(w) {
            Err(k) => e.add("waybills", k),
            Ok(w) => match consign_store::shipments::find_by_waybill(conn, &w).await? {
                Some(s) if customer.as_ref().is_some_and(|c| c.id == s.customer_id) => {
                    waybills.push((w, Some(s.id)))
                }
                Some(_) => e.add("waybills", "err.waybill_other_customer"),
                None => e.add("waybills", "err.unknown_waybill"),
            },
        }
    }
    waybills.dedup();
    if waybills.len() > 50 {
        e.add("waybills", "err.too_many_waybills");
    }
    e.into_result()?;
    let (Some(kind), Some(channel), Some(severity), Some(subject), Some(customer)) =
        (kind, channel, severity, subject, customer)
    else {
        return Err(AppError::internal("validated ticket incomplete"));
    };
    let policy = sla_policy(app).await?;
    let (vc, grade) = class_of(app, customer.id).await?;
    let target = policy.target(vc, grade, severity);
    let start = local(app, now);
    let first_due = utc(
        app,
        policy.deadline(severity, start, target.first_response_minutes),
    );
    let resolution_due = utc(
        app,
        policy.deadline(severity, start, target.resolution_minutes),
    );
    let local_day = start.format("%Y%m%d").to_string();
    let txn = app.db.begin_write().await?;
    let (id, number) = repo::insert(
        &txn,
        &NewTicket {
            kind: kind.as_str(),
            channel: channel.as_str(),
            severity: severity.as_str(),
            customer_id: customer.id,
            contact_id,
            assignee_id,
            subject: &subject,
            description: &description,
            value_class: vc.map(|v| v.as_str()),
            grade: grade.map(|g| g.as_str()),
            claimed_fen: claimed,
            responsible_party: responsible.as_deref(),
            first_response_due: first_due,
            resolution_due,
            created_by: actor.id,
            local_day: &local_day,
            now,
        },
    )
    .await?;
    repo::add_shipments(&txn, id, &waybills).await?;
    repo::add_event(
        &txn,
        &NewEvent {
            ticket_id: id,
            action: "register",
            from_status: None,
            to_status: Some(Status::Registered.as_str()),
            note: &description,
            detail: serde_json::json!({
                "first_response_minutes": target.first_response_minutes,
                "resolution_minutes": target.resolution_minutes,
                "value_class": vc.map(|v| v.as_str()),
                "grade": grade.map(|g| g.as_str()),
            }),
            actor_id: actor.id,
            actor_name: &actor.name,
            at: now,
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "ticket.register",
            entity_type: "ticket",
            entity_id: id.to_string(),
            customer_id: Some(customer.id),
            summary: Some(format!("{number} {subject}")),
            before: None,
            after: Some(serde_json::json!({
                "number": number, "kind": kind.as_str(), "channel": channel.as_str(),
                "severity": severity.as_str(), "status": Status::Registered.as_str(),
                "waybills": waybills.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    if let Some(a) = assignee_id.filter(|a| Some(*a) != actor.id) {
        repo::notify(
            &txn,
            a,
            "ticket_assigned",
            Some(id),
            Some(customer.id),
            &[number.clone(), subject.clone(), customer.name.clone()],
            now,
        )
        .await?;
    }
    txn.commit().await?;
    get(app, actor, id).await
}

// ---- workflow ----

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// On resolve: the root cause.
    #[serde(default)]
    pub root_cause: String,
    /// On resolve of a claim: the amount settled (yuan).
    #[serde(default)]
    pub settled: String,
    /// On resolve of a claim: the carrier or party responsible.
    #[serde(default)]
    pub responsible_party: String,
}

/// Takes one workflow step. A step the workflow does not allow from the ticket's status
/// is refused with the status and the step named; a step that needs a note, a root
/// cause or a settled amount is refused without it.
pub async fn step(app: &App, actor: &Actor, id: i64, input: &StepInput) -> Result<TicketDetail> {
    step_at(app, actor, id, input, Utc::now()).await
}

/// [`step`] as of `now`.
pub async fn step_at(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &StepInput,
    now: DateTime<Utc>,
) -> Result<TicketDetail> {
    let t = load(app, actor, id).await?;
    if !can_handle(actor.role) {
        return Err(AppError::Forbidden);
    }
    let action = Action::parse(&input.action)
        .ok_or_else(|| AppError::field("action", "err.invalid_choice"))?;
    let from = AppError::stored("tickets.status", &t.status, Status::parse(&t.status))?;
    let Some(to) = action.apply(from) else {
        return Err(AppError::Refused {
            code: "err.ticket_illegal_step",
            args: vec![from.label_key(), action.label_key()],
        });
    };
    let mut e = FieldErrors::new();
    let note = e
        .check("note", optional_text(&input.note, 10_000))
        .flatten()
        .unwrap_or_default();
    if action.needs_note() && note.is_empty() {
        e.add("note", "err.required");
    }
    let mut ch = TicketChange {
        status: Some(to.as_str().to_string()),
        ..Default::default()
    };
    let mut detail = serde_json::json!({});
    // How long it took since registration, in the SLA's own time (business minutes, or
    // plain minutes for severities on the clock).
    let policy = sla_policy(app).await?;
    let severity = AppError::stored(
        "tickets.severity",
        &t.severity,
        Severity::parse(&t.severity),
    )?;
    let took = if policy.runs_on_clock(severity) {
        (now - t.created_at).num_minutes().max(0)
    } else {
        policy
            .calendar
            .business_minutes_between(local(app, t.created_at), local(app, now))
    };
    match action {
        Action::Investigate => {
            ch.first_response_at = Some(now);
            ch.response_minutes = Some(took);
        }
        Action::Resolve => {
            match RootCause::parse(&input.root_cause) {
                Some(rc) => {
                    ch.root_cause = Some(Some(rc.as_str().to_string()));
                    detail["root_cause"] = rc.as_str().into();
                }
                None if input.root_cause.trim().is_empty() => e.add("root_cause", "err.required"),
                None => e.add("root_cause", "err.invalid_choice"),
            }
            ch.resolution = Some(Some(note.clone()));
            ch.resolved_at = Some(Some(now));
            ch.resolution_minutes = Some(Some(took));
            if t.kind == TicketKind::Claim.as_str() {
                match parse_fen(&input.settled) {
                    _ if input.settled.trim().is_empty() => e.add("settled", "err.required"),
                    Ok(f) if f < 0 => e.add("settled", "err.negative"),
                    // Paying more than was claimed is a manager's decision.
                    Ok(f)
                        if t.claimed_fen.is_some_and(|c| f > c)
                            && !matches!(actor.role, Role::Admin | Role::Manager) =>
                    {
                        e.add("settled", "err.settlement_above_claim")
                    }
                    Ok(f) => {
                        ch.settled_fen = Some(Some(f));
                        detail["settled"] = format_fen(f).into();
                    }
                    Err(k) => e.add("settled", k),
                }
                if let Some(p) = e
                    .check(
                        "responsible_party",
                        optional_text(&input.responsible_party, 200),
                    )
                    .flatten()
                {
                    detail["responsible_party"] = p.clone().into();
                    ch.responsible_party = Some(Some(p));
                }
            }
        }
        Action::CallbackFailed => {
            ch.resolved_at = Some(None);
            ch.resolution_minutes = Some(None);
            ch.reopened = true;
        }
        Action::Confirm => {}
        Action::Close => ch.closed_at = Some(now),
    }
    e.into_result()?;
    let txn = app.db.begin_write().await?;
    if !repo::update(&txn, id, from.as_str(), ch, now).await? {
        // Someone else moved it meanwhile.
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.ticket_changed",
        });
    }
    repo::add_event(
        &txn,
        &NewEvent {
            ticket_id: id,
            action: action.as_str(),
            from_status: Some(from.as_str()),
            to_status: Some(to.as_str()),
            note: &note,
            detail: detail.clone(),
            actor_id: actor.id,
            actor_name: &actor.name,
            at: now,
        },
    )
    .await?;
    let mut after = serde_json::json!({"step": action.as_str(), "status": to.as_str()});
    if let Some(obj) = detail.as_object() {
        for (k, v) in obj {
            after[k] = v.clone();
        }
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "ticket.step",
            entity_type: "ticket",
            entity_id: id.to_string(),
            customer_id: Some(t.customer_id),
            summary: Some(format!("{} {}", t.number, t.subject)),
            before: Some(serde_json::json!({"status": from.as_str()})),
            after: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    // Every closed complaint gets its callback on the owner's list (SPEC §5).
    if action == Action::Close && t.kind == TicketKind::Complaint.as_str() {
        crate::followups::after_closed_complaint(
            app,
            id,
            t.customer_id,
            &t.number,
            t.assignee_id,
            now,
        )
        .await?;
    }
    get(app, actor, id).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// A user id; empty: unassigned.
    #[serde(default)]
    pub assignee_id: String,
    #[serde(default)]
    pub note: String,
}

/// Gives an open ticket to someone (or to no one); the new assignee is notified.
pub async fn assign(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &AssignInput,
) -> Result<TicketDetail> {
    let t = load(app, actor, id).await?;
    if !can_handle(actor.role) {
        return Err(AppError::Forbidden);
    }
    let status = AppError::stored("tickets.status", &t.status, Status::parse(&t.status))?;
    if !status.is_open() {
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.ticket_closed",
        });
    }
    let people = assignees(app).await?;
    let to = if input.assignee_id.trim().is_empty() {
        None
    } else {
        match input.assignee_id.trim().parse::<i64>() {
            Ok(id) if people.iter().any(|a| a.id == id) => Some(id),
            _ => return Err(AppError::field("assignee_id", "err.invalid_choice")),
        }
    };
    let note = optional_text(&input.note, 10_000)
        .map_err(|k| AppError::field("note", k))?
        .unwrap_or_default();
    let name = |id: Option<i64>| {
        id.and_then(|id| people.iter().find(|a| a.id == id))
            .map(|a| a.name.clone())
    };
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    if !repo::update(
        &txn,
        id,
        status.as_str(),
        TicketChange {
            assignee_id: Some(to),
            ..Default::default()
        },
        now,
    )
    .await?
    {
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.ticket_changed",
        });
    }
    repo::add_event(
        &txn,
        &NewEvent {
            ticket_id: id,
            action: "assign",
            from_status: None,
            to_status: None,
            note: &note,
            detail: serde_json::json!({"from": name(t.assignee_id), "to": name(to)}),
            actor_id: actor.id,
            actor_name: &actor.name,
            at: now,
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "ticket.assign",
            entity_type: "ticket",
            entity_id: id.to_string(),
            customer_id: Some(t.customer_id),
            summary: Some(format!("{} {}", t.number, t.subject)),
            before: Some(serde_json::json!({"assignee": name(t.assignee_id)})),
            after: Some(serde_json::json!({"assignee": name(to)})),
        },
    )
    .await?;
    if let Some(a) = to.filter(|a| Some(*a) != actor.id) {
        repo::notify(
            &txn,
            a,
            "ticket_assigned",
            Some(id),
            Some(t.customer_id),
            &[t.number.clone(), t.subject.clone(), t.customer_name.clone()],
            now,
        )
        .await?;
    }
    txn.commit().await?;
    get(app, actor, id).await
}

/// A note on the ticket without a change of status.
pub async fn comment(app: &App, actor: &Actor, id: i64, note: &str) -> Result<TicketDetail> {
    let t = load(app, actor, id).await?;
    if !can_handle(actor.role) {
        return Err(AppError::Forbidden);
    }
    let note = required_text(note, 10_000).map_err(|k| AppError::field("note", k))?;
    let txn = app.db.begin_write().await?;
    repo::add_event(
        &txn,
        &NewEvent {
            ticket_id: id,
            action: "comment",
            from_status: None,
            to_status: None,
            note: &note,
            detail: serde_json::json!({}),
            actor_id: actor.id,
            actor_name: &actor.name,
            at: Utc::now(),
        },
    )
    .await?;
    let _ = t;
    txn.commit().await?;
    get(app, actor, id).await
}

// ---- attachments ----

/// What a file is, from its first bytes (the name and the browser's word are not
/// trusted): the types a service desk needs, photos and documents.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(b"PK\x03\x04") {
        // Office Open XML (docx, xlsx) are zip files.
        Some("application/zip")
    } else {
        None
    }
}

fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Stores a file on a ticket: at most [`MAX_ATTACHMENT_BYTES`], of a known type by its
/// content, at most [`MAX_ATTACHMENTS`] per ticket.
pub async fn attach(
    app: &App,
    actor: &Actor,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<TicketDetail> {
    let t = load(app, actor, id).await?;
    if !can_handle(actor.role) {
        return Err(AppError::Forbidden);
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "err.required"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::field("file", "err.attachment_too_large"));
    }
    let Some(ctype) = sniff(&bytes) else {
        return Err(AppError::field("file", "err.attachment_type"));
    };
    let conn = &app.db.conn;
    if repo::attachments_of(conn, id).await?.len() >= MAX_ATTACHMENTS {
        return Err(AppError::field("file", "err.attachment_count"));
    }
    use sha2::Digest;
    let sha = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let name = clean_filename(filename);
    let now = Utc::now();
    let size = bytes.len();
    let txn = app.db.begin_write().await?;
    repo::add_attachment(
        &txn,
        repo::NewAttachment {
            ticket_id: id,
            filename: &name,
            content_type: ctype,
            sha256: &sha,
            data: bytes,
            uploaded_by: actor.id,
            now,
        },
    )
    .await?;
    repo::add_event(
        &txn,
        &NewEvent {
            ticket_id: id,
            action: "attach",
            from_status: None,
            to_status: None,
            note: &name,
            detail: serde_json::json!({"size": size, "type": ctype}),
            actor_id: actor.id,
            actor_name: &actor.name,
            at: now,
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "ticket.attach",
            entity_type: "ticket",
            entity_id: id.to_string(),
            customer_id: Some(t.customer_id),
            summary: Some(format!("{} {name}", t.number)),
            before: None,
            after: Some(serde_json::json!({"file": name, "size": size, "sha256": sha})),
        },
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}

/// An attachment's row and bytes, when its ticket is in scope.
pub async fn attachment(
    app: &App,
    actor: &Actor,
    ticket_id: i64,
    attachment_id: i64,
) -> Result<(AttachmentRow, Vec<u8>)> {
    let t = load(app, actor, ticket_id).await?;
    match repo::attachment(&app.db.conn, attachment_id).await? {
        Some((row, data)) if row.ticket_id == ticket_id => {
            // Attachments hold customers' documents: each download is audited.
            audit::record(
                &app.db.conn,
                actor,
                Entry {
                    action: "ticket.attachment_download",
                    entity_type: "ticket_attachment",
                    entity_id: attachment_id.to_string(),
                    customer_id: Some(t.customer_id),
                    summary: Some(format!("{} {}", t.number, row.filename)),
                    before: None,
                    after: None,
                },
            )
            .await?;
            Ok((row, data))
        }
        _ => Err(AppError::NotFound),
    }
}

// ---- escalation ----

/// The managers a breach goes to: the nearest unit, from the assignee's (or, when
/// unassigned, the customer owner's) unit up to the root, that has active managers; the
/// admins when none has.
async fn managers_for(app: &App, user: Option<i64>) -> Result<Vec<i64>> {
    let conn = &app.db.conn;
    let users = consign_store::users::all_users(conn).await?;
    let units = consign_store::users::units(conn).await?;
    let path = user
        .and_then(|u| users.iter().find(|x| x.id == u))
        .and_then(|u| units.iter().find(|x| x.id == u.org_unit_id))
        .map(|u| u.path.clone());
    if let Some(path) = path {
        // Units on the way up are those whose path is a prefix of this one; longest
        // (nearest) first.
        let mut up: Vec<&consign_store::entity::org_unit::Model> =
            units.iter().filter(|x| path.starts_with(&x.path)).collect();
        up.sort_by_key(|x| std::cmp::Reverse(x.path.len()));
        for unit in up {
            let ms: Vec<i64> = users
                .iter()
                .filter(|x| {
                    !x.disabled
                        && x.org_unit_id == unit.id
                        && x.role == Role::Manager.as_str()
                        && Some(x.id) != user
                })
                .map(|x| x.id)
                .collect();
            if !ms.is_empty() {
                return Ok(ms);
            }
        }
    }
    Ok(users
        .iter()
        .filter(|x| !x.disabled && x.role == Role::Admin.as_str())
        .map(|x| x.id)
        .collect())
}

/// Escalates every breach not escalated yet: the ticket records it, the managers get a
/// notification (and, with SMTP configured, an e-mail), the customer's timeline shows
/// it. Idempotent: each deadline escalates once. Returns how many breaches.
pub async fn escalate_due(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let due = repo::due_escalations(&app.db.conn, now, 500).await?;
    let actor = Actor::system("sla");
    let mut n = 0;
    for (id, which) in due {
        let Some(t) = repo::get(&app.db.conn, id).await? else {
            continue;
        };
        let to = managers_for(app, t.assignee_id.or(t.owner_id)).await?;
        let users = consign_store::users::users_by_ids(&app.db.conn, &to).await?;
        let names: Vec<String> = users.iter().map(|u| u.display_name.clone()).collect();
        let (deadline, kind) = if which == "response" {
            (t.first_response_due, "sla_response_breach")
        } else {
            (t.resolution_due, "sla_resolution_breach")
        };
        let status = t.status.clone();
        let ch = if which == "response" {
            TicketChange {
                response_escalated_at: Some(now),
                ..Default::default()
            }
        } else {
            TicketChange {
                resolution_escalated_at: Some(now),
                ..Default::default()
            }
        };
        let txn = app.db.begin_write().await?;
        if !repo::update(&txn, id, &status, ch, now).await? {
            continue;
        }
        repo::add_event(
            &txn,
            &NewEvent {
                ticket_id: id,
                action: if which == "response" {
                    "escalate_response"
                } else {
                    "escalate_resolution"
                },
                from_status: None,
                to_status: None,
                note: &names.join("、"),
                detail: serde_json::json!({"deadline": deadline, "to": names}),
                actor_id: None,
                actor_name: &actor.name,
                at: now,
            },
        )
        .await?;
        let local_deadline = local(app, deadline).format("%Y-%m-%d %H:%M").to_string();
        for u in &to {
            repo::notify(
                &txn,
                *u,
                kind,
                Some(id),
                Some(t.customer_id),
                &[
                    t.number.clone(),
                    t.subject.clone(),
                    t.customer_name.clone(),
                    local_deadline.clone(),
                ],
                now,
            )
            .await?;
        }
        audit::record(
            &txn,
            &actor,
            Entry {
                action: "ticket.escalate",
                entity_type: "ticket",
                entity_id: id.to_string(),
                customer_id: Some(t.customer_id),
                summary: Some(format!("{} {}", t.number, t.subject)),
                before: None,
                after: Some(
                    serde_json::json!({"breach": which, "deadline": local_deadline, "to": names}),
                ),
            },
        )
        .await?;
        txn.commit().await?;
        n += 1;
    }
    Ok(n)
}

// ---- notifications ----

#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub kind: String,
    /// The message in the caller's language.
    pub text: String,
    /// Where it leads (a ticket's page, a customer's page).
    pub href: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notifications {
    pub unread: i64,
    pub items: Vec<NotificationView>,
}

/// The message of a notification, its arguments filled in.
pub fn notification_text(lang: consign_domain::Lang, kind: &str, args: &[String]) -> String {
    let refs: Vec<&dyn std::fmt::Display> =
        args.iter().map(|a| a as &dyn std::fmt::Display).collect();
    lang.tf(&format!("notify.{kind}"), &refs)
}

/// The caller's latest 50 notifications, newest first.
pub async fn notifications(
    app: &App,
    actor: &Actor,
    lang: consign_domain::Lang,
) -> Result<Notifications> {
    let (rows, unread) = repo::notifications_of(&app.db.conn, actor.user_id(), 50).await?;
    Ok(Notifications {
        unread,
        items: rows
            .into_iter()
            .map(|r| {
                let args: Vec<String> = serde_json::from_str(&r.args).unwrap_or_default();
                NotificationView {
                    id: r.id,
                    text: notification_text(lang, &r.kind, &args),
                    href: match (r.ticket_id, r.customer_id) {
                        (Some(t), _) => format!("/tickets/{t}"),
                        (None, Some(c)) => format!("/customers/{c}"),
                        _ if r.kind == "tasks_due" => "/tasks".into(),
                        _ => "/".into(),
                    },
                    kind: r.kind,
                    created_at: r.created_at,
                    read: r.read_at.is_some(),
                }
            })
            .collect(),
    })
}

pub async fn unread(app: &App, actor: &Actor) -> Result<i64> {
    Ok(repo::unread_count(&app.db.conn, actor.user_id()).await?)
}

pub async fn mark_read(app: &App, actor: &Actor) -> Result<u64> {
    Ok(repo::mark_read(&app.db.conn, actor.user_id(), Utc::now()).await?)
}

// ---- the policy as a form ----

/// The form's field of a target: `t_{class}_{severity}_{first|resolution}` (minutes).
pub fn target_field(vc: ValueClass, sev: Severity, first: bool) -> String {
    format!(
        "t_{}_{}_{}",
        vc.as_str(),
        sev.as_str(),
        if first { "first" } else { "resolution" }
    )
}

/// The policy's values as the form shows them.
pub fn sla_form_values(p: &SlaPolicy) -> std::collections::HashMap<String, String> {
    let mut v = std::collections::HashMap::new();
    for vc in ValueClass::ALL {
        for sev in Severity::ALL {
            let t = p.target(Some(*vc), None, *sev);
            let base = p
                .targets
                .get(vc.as_str())
                .and_then(|r| r.get(sev.as_str()))
                .copied()
                .unwrap_or(t);
            v.insert(
                target_field(*vc, *sev, true),
                base.first_response_minutes.to_string(),
            );
            v.insert(
                target_field(*vc, *sev, false),
                base.resolution_minutes.to_string(),
            );
        }
    }
    for g in Grade::ALL {
        v.insert(
            format!("g_{}", g.as_str()),
            p.grade_percent
                .get(g.as_str())
                .copied()
                .unwrap_or(100)
                .to_string(),
        );
    }
    for s in &p.calendar_severities {
        v.insert(format!("clock_{s}"), "on".into());
    }
    v.insert("unclassified_as".into(), p.unclassified_as.clone());
    v.insert("day_start".into(), p.calendar.day_start.clone());
    v.insert("day_end".into(), p.calendar.day_end.clone());
    for d in &p.calendar.workdays {
        v.insert(format!("wd_{d}"), "on".into());
    }
    let dates = |ds: &[chrono::NaiveDate]| {
        ds.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    v.insert("holidays".into(), dates(&p.calendar.holidays));
    v.insert("extra_workdays".into(), dates(&p.calendar.extra_workdays));
    v
}

/// The policy a submitted form describes, every bad field named (form field names).
pub fn sla_from_form(get: &dyn Fn(&str) -> String) -> Result<SlaPolicy> {
    use consign_domain::service::{Calendar, Target};
    let mut e = FieldErrors::new();
    let mut p = SlaPolicy {
        targets: Default::default(),
        grade_percent: Default::default(),
        calendar_severities: Vec::new(),
        unclassified_as: get("unclassified_as").trim().to_string(),
        calendar: Calendar {
            day_start: get("day_start").trim().to_string(),
            day_end: get("day_end").trim().to_string(),
            workdays: (1..=7u8)
                .filter(|d| !get(&format!("wd_{d}")).is_empty())
                .collect(),
            holidays: Vec::new(),
            extra_workdays: Vec::new(),
        },
    };
    let num = |f: &str, e: &mut FieldErrors| -> i64 {
        match get(f).trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                e.add(f, "err.integer_format");
                0
            }
        }
    };
    for vc in ValueClass::ALL {
        let mut row = std::collections::BTreeMap::new();
        for sev in Severity::ALL {
            let f = num(&target_field(*vc, *sev, true), &mut e);
            let r = num(&target_field(*vc, *sev, false), &mut e);
            row.insert(
                sev.as_str().to_string(),
                Target {
                    first_response_minutes: f,
                    resolution_minutes: r,
                },
            );
        }
        p.targets.insert(vc.as_str().to_string(), row);
    }
    for g in Grade::ALL {
        let f = format!("g_{}", g.as_str());
        let v = num(&f, &mut e);
        if v != 100 {
            p.grade_percent.insert(g.as_str().to_string(), v);
        }
    }
    for s in Severity::ALL {
        if !get(&format!("clock_{}", s.as_str())).is_empty() {
            p.calendar_severities.push(s.as_str().to_string());
        }
    }
    let dates = |field: &str, e: &mut FieldErrors| -> Vec<chrono::NaiveDate> {
        let mut out = Vec::new();
        for part in get(field)
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|s| !s.is_empty())
        {
            match chrono::NaiveDate::parse_from_str(part, "%Y-%m-%d") {
                Ok(d) => out.push(d),
                Err(_) => e.add(field, "err.date_format"),
            }
        }
        out.sort();
        out.dedup();
        out
    };
    p.calendar.holidays = dates("holidays", &mut e);
    p.calendar.extra_workdays = dates("extra_workdays", &mut e);
    // The policy's own checks, named by the form's fields.
    for x in p.validate() {
        let field = form_field_of(&x.field);
        if e.get(&field).is_none() {
            e.add(field, x.key);
        }
    }
    e.into_result()?;
    Ok(p)
}

/// The form field of a policy path (`targets.a.high.resolution_minutes` →
/// `t_a_high_resolution`).
fn form_field_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    match parts.as_slice() {
        ["targets", vc, sev, which] => format!(
            "t_{vc}_{sev}_{}",
            if which.starts_with("first") {
                "first"
            } else {
                "resolution"
            }
        ),
        ["grade_percent", g] => format!("g_{g}"),
        ["calendar", f] => match *f {
            "workdays" => "workdays".into(),
            other => other.to_string(),
        },
        _ => path.to_string(),
    }
}

// ---- reminders and e-mail ----

/// Once a company day, each user with open tasks due today or overdue gets a reminder
/// notification (how many, how many overdue). Returns how many users were reminded.
pub async fn remind_due_tasks(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let today = now.with_timezone(&app.tz()).date_naive();
    let conn = &app.db.conn;
    let due =
        consign_store::followups::due_unreminded(conn, day_num(today), local_midnight(app, today))
            .await?;
    let mut by_user: std::collections::BTreeMap<i64, (i64, i64, Vec<i64>)> = Default::default();
    for (task, user, due_on) in due {
        let e = by_user.entry(user).or_default();
        e.0 += 1;
        if due_on < day_num(today) {
            e.1 += 1;
        }
        e.2.push(task);
    }
    let n = by_user.len();
    for (user, (count, overdue, tasks)) in by_user {
        let txn = app.db.begin_write().await?;
        repo::notify(
            &txn,
            user,
            "tasks_due",
            None,
            None,
            &[count.to_string(), overdue.to_string()],
            now,
        )
        .await?;
        consign_store::followups::mark_reminded(&txn, &tasks, now).await?;
        txn.commit().await?;
    }
    Ok(n)
}

fn local_midnight(app: &App, d: chrono::NaiveDate) -> DateTime<Utc> {
    utc(app, d.and_time(chrono::NaiveTime::MIN))
}

/// With SMTP configured, e-mails the notifications not sent yet to their users (in each
/// user's language); a user without an address is skipped (the UI still shows it).
/// Returns how many were e-mailed. A relay that fails leaves the rest for the next
/// sweep.
pub async fn deliver_email(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let Some(smtp) = app.settings.smtp.clone() else {
        return Ok(0);
    };
    let conn = &app.db.conn;
    let pending = repo::unsent(conn, 100).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let users = consign_store::users::all_users(conn).await?;
    let base = app
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", app.settings.listen));
    let mut sent = 0;
    for n in pending {
        let user = users.iter().find(|u| u.id == n.user_id);
        let email = user
            .and_then(|u| u.email.clone())
            .filter(|e| e.contains('@'));
        if let Some(to) = email {
            let lang = user
                .and_then(|u| u.lang.as_deref())
                .and_then(consign_domain::Lang::parse)
                .unwrap_or_default();
            let args: Vec<String> = serde_json::from_str(&n.args).unwrap_or_default();
            let text = notification_text(lang, &n.kind, &args);
            let link = match (n.ticket_id, n.customer_id) {
                (Some(t), _) => format!("{base}/tickets/{t}"),
                (None, Some(c)) => format!("{base}/customers/{c}"),
                _ if n.kind == "tasks_due" => format!("{base}/tasks"),
                _ => base.clone(),
            };
            let subject = format!(
                "[{}] {}",
                lang.t("app.name"),
                text.chars().take(80).collect::<String>()
            );
            crate::mail::send(&smtp, &to, &subject, &format!("{text}\n\n{link}\n")).await?;
            sent += 1;
        }
        repo::mark_emailed(conn, n.id, now).await?;
    }
    Ok(sent)
}

mod dashboard;
pub use dashboard::*;
