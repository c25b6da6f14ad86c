//! The seed's workflow: steps, assignment and comments, each recorded and audited.

#[allow(unused_imports)]
use super::*;

// ---- workflow ----

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = TicketStep)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    #[schema(value_type = consign_domain::service::Action)]
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
    let t = load_to_work(app, actor, id).await?;
    apply_step(app, actor, t, input, now).await?;
    get(app, actor, id).await
}

/// The customer's answer at the callback, given through the portal by `actor` (a portal
/// account of customer `customer_id`): confirmed, or not settled (the ticket reopens as
/// when the callback fails on the phone). Only its own customer's ticket waiting for the
/// callback; another's is not found.
pub(crate) async fn callback_from_portal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    id: i64,
    confirm: bool,
    note: &str,
) -> Result<()> {
    let t = load_for_portal(app, actor, customer_id, id).await?;
    let input = StepInput {
        action: if confirm {
            "confirm"
        } else {
            "callback_failed"
        }
        .into(),
        note: note.to_string(),
        ..Default::default()
    };
    apply_step(app, actor, t, &input, Utc::now()).await
}

/// Takes a step on a loaded ticket: the rules, the change, its record, what follows.
async fn apply_step(
    app: &App,
    actor: &Actor,
    t: TicketRow,
    input: &StepInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = t.id;
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
    let policy = sla_in_force(app).await?;
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
                match Fen::parse(&input.settled) {
                    _ if input.settled.trim().is_empty() => e.add("settled", "err.required"),
                    Ok(f) if f < Fen::ZERO => e.add("settled", "err.negative"),
                    // Paying more than was claimed is a manager's decision.
                    Ok(f)
                        if t.claimed_fen.is_some_and(|c| f > Fen(c))
                            && !matches!(actor.role, Role::Admin | Role::Manager) =>
                    {
                        e.add("settled", "err.settlement_above_claim")
                    }
                    Ok(f) => {
                        ch.settled_fen = Some(Some(f.get()));
                        detail["settled"] = f.to_string().into();
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
    let mut after = serde_json::json!({"step": action.as_str(), "status": to.as_str()});
    if let Some(obj) = detail.as_object() {
        for (k, v) in obj {
            after[k] = v.clone();
        }
    }
    record(
        &txn,
        actor,
        Recorded {
            ticket_id: id,
            customer_id: t.customer_id,
            event: action.as_str(),
            audit: "ticket.step",
            from: Some(from.as_str()),
            to: Some(to.as_str()),
            note: &note,
            detail,
            summary: format!("{} {}", t.number, t.subject),
            before: Some(serde_json::json!({"status": from.as_str()})),
            after: Some(after.clone()),
        },
        now,
    )
    .await?;
    if to == Status::Closed {
        crate::webhooks::emit(
            &txn,
            crate::webhooks::Event::customer(
                "ticket.closed",
                t.customer_id,
                serde_json::json!({
                    "id": id, "number": t.number, "kind": t.kind, "subject": t.subject,
                    "customer_id": t.customer_id, "status": to.as_str(),
                    "root_cause": t.root_cause, "settled": t.settled_fen.map(|f| Fen(f).to_string()),
                    "closed_at": now,
                }),
            ),
        )
        .await?;
    }
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
    // A closed ticket asks its contact how it went (SPEC §6), as the policy says.
    if action == Action::Close {
        crate::surveys::sweep::after_closed_ticket(
            app,
            id,
            t.customer_id,
            t.contact_id,
            &t.number,
            now,
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = TicketAssign)]
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
    let t = load_to_work(app, actor, id).await?;
    let status = AppError::stored("tickets.status", &t.status, Status::parse(&t.status))?;
    if !status.is_open() {
        return Err(AppError::Conflict {
            field: "status".into(),
            code: "err.ticket_closed",
        });
    }
    let people = crate::users::ticket_handlers(app).await?;
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
    record(
        &txn,
        actor,
        Recorded {
            ticket_id: id,
            customer_id: t.customer_id,
            event: "assign",
            audit: "ticket.assign",
            from: None,
            to: None,
            note: &note,
            detail: serde_json::json!({"from": name(t.assignee_id), "to": name(to)}),
            summary: format!("{} {}", t.number, t.subject),
            before: Some(serde_json::json!({"assignee": name(t.assignee_id)})),
            after: Some(serde_json::json!({"assignee": name(to)})),
        },
        now,
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
    let t = load_to_work(app, actor, id).await?;
    let note = required_text(note, 10_000).map_err(|k| AppError::field("note", k))?;
    let txn = app.db.begin_write().await?;
    record(
        &txn,
        actor,
        Recorded {
            ticket_id: id,
            customer_id: t.customer_id,
            event: "comment",
            audit: "ticket.comment",
            from: None,
            to: None,
            note: &note,
            detail: serde_json::json!({}),
            summary: format!("{} {}", t.number, t.subject),
            before: None,
            after: None,
        },
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}
