//! A customer's page as one use case: every read it shows, for one actor, after one scope
//! check.

#[allow(unused_imports)]
use super::*;
use crate::billing::{self, InvoiceView, PaymentView, Receivables};
use crate::classification::{self, CustomerClass};
use crate::followups::{self, InteractionView, TaskView};
use crate::service::{self, TicketPage, TicketQuery};
use crate::shipments::{self, ShipmentView};
use consign_domain::Lang;
use std::collections::HashMap;

/// Which page of each of the customer's lists to show.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery {
    pub shipments: u64,
    pub invoices: u64,
    pub payments: u64,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            shipments: 1,
            invoices: 1,
            payments: 1,
        }
    }
}

/// Everything a customer's page shows.
pub struct CustomerPage {
    pub detail: CustomerDetail,
    /// The latest changes (audit), newest first, and the users they name by id.
    pub timeline: Vec<AuditView>,
    pub user_names: HashMap<i64, String>,
    pub shipments: Page<ShipmentView>,
    pub invoices: Page<InvoiceView>,
    pub receivables: Receivables,
    pub payments: Page<PaymentView>,
    pub class: Option<CustomerClass>,
    /// The customer's latest tickets, when the actor sees its tickets.
    pub tickets: Option<TicketPage>,
    /// Interactions and open tasks, when the actor handles tickets (else empty).
    pub interactions: Vec<InteractionView>,
    pub tasks: Vec<TaskView>,
    /// The customer this one was merged into, when the actor may see it: id and
    /// "code name".
    pub merged_into: Option<(CustomerId, String)>,
}

/// Shipments, invoices and payments per page on a customer's page.
const SHIPMENTS_PER_PAGE: u64 = 20;
const BILLING_PER_PAGE: u64 = 12;
const TICKETS_SHOWN: &str = "10";

/// A customer's page for `actor`: "not found" when the customer is outside its scope;
/// each part the actor's role may not see is left empty.
pub async fn page(
    app: &App,
    actor: &Actor,
    id: CustomerId,
    q: PageQuery,
    lang: Lang,
) -> Result<CustomerPage> {
    let detail = get(app, actor, id).await?;
    let (timeline, _) = timeline(app, actor, id, 1).await?;
    let user_names = crate::users::display_names(app, actor).await?;
    let shipments =
        shipments::for_customer(app, actor, id, q.shipments, SHIPMENTS_PER_PAGE).await?;
    let (invoices, receivables) =
        billing::invoices_for_customer(app, actor, id, q.invoices, BILLING_PER_PAGE).await?;
    let payments =
        billing::payments_for_customer(app, actor, id, q.payments, BILLING_PER_PAGE).await?;
    let class = classification::of_customer(app, actor, id, lang).await?;
    let tickets = if actor.role == Role::PortalUser {
        None
    } else {
        let q = TicketQuery {
            customer_id: Some(id.to_string()),
            per_page: Some(TICKETS_SHOWN.into()),
            ..Default::default()
        };
        // A role that sees no tickets gets none.
        service::list(app, actor, &q).await.ok()
    };
    let (interactions, tasks) = if actor.role.handles_tickets() {
        (
            followups::interactions(app, actor, id, 1).await?.items,
            followups::tasks_of_customer(app, actor, id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let merged_into = match detail.customer.merged_into_id {
        // Named only when the actor may see it.
        Some(mid) => visible_customer(app, actor, mid)
            .await
            .ok()
            .map(|m| (m.cid(), format!("{} {}", m.code, m.name))),
        None => None,
    };
    Ok(CustomerPage {
        detail,
        timeline,
        user_names,
        shipments,
        invoices,
        receivables,
        payments,
        class,
        tickets,
        interactions,
        tasks,
        merged_into,
    })
}
