//! Registering a ticket: input, customer resolution, deadlines from the policy, linked shipments.

#[allow(unused_imports)]
use super::*;
use consign_domain::customer::CustomerId;

// ---- register ----

/// A severity, or empty text for `normal`.
fn severity_or_empty() -> utoipa::openapi::Object {
    use consign_domain::service::Severity;
    let names = std::iter::once("").chain(Severity::ALL.iter().map(|s| s.as_str()));
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(names))
        .build()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    #[schema(value_type = consign_domain::service::TicketKind)]
    pub kind: String,
    #[schema(value_type = consign_domain::service::Channel)]
    pub channel: String,
    /// empty: normal
    #[serde(default)]
    #[schema(schema_with = severity_or_empty)]
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
    #[schema(min_length = 1, pattern = r"\S")]
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

pub(crate) fn local(app: &App, t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&app.tz()).naive_local()
}

/// The customer's value class and grade in the latest classification (None before the
/// first run).
pub(crate) async fn class_of(
    app: &App,
    customer_id: i64,
) -> Result<(Option<ValueClass>, Option<Grade>)> {
    let today = app.today();
    let conn = &app.db.conn;
    let Some(run) = consign_store::classification::current_run(conn, day_num(today)).await? else {
        return Ok((None, None));
    };
    Ok(
        match consign_store::classification::verdict(conn, run.id, CustomerId::trusted(customer_id))
            .await?
        {
            Some(v) => (ValueClass::parse(&v.value_class), Grade::parse(&v.grade)),
            None => (None, None),
        },
    )
}

pub(crate) async fn resolve_customer(
    app: &App,
    actor: &Actor,
    input: &TicketInput,
    e: &mut FieldErrors,
) -> Result<Option<customer::Model>> {
    let conn = &app.db.conn;
    let id_text = input.customer_id.trim();
    let found = if id_text.parse::<i64>().is_ok() {
        // A number that is no customer's id (0, -1) is "not found" as well.
        match CustomerId::parse(id_text) {
            Ok(id) => consign_store::customers::find(conn, id).await?,
            Err(_) => None,
        }
    } else if !input.customer_code.trim().is_empty() {
        let ids =
            consign_store::customers::ids_by_code(conn, &[input.customer_code.trim()]).await?;
        match ids.values().next() {
            Some(id) => consign_store::customers::find(conn, CustomerId::trusted(*id)).await?,
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
    if !actor.role.handles_tickets() {
        return Err(AppError::Forbidden);
    }
    let id = register(app, actor, input, now, None).await?;
    get(app, actor, id).await
}

/// Registers a ticket filed through the customer portal by `actor` (a portal account)
/// for its own customer: the customer is fixed, not read from the input; it goes to the
/// customer's account manager; a waybill of anyone else's is as unknown as a waybill that
/// does not exist. Returns the ticket's id.
pub(crate) async fn register_for_portal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    input: &TicketInput,
) -> Result<i64> {
    if actor.role != Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    register(app, actor, input, Utc::now(), Some(customer_id)).await
}

async fn register(
    app: &App,
    actor: &Actor,
    input: &TicketInput,
    now: DateTime<Utc>,
    portal: Option<i64>,
) -> Result<i64> {
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
        match Fen::parse(&input.claimed) {
            Ok(f) if f < Fen::ZERO => {
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
    let customer = match portal {
        Some(id) => consign_store::customers::find(&app.db.conn, CustomerId::trusted(id))
            .await?
            .filter(|c| c.archived_at.is_none()),
        None => resolve_customer(app, actor, input, &mut e).await?,
    };
    let conn = &app.db.conn;
    let mut contact_id = None;
    if let (Some(c), Ok(cid)) = (&customer, input.contact_id.trim().parse::<i64>()) {
        let contacts = consign_store::customers::contacts_of(conn, c.cid()).await?;
        if contacts.iter().any(|k| k.id == cid) {
            contact_id = Some(cid);
        } else {
            e.add("contact_id", "err.contact_not_of_customer");
        }
    } else if !input.contact_id.trim().is_empty() && customer.is_some() {
        e.add("contact_id", "err.invalid_choice");
    }
    let mut assignee_id = None;
    if portal.is_some() {
        assignee_id = customer.as_ref().and_then(|c| c.owner_id);
    } else if input.assignee_id.trim().is_empty() {
        assignee_id = actor.id;
    } else {
        match input.assignee_id.trim().parse::<i64>() {
            Ok(id)
                if crate::users::ticket_handlers(app)
                    .await?
                    .iter()
                    .any(|a| a.id == id) =>
            {
                assignee_id = Some(id)
            }
            _ => e.add("assignee_id", "err.invalid_choice"),
        }
    }
    let mut waybills: Vec<(WaybillNo, Option<i64>)> = Vec::new();
    for w in input
        .waybills
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        match WaybillNo::parse(w) {
            Err(k) => e.add("waybills", k),
            Ok(w) => match consign_store::shipments::find_by_waybill(conn, &w).await? {
                Some(s) if customer.as_ref().is_some_and(|c| c.id == s.customer_id) => {
                    waybills.push((w, Some(s.id)))
                }
                Some(_) if portal.is_some() => e.add("waybills", "err.unknown_waybill"),
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
    let policy = sla_in_force(app).await?;
    let (vc, grade) = class_of(app, customer.id).await?;
    let target = policy.target(vc, grade, severity);
    let start = local(app, now);
    let first_due = app.utc(policy.deadline(severity, start, target.first_response_minutes));
    let resolution_due = app.utc(policy.deadline(severity, start, target.resolution_minutes));
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
            claimed_fen: claimed.map(Fen::get),
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
    record(
        &txn,
        actor,
        Recorded {
            ticket_id: id,
            customer_id: customer.id,
            event: "register",
            audit: "ticket.register",
            from: None,
            to: Some(Status::Registered.as_str()),
            note: &description,
            detail: serde_json::json!({
                "first_response_minutes": target.first_response_minutes,
                "resolution_minutes": target.resolution_minutes,
                "value_class": vc.map(|v| v.as_str()),
                "grade": grade.map(|g| g.as_str()),
            }),
            summary: format!("{number} {subject}"),
            before: None,
            after: Some(serde_json::json!({
                "number": number, "kind": kind.as_str(), "channel": channel.as_str(),
                "severity": severity.as_str(), "status": Status::Registered.as_str(),
                "waybills": waybills.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
            })),
        },
        now,
    )
    .await?;
    crate::webhooks::emit(
        &txn,
        crate::webhooks::Event::customer(
            "ticket.opened",
            customer.id,
            serde_json::json!({
                "id": id, "number": number, "kind": kind.as_str(), "channel": channel.as_str(),
                "severity": severity.as_str(), "status": Status::Registered.as_str(),
                "subject": subject, "customer_id": customer.id, "customer_code": customer.code,
                "customer_name": customer.name, "assignee_id": assignee_id,
                "claimed": claimed.map(|f| f.to_string()),
                "waybills": waybills.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
                "first_response_due": first_due, "resolution_due": resolution_due,
            }),
        ),
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
    Ok(id)
}
