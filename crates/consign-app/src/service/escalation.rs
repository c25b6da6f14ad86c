//! Escalation of SLA breaches to the assignee's manager.

#[allow(unused_imports)]
use super::*;
use crate::webhooks::bots;

// ---- escalation ----

/// The managers a breach goes to: the nearest unit, from the assignee's (or, when
/// unassigned, the customer owner's) unit up to the root, that has active managers; the
/// admins when none has.
pub(crate) async fn managers_for(app: &App, user: Option<i64>) -> Result<Vec<i64>> {
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
        let local_deadline = local(app, deadline).format("%Y-%m-%d %H:%M").to_string();
        record(
            &txn,
            &actor,
            Recorded {
                ticket_id: id,
                customer_id: t.customer_id,
                event: if which == "response" {
                    "escalate_response"
                } else {
                    "escalate_resolution"
                },
                audit: "ticket.escalate",
                from: None,
                to: None,
                note: &names.join("、"),
                detail: serde_json::json!({"deadline": deadline, "to": names}),
                summary: format!("{} {}", t.number, t.subject),
                before: None,
                after: Some(
                    serde_json::json!({"breach": which, "deadline": local_deadline, "to": names}),
                ),
            },
            now,
        )
        .await?;
        crate::webhooks::emit(
            &txn,
            crate::webhooks::Event::customer(
                "ticket.escalated",
                t.customer_id,
                serde_json::json!({
                    "id": id, "number": t.number, "kind": t.kind, "subject": t.subject,
                    "customer_id": t.customer_id, "status": t.status, "breach": which,
                    "deadline": deadline, "escalated_to": names,
                }),
            ),
        )
        .await?;
        let team = bots::unit_path_of(&txn, t.assignee_id.or(t.owner_id)).await?;
        let to_names = names.join("、");
        bots::post(
            &txn,
            "ticket.escalated",
            team.as_deref(),
            &format!("customer:{}", t.customer_id),
            |lang| {
                bots::escalation(
                    app,
                    lang,
                    &bots::Escalation {
                        ticket_id: id,
                        number: &t.number,
                        subject: &t.subject,
                        customer: &t.customer_name,
                        which,
                        deadline: &local_deadline,
                        to: &to_names,
                    },
                )
            },
        )
        .await?;
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
        txn.commit().await?;
        n += 1;
    }
    Ok(n)
}
