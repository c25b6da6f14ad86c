//! Credit holds: which written shipments go on hold (every write path decides through
//! [`Book`]), the hold list, and releasing held shipments (credit staff, audited).

use super::may_see;
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::{visibility, visible_customer};
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::credit::Guard;
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_store::credit as repo;
use consign_store::shipments::{ShipmentWrite, StoredShipment};
use consign_store::ConnectionTrait;
use serde::Serialize;
use std::collections::HashMap;

/// The accounts shipments are being written for, with their exposure as the writes go:
/// decides which rows go on hold.
#[derive(Debug, Default)]
pub struct Book {
    guards: HashMap<i64, Guard>,
}

impl Book {
    /// The accounts of these customers, locked until the transaction ends (a write of a
    /// few rows: the API, the demo).
    pub async fn of_customers<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Book> {
        Ok(Book {
            guards: repo::of_customers(conn, ids, true)
                .await?
                .into_iter()
                .map(|(id, a)| (id, a.guard()))
                .collect(),
        })
    }

    /// Every account that can hold shipments (an import, read once at its start and
    /// carried along its rows).
    pub async fn blocking<C: ConnectionTrait>(conn: &C) -> Result<Book> {
        Ok(Book {
            guards: repo::blocking(conn).await?,
        })
    }

    /// Takes `writes` (over the stored `old` rows) into the exposure, in order, marks
    /// those that go on hold (held at `now`: they are stored so) and returns their
    /// waybills.
    pub fn decide(
        &mut self,
        writes: &mut [ShipmentWrite],
        old: &HashMap<String, StoredShipment>,
        now: DateTime<Utc>,
    ) -> Vec<String> {
        if self.guards.is_empty() {
            return Vec::new();
        }
        let mut held = Vec::new();
        for w in writes.iter_mut() {
            let s = &w.shipment;
            let o = old.get(s.waybill_no.as_str());
            let mut delta = Fen::ZERO;
            if let Some(o) = o {
                if let Some(g) = self.guards.get_mut(&o.customer_id) {
                    let before = g.uninvoiced(o.order_day, o.shipment.revenue_fen);
                    if o.customer_id == w.customer_id {
                        delta -= before;
                    } else {
                        g.admit(Fen::ZERO - before, false);
                    }
                }
            }
            if let Some(g) = self.guards.get_mut(&w.customer_id) {
                delta += g.uninvoiced(w.order_day, s.revenue_fen);
                if g.admit(delta, o.is_none()) {
                    held.push(s.waybill_no.to_string());
                    w.held_at = Some(now);
                }
            }
        }
        held
    }
}

/// Audits the holds `book` decided, in the writer's transaction (the rows went in held).
pub async fn hold_written<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    held: &[String],
) -> Result<()> {
    if held.is_empty() {
        return Ok(());
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "shipment.hold",
            entity_type: "shipment",
            entity_id: held[0].to_string(),
            customer_id: None,
            summary: Some(format!(
                "{} ({})",
                held.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                held.len()
            )),
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}

/// A held shipment as the hold list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HeldShipment)]
pub struct HeldView {
    pub id: String,
    pub waybill_no: String,
    pub customer_id: String,
    pub customer_code: String,
    pub customer_name: String,
    pub revenue_fen: Fen,
    pub origin_city: String,
    pub destination_city: String,
    pub ordered_at: DateTime<Utc>,
    pub hold_reason: String,
    pub held_at: Option<DateTime<Utc>>,
}

/// Held shipments of the customers in scope (or of one), latest first.
pub async fn held(
    app: &App,
    actor: &Actor,
    customer_id: Option<CustomerId>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<HeldView>, u64)> {
    may_see(actor)?;
    if let Some(id) = customer_id {
        visible_customer(app, actor, id).await?;
    }
    let vis = visibility(app, actor).await?;
    let (rows, total) = repo::held(
        &app.db.conn,
        &vis,
        customer_id.map(CustomerId::get),
        page.max(1),
        per_page.clamp(1, 200),
    )
    .await?;
    Ok((
        rows.into_iter()
            .map(|h| HeldView {
                id: h.id.to_string(),
                waybill_no: h.waybill_no,
                customer_id: h.customer_id.to_string(),
                customer_code: h.customer_code,
                customer_name: h.customer_name,
                revenue_fen: Fen(h.revenue_fen),
                origin_city: h.origin_city,
                destination_city: h.destination_city,
                ordered_at: h.ordered_at,
                hold_reason: h.hold_reason,
                held_at: h.held_at,
            })
            .collect(),
        total,
    ))
}

/// Releases one held shipment (credit staff), audited.
pub async fn release(app: &App, actor: &Actor, shipment_id: i64, note: &str) -> Result<()> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let s = consign_store::shipments::find(&app.db.conn, shipment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_customer(app, actor, CustomerId::trusted(s.customer_id)).await?;
    let txn = app.db.begin_write().await?;
    if !repo::release(&txn, shipment_id).await? {
        return Err(AppError::Conflict {
            field: "id".into(),
            code: "err.not_on_hold",
        });
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "shipment.release",
            entity_type: "shipment",
            entity_id: s.shipment.waybill_no.to_string(),
            customer_id: Some(s.customer_id),
            summary: Some(format!(
                "{} {}",
                s.shipment.waybill_no.as_str(),
                note.trim()
            )),
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Releases every held shipment of a customer (credit staff), audited; how many.
pub async fn release_all(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    note: &str,
) -> Result<u64> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    visible_customer(app, actor, customer_id).await?;
    let txn = app.db.begin_write().await?;
    let n = repo::release_all(&txn, customer_id.get()).await?;
    if n > 0 {
        audit::record(
            &txn,
            actor,
            Entry {
                action: "shipment.release",
                entity_type: "customer",
                entity_id: customer_id.get().to_string(),
                customer_id: Some(customer_id.get()),
                summary: Some(format!("{n} {}", note.trim())),
                said: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(n)
}
