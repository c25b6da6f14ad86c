//! The service desk (SPEC §4): tickets of the customers in scope, the seed's complaint
//! workflow with every step recorded, SLA deadlines from the policy, escalation of
//! breaches to the assignee's manager, and attachments.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use consign_domain::classify::{day_num, Grade, ValueClass};
use consign_domain::ops::{Fen, WaybillNo};
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

// ---- views ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Ticket)]
pub struct TicketView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub number: String,
    pub kind: TicketKind,
    pub channel: Channel,
    pub severity: Severity,
    pub status: Status,
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
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

fn view(r: TicketRow, now: DateTime<Utc>) -> Result<TicketView> {
    let response_breached = r.first_response_at.unwrap_or(now) > r.first_response_due
        && !(r.first_response_at.is_none() && r.closed_at.is_some());
    let resolution_breached = match (r.resolved_at, r.closed_at) {
        (Some(at), _) => at > r.resolution_due,
        (None, Some(_)) => false,
        (None, None) => now > r.resolution_due,
    };
    Ok(TicketView {
        id: r.id,
        kind: AppError::stored("tickets.kind", &r.kind, TicketKind::parse(&r.kind))?,
        channel: AppError::stored("tickets.channel", &r.channel, Channel::parse(&r.channel))?,
        severity: AppError::stored(
            "tickets.severity",
            &r.severity,
            Severity::parse(&r.severity),
        )?,
        status: AppError::stored("tickets.status", &r.status, Status::parse(&r.status))?,
        number: r.number,
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
        claimed: r.claimed_fen.map(|f| Fen(f).to_string()),
        settled: r.settled_fen.map(|f| Fen(f).to_string()),
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
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TicketEvent)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketView,
    pub events: Vec<EventView>,
    pub shipments: Vec<TicketShipment>,
    pub attachments: Vec<AttachmentRow>,
    /// The workflow steps the caller may take now.
    pub actions: Vec<Action>,
    pub can_work: bool,
}

pub use crate::users::{assignees, Assignee};

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

/// A ticket of the portal account `actor`'s own customer `customer_id`; anyone else's
/// (or none) is not found, and no staff account reaches it this way.
pub(crate) async fn load_for_portal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    id: i64,
) -> Result<TicketRow> {
    if actor.role != Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    repo::get(&app.db.conn, id)
        .await?
        .filter(|t| t.customer_id == customer_id)
        .ok_or(AppError::NotFound)
}

/// A ticket in scope that the actor may work on (steps, assignment, comments,
/// attachments): "not found" outside the scope, then "forbidden" for a role that does
/// not handle tickets.
pub(crate) async fn load_to_work(app: &App, actor: &Actor, id: i64) -> Result<TicketRow> {
    let t = load(app, actor, id).await?;
    if !actor.role.handles_tickets() {
        return Err(AppError::Forbidden);
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
    let ticket = view(t, Utc::now())?;
    let can_work = actor.role.handles_tickets();
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

/// A ticket's step as it is recorded: the event in the ticket's history (what its people
/// see) and the audit entry, written together in the caller's transaction.
pub(crate) struct Recorded<'a> {
    pub(crate) ticket_id: i64,
    pub(crate) customer_id: i64,
    /// The event: register, a workflow step, assign, comment, attach, escalate_*.
    pub(crate) event: &'a str,
    /// The audit action: ticket.register, ticket.step, …
    pub(crate) audit: &'a str,
    pub(crate) from: Option<&'a str>,
    pub(crate) to: Option<&'a str>,
    pub(crate) note: &'a str,
    pub(crate) detail: serde_json::Value,
    pub(crate) summary: String,
    pub(crate) before: Option<serde_json::Value>,
    pub(crate) after: Option<serde_json::Value>,
}

pub(crate) async fn record<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    r: Recorded<'_>,
    at: DateTime<Utc>,
) -> Result<()> {
    repo::add_event(
        conn,
        &NewEvent {
            ticket_id: r.ticket_id,
            action: r.event,
            from_status: r.from,
            to_status: r.to,
            note: r.note,
            detail: r.detail,
            actor_id: actor.id,
            actor_name: &actor.name,
            at,
        },
    )
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: r.audit,
            entity_type: "ticket",
            entity_id: r.ticket_id.to_string(),
            customer_id: Some(r.customer_id),
            summary: Some(r.summary),
            said: None,
            before: r.before,
            after: r.after,
        },
    )
    .await?;
    Ok(())
}

// ---- list ----

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// registered, investigating, resolved, confirmed, closed (comma-separated)
    #[param(pattern = r"^[\s,]*((registered|investigating|resolved|confirmed|closed)[\s,]*)*$")]
    pub status: Option<String>,
    /// yes: not closed
    #[param(inline, value_type = Option<consign_domain::params::Flag>)]
    pub open: Option<String>,
    #[param(inline, value_type = Option<consign_domain::service::TicketKind>)]
    pub kind: Option<String>,
    #[param(inline, value_type = Option<consign_domain::service::Severity>)]
    pub severity: Option<String>,
    #[param(inline, value_type = Option<consign_domain::service::Channel>)]
    pub channel: Option<String>,
    #[param(inline, value_type = Option<consign_domain::service::RootCause>)]
    pub root_cause: Option<String>,
    /// user id, `me` or `none`
    #[param(pattern = r"^\s*(me|none|[+-]?[0-9]+)?\s*$")]
    pub assignee: Option<String>,
    /// yes: past a deadline now
    #[param(inline, value_type = Option<consign_domain::params::Flag>)]
    pub breached: Option<String>,
    /// one customer's
    #[param(pattern = r"^\s*([+-]?[0-9]+)?\s*$")]
    pub customer_id: Option<String>,
    /// created on or after this day (company time)
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// created before this day
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
    /// ticket number, subject, or waybill number
    pub q: Option<String>,
    #[param(inline, value_type = Option<TicketOrder>)]
    pub sort: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

/// The orders of the ticket list (`sort`; newest by default).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TicketOrder {
    Newest,
    Oldest,
    Due,
}

fn some(s: &Option<String>) -> Option<&str> {
    params::given(s.as_deref())
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

/// A page of the ticket list. The count stops at [`consign_store::capped::LIST_COUNT_CAP`]
/// (or the page's end, if further): past it, `total_capped` is set and `total` is a lower bound.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
        params::pages(self.total, self.per_page)
    }
    pub fn has_next(&self) -> bool {
        let (p, n) = (self.page, self.per_page);
        params::has_next(p, n, self.total, self.total_capped, self.items.len())
    }
}

pub async fn list(app: &App, actor: &Actor, q: &TicketQuery) -> Result<TicketPage> {
    let f = filter(app, actor, q).await?;
    let p = repo::list(&app.db.conn, &f).await?;
    let now = Utc::now();
    Ok(TicketPage {
        items: p
            .rows
            .into_iter()
            .map(|r| view(r, now))
            .collect::<Result<_>>()?,
        total: p.total,
        total_capped: p.capped,
        page: f.page,
        per_page: f.per_page,
    })
}

mod dashboard;
pub use dashboard::*;

mod sla;
pub use sla::*;
mod register;
pub use register::*;
mod workflow;
pub use workflow::*;
mod attachments;
pub use attachments::*;
mod escalation;
pub use escalation::*;
mod notifications;
pub use notifications::*;
