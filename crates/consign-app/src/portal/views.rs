//! What a portal account reads: its company's overview (KPIs, what is due, open tickets),
//! its shipments with their tracking, its invoices and its tickets with their public steps.
//! Each read fixes the customer to the account's own and shows no internal field (costs,
//! internal notes, who handled what inside, SLA verdicts).

use super::PortalUser;
use crate::actor::Actor;
use crate::billing::{InvoiceView, Receivables};
use crate::kpis::KpiQuery;
use crate::service::{AttachmentRow, EventView, TicketQuery, TicketView};
use crate::shipments::{EventView as TrackView, ShipmentQuery, ShipmentView};
use crate::{App, AppError, Page, Result};
use consign_domain::customer::CustomerId;
use consign_domain::kpis::Kpis;

/// The reads run as the system on the account's own customer: the customer id never
/// comes from the request.
fn system() -> Actor {
    Actor::system("portal")
}

fn own(pu: &PortalUser) -> CustomerId {
    CustomerId::trusted(pu.customer_id)
}

/// The overview: the last 90 days' KPIs, what is owed, the tickets still open, the
/// surveys waiting for an answer.
pub struct Home {
    pub kpis: Kpis,
    pub receivables: Receivables,
    pub open_tickets: Vec<TicketView>,
    pub recent: Vec<ShipmentView>,
    pub surveys: Vec<SurveyInvite>,
}

/// A satisfaction survey the company is asked to answer: what it asks about (a waybill or
/// ticket number), until when, and the survey's own page (answered there, as from the
/// e-mail).
#[derive(Debug, Clone)]
pub struct SurveyInvite {
    pub subject: String,
    pub kind: consign_domain::surveys::SurveyTrigger,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// `/s/{token}`: relative, so that it opens on the server the portal is on.
    pub path: String,
}

/// The company's open surveys (unanswered, not expired), newest first.
pub async fn surveys(app: &App, pu: &PortalUser) -> Result<Vec<SurveyInvite>> {
    let q = crate::surveys::SurveyQuery {
        status: Some("open".into()),
        per_page: Some(20),
        ..Default::default()
    };
    let page = crate::surveys::list(app, &system(), Some(own(pu)), &q).await?;
    Ok(page
        .items
        .into_iter()
        .filter_map(|s| {
            let link = s.link?;
            let path = link[link.find("/s/")?..].to_string();
            Some(SurveyInvite {
                subject: s.subject,
                kind: s.kind,
                expires_at: s.expires_at,
                path,
            })
        })
        .collect())
}

pub async fn home(app: &App, pu: &PortalUser) -> Result<Home> {
    let to = app.today() + chrono::Duration::days(1);
    let from = to - chrono::Duration::days(90);
    let k = crate::kpis::customer_kpis(
        app,
        &system(),
        own(pu),
        &KpiQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
        },
    )
    .await?;
    let (_, receivables) =
        crate::billing::invoices_for_customer(app, &system(), own(pu), 1, 1).await?;
    let open_tickets = tickets(app, pu, true).await?;
    let recent = shipments(app, pu, &ShipmentQuery::default()).await?.items;
    let surveys = surveys(app, pu).await?;
    Ok(Home {
        surveys,
        kpis: k.kpis,
        receivables,
        open_tickets,
        recent: recent.into_iter().take(5).collect(),
    })
}

/// The account's shipments, filtered as asked (waybill start, status, days), newest first.
pub async fn shipments(
    app: &App,
    pu: &PortalUser,
    q: &ShipmentQuery,
) -> Result<Page<ShipmentView>> {
    let q = ShipmentQuery {
        customer_id: Some(pu.customer_id.to_string()),
        owner_id: None,
        totals: None,
        per_page: Some("20".into()),
        ..q.clone()
    };
    let p = crate::shipments::list(app, &system(), &q).await?;
    Ok(Page {
        items: p.items.into_iter().map(public_shipment).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// A shipment's fields a customer may see (no cost, no internal note or hold reason).
fn public_shipment(mut s: ShipmentView) -> ShipmentView {
    s.cost_fen = None;
    s.note = String::new();
    s.hold_reason = String::new();
    s
}

/// One of the account's shipments by waybill number, with its tracking events; another
/// customer's (or none) is not found.
pub async fn shipment(
    app: &App,
    pu: &PortalUser,
    waybill: &str,
) -> Result<(ShipmentView, Vec<TrackView>)> {
    let s = crate::shipments::get_by_waybill(app, &system(), waybill).await?;
    if s.customer.id != pu.customer_id.to_string() {
        return Err(AppError::NotFound);
    }
    let id: i64 = s.id.parse().map_err(|_| AppError::NotFound)?;
    let events = crate::shipments::events(app, &system(), id).await?;
    Ok((public_shipment(s), events))
}

/// The account's invoices, latest first, with what is owed.
pub async fn invoices(
    app: &App,
    pu: &PortalUser,
    page: u64,
) -> Result<(Page<InvoiceView>, Receivables)> {
    crate::billing::invoices_for_customer(app, &system(), own(pu), page, 20).await
}

/// The account's tickets (open ones only, or all), newest first.
pub async fn tickets(app: &App, pu: &PortalUser, open_only: bool) -> Result<Vec<TicketView>> {
    let q = TicketQuery {
        customer_id: Some(pu.customer_id.to_string()),
        open: open_only.then(|| "true".to_string()),
        ..Default::default()
    };
    Ok(crate::service::list(app, &system(), &q)
        .await?
        .items
        .into_iter()
        .map(public_ticket)
        .collect())
}

/// A ticket's fields a customer may see.
fn public_ticket(mut t: TicketView) -> TicketView {
    t.assignee_id = None;
    t.value_class = None;
    t.grade = None;
    t.responsible_party = None;
    t
}

/// The steps of a ticket a customer sees: registered, being handled, resolved (with the
/// resolution), the callback's outcome, closed. Comments, assignments and escalations
/// are internal.
pub const PUBLIC_STEPS: [&str; 6] = [
    "register",
    "investigate",
    "resolve",
    "callback_failed",
    "confirm",
    "close",
];

/// One of the account's tickets with its public steps; another customer's is not found.
pub async fn ticket(
    app: &App,
    pu: &PortalUser,
    id: i64,
) -> Result<(TicketView, Vec<EventView>, Vec<AttachmentRow>)> {
    let d = crate::service::get(app, &system(), id).await?;
    if d.ticket.customer_id != pu.customer_id {
        return Err(AppError::NotFound);
    }
    let events = d
        .events
        .into_iter()
        .filter(|e| PUBLIC_STEPS.contains(&e.action.as_str()))
        .map(|mut e| {
            e.detail = serde_json::Value::Null;
            e
        })
        .collect();
    Ok((public_ticket(d.ticket), events, d.attachments))
}
