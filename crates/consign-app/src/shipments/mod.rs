//! Shipments by API and on screen: read within the customer scope, written (single or
//! batch) by roles that feed operations data, always through the store's rollup-keeping
//! writes.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope;
use crate::Page;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::customer::ServiceMode;
use consign_domain::ops::{waybill_no, Fen, WaybillNo};
use consign_domain::params;
use consign_domain::shipment::{local_day, Exception, Exceptions, Shipment, ShipmentStatus};
use consign_domain::FieldErrors;
use consign_store::shipments::{self as repo, ShipmentWrite, StoredShipment};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

mod list;
pub use list::{filter, list, ShipmentPage, ShipmentQuery};

/// Shipments per batch request at most.
pub const MAX_BATCH: usize = 1_000;

/// A shipment as the API takes it: money in fen, weight in grams, volume in cm³, times
/// in ISO 8601. The customer by `customer_code` (or `customer_id`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ShipmentInput {
    /// 4–40 letters, digits or hyphens
    #[schema(required = true)]
    pub waybill_no: String,
    /// the customer's code, or else customer_id
    pub customer_code: Option<String>,
    pub customer_id: Option<String>,
    #[schema(value_type = Option<consign_domain::customer::ServiceMode>)]
    pub service_mode: Option<String>,
    /// the carrier's product name as the source names it (精准卡航…)
    pub product: Option<String>,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    pub goods_type: Option<String>,
    pub pieces: Option<i64>,
    pub weight_g: Option<i64>,
    pub volume_cm3: Option<i64>,
    pub revenue_fen: Option<Fen>,
    pub cost_fen: Option<Fen>,
    pub ordered_at: Option<DateTime<Utc>>,
    pub promised_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<consign_domain::shipment::ShipmentStatus>)]
    pub status: Option<String>,
    /// Exception names (`damaged`, `short`, …); `delayed` is derived and ignored here.
    #[schema(value_type = Vec<consign_domain::shipment::Exception>)]
    pub exceptions: Vec<String>,
    pub note: Option<String>,
    /// the shipper's (寄件人) phone, or its last four digits: only those four are kept,
    /// for public tracking
    pub shipper_phone: Option<String>,
    /// the consignee's (收件人) phone, or its last four digits (only those are kept)
    pub consignee_phone: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Shipment)]
pub struct ShipmentView {
    pub id: String,
    pub waybill_no: String,
    pub customer: CustomerRef,
    pub service_mode: Option<ServiceMode>,
    /// The carrier's product name as imported ("" when none was given).
    pub product: String,
    pub origin_city: String,
    pub destination_city: String,
    pub goods_type: String,
    pub pieces: i64,
    pub weight_g: i64,
    pub volume_cm3: i64,
    pub revenue_fen: Fen,
    pub cost_fen: Option<Fen>,
    pub currency: &'static str,
    pub ordered_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub status: ShipmentStatus,
    pub exceptions: Vec<Exception>,
    pub note: String,
    /// The last four digits of the shipper's and the consignee's phone ("" when
    /// unknown): what a visitor gives at public tracking.
    pub shipper_phone_last4: String,
    pub consignee_phone_last4: String,
    /// Held for credit: the customer's exposure was over its limit under the block
    /// policy when it was written; a credit officer releases it.
    pub on_hold: bool,
    /// Why it is (or was) held: `over_limit`; empty when never held.
    pub hold_reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ShipmentView {
    fn of(s: &StoredShipment, customer_name: &str) -> ShipmentView {
        let x = &s.shipment;
        ShipmentView {
            id: s.id.to_string(),
            waybill_no: x.waybill_no.to_string(),
            customer: CustomerRef {
                id: s.customer_id.to_string(),
                code: x.customer_code.clone(),
                name: customer_name.to_string(),
            },
            service_mode: x.service_mode,
            product: x.product.clone(),
            origin_city: x.origin_city.clone(),
            destination_city: x.destination_city.clone(),
            goods_type: x.goods_type.clone(),
            pieces: x.pieces,
            weight_g: x.weight_g,
            volume_cm3: x.volume_cm3,
            revenue_fen: x.revenue_fen,
            cost_fen: x.cost_fen,
            currency: "CNY",
            ordered_at: x.ordered_at,
            promised_at: x.promised_at,
            shipped_at: x.shipped_at,
            delivered_at: x.delivered_at,
            status: x.status,
            exceptions: x.exceptions.list(),
            note: x.note.clone(),
            shipper_phone_last4: x.shipper_phone_last4.clone(),
            consignee_phone_last4: x.consignee_phone_last4.clone(),
            on_hold: s.on_hold,
            hold_reason: s.hold_reason.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }

    pub fn has(&self, e: &str) -> bool {
        self.exceptions.iter().any(|x| x.as_str() == e)
    }
}

/// Whether a write created the shipment or changed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub outcome: Outcome,
    pub shipment: ShipmentView,
}

async fn view(app: &App, actor: &Actor, s: StoredShipment) -> Result<ShipmentView> {
    let c = scope::visible_customer(app, actor, CustomerId::trusted(s.customer_id)).await?;
    Ok(ShipmentView::of(&s, &c.name))
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<ShipmentView> {
    let s = repo::find(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    view(app, actor, s).await
}

pub async fn get_by_waybill(app: &App, actor: &Actor, waybill: &str) -> Result<ShipmentView> {
    let w = waybill_no(waybill).map_err(|_| AppError::NotFound)?;
    let s = repo::find_by_waybill(&app.db.conn, &w)
        .await?
        .ok_or(AppError::NotFound)?;
    view(app, actor, s).await
}

/// A customer's shipments, newest first.
pub async fn for_customer(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    page: u64,
    per_page: u64,
) -> Result<Page<ShipmentView>> {
    let c = scope::visible_customer(app, actor, customer_id).await?;
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let (rows, total) = repo::list_for_customer(
        &app.db.conn,
        customer_id,
        params::offset(page, per_page),
        per_page,
    )
    .await?;
    Ok(Page {
        items: rows.iter().map(|s| ShipmentView::of(s, &c.name)).collect(),
        total,
        page,
        per_page,
    })
}

/// Checks one input; `path` prefixes field names (`items[3].`).
fn validate(
    input: &ShipmentInput,
    path: &str,
    errs: &mut FieldErrors,
) -> Option<(Shipment, Option<CustomerId>)> {
    let f = |name: &str| format!("{path}{name}");
    let before = errs.0.len();
    let waybill = errs.check(&f("waybill_no"), WaybillNo::parse(&input.waybill_no));
    let customer_id = match &input.customer_id {
        Some(s) => errs.check(&f("customer_id"), CustomerId::parse_ref(s)),
        None => None,
    };
    let code = input
        .customer_code
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    if code.is_empty() && input.customer_id.is_none() {
        errs.add(f("customer_code"), "err.required");
    }
    let service_mode = match input.service_mode.as_deref() {
        None | Some("") => None,
        Some(m) => match ServiceMode::parse(m) {
            Some(m) => Some(m),
            None => {
                errs.add(f("service_mode"), "err.unknown_service_mode");
                None
            }
        },
    };
    let status = match input.status.as_deref() {
        None | Some("") => None,
        Some(s) => match ShipmentStatus::parse(s) {
            Some(s) => Some(s),
            None => {
                errs.add(f("status"), "err.unknown_status");
                None
            }
        },
    };
    let mut exceptions = Exceptions::default();
    for e in &input.exceptions {
        match Exception::parse(e) {
            Some(Exception::Delayed) => {}
            Some(x) => exceptions.set(x, true),
            None => errs.add(f("exceptions"), "err.unknown_exception"),
        }
    }
    if input.ordered_at.is_none() {
        errs.add(f("ordered_at"), "err.required");
    }
    if input.revenue_fen.is_none() {
        errs.add(f("revenue_fen"), "err.required");
    }
    let text = |v: &Option<String>, name: &str, max: usize, errs: &mut FieldErrors| {
        let t = v.as_deref().unwrap_or("").trim().to_string();
        if t.chars().count() > max {
            errs.add(f(name), "err.too_long");
        }
        t
    };
    let origin_city = text(&input.origin_city, "origin_city", 100, errs);
    let destination_city = text(&input.destination_city, "destination_city", 100, errs);
    let goods_type = text(&input.goods_type, "goods_type", 100, errs);
    let product = text(&input.product, "product", 100, errs);
    let note = text(&input.note, "note", 1000, errs);
    let phone = |v: &Option<String>, name: &str, errs: &mut FieldErrors| {
        let t = v.as_deref().unwrap_or("").trim();
        if t.is_empty() {
            return String::new();
        }
        consign_domain::tracking::last4(t).unwrap_or_else(|| {
            errs.add(f(name), "err.phone_last4");
            String::new()
        })
    };
    let shipper_phone_last4 = phone(&input.shipper_phone, "shipper_phone", errs);
    let consignee_phone_last4 = phone(&input.consignee_phone, "consignee_phone", errs);
    let (Some(waybill_no), Some(ordered_at), Some(revenue_fen)) =
        (waybill, input.ordered_at, input.revenue_fen)
    else {
        return None;
    };
    let mut s = Shipment {
        waybill_no,
        customer_code: code,
        service_mode,
        product,
        origin_city,
        destination_city,
        goods_type,
        pieces: input.pieces.unwrap_or(1),
        weight_g: input.weight_g.unwrap_or(0),
        volume_cm3: input.volume_cm3.unwrap_or(0),
        revenue_fen,
        cost_fen: input.cost_fen,
        ordered_at,
        promised_at: input.promised_at,
        shipped_at: input.shipped_at,
        delivered_at: input.delivered_at,
        status: status.unwrap_or(if input.delivered_at.is_some() {
            ShipmentStatus::Delivered
        } else if input.shipped_at.is_some() {
            ShipmentStatus::InTransit
        } else {
            ShipmentStatus::Created
        }),
        exceptions,
        note,
        shipper_phone_last4,
        consignee_phone_last4,
    };
    let map_field = |n: &'static str| -> &'static str {
        match n {
            "weight_kg" => "weight_g",
            "volume_m3" => "volume_cm3",
            "revenue" => "revenue_fen",
            "cost" => "cost_fen",
            other => other,
        }
    };
    if let Err(broken) = s.normalize() {
        for (field, key) in broken {
            errs.add(f(map_field(field)), key);
        }
    }
    (errs.0.len() == before).then_some((s, customer_id))
}

/// Creates or replaces shipments by waybill number, all or none: any invalid item makes
/// the whole request a 422 naming `items[i].field`.
pub async fn upsert(app: &App, actor: &Actor, inputs: &[ShipmentInput]) -> Result<Vec<Written>> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    if inputs.len() > MAX_BATCH {
        errs.add("items", "err.batch_too_large");
        return Err(AppError::Validation(errs));
    }
    let single = inputs.len() == 1;
    let mut checked = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let path = if single {
            String::new()
        } else {
            format!("items[{i}].")
        };
        if let Some(v) = validate(input, &path, &mut errs) {
            checked.push((i, v));
        }
    }
    // Customers: by code or id, each visible to the caller.
    let refs: Vec<scope::CustomerRefIn> = checked
        .iter()
        .map(|(_, (s, id))| scope::CustomerRefIn {
            id: *id,
            code: s.customer_code.as_str(),
        })
        .collect();
    let found = scope::resolve_refs(app, actor, &refs).await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut resolved = Vec::with_capacity(checked.len());
    for ((i, (mut s, id)), found) in checked.into_iter().zip(found) {
        match found {
            Some((cid, code, name)) => {
                s.customer_code = code;
                names.insert(cid, name);
                resolved.push((cid, s));
            }
            None => errs.add(
                format!(
                    "{}{}",
                    if single {
                        String::new()
                    } else {
                        format!("items[{i}].")
                    },
                    if id.is_some() {
                        "customer_id"
                    } else {
                        "customer_code"
                    }
                ),
                "err.unknown_customer",
            ),
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    // The later item of a waybill wins, as in imports.
    let mut last: HashMap<String, usize> = HashMap::new();
    for (i, (_, s)) in resolved.iter().enumerate() {
        last.insert(s.waybill_no.to_string(), i);
    }
    let tz = app.tz();
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let waybills: Vec<&str> = resolved
        .iter()
        .map(|(_, s)| s.waybill_no.as_str())
        .collect();
    let old = repo::existing(&txn, &waybills).await?;
    // A waybill of a customer the caller cannot see is refused, not moved.
    scope::refuse_numbers_out_of_scope(
        app,
        actor,
        &txn,
        resolved
            .iter()
            .map(|(_, s)| old.get(s.waybill_no.as_str()).map(|o| o.customer_id)),
        single,
        "waybill_no",
    )
    .await?;
    let mut writes = Vec::new();
    let mut outcomes = Vec::with_capacity(resolved.len());
    for (i, (cid, s)) in resolved.iter().enumerate() {
        let day = local_day(s.ordered_at, tz);
        let outcome = match old.get(s.waybill_no.as_str()) {
            Some(o) if o.same_content(CustomerId::trusted(*cid), day, s) => Outcome::Unchanged,
            Some(_) => Outcome::Updated,
            None => Outcome::Created,
        };
        outcomes.push(outcome);
        if outcome != Outcome::Unchanged && last.get(s.waybill_no.as_str()) == Some(&i) {
            writes.push(ShipmentWrite {
                customer_id: *cid,
                order_day: day,
                shipment: s.clone(),
                held_at: None,
            });
        }
    }
    let ids: Vec<i64> = writes
        .iter()
        .map(|w| w.customer_id)
        .chain(old.values().map(|o| o.customer_id))
        .collect();
    let mut book = crate::credit::Book::of_customers(&txn, &ids).await?;
    let held = book.decide(&mut writes, &old, now);
    repo::write_batch(&txn, &writes, &old, None, now).await?;
    crate::credit::hold_written(&txn, actor, &held).await?;
    crate::credit::notify_crossings(app, &txn, Some(&ids)).await?;
    if !writes.is_empty() {
        audit::record(
            &txn,
            actor,
            Entry {
                action: "shipment.write",
                entity_type: "shipment",
                entity_id: writes[0].shipment.waybill_no.to_string(),
                customer_id: (writes.len() == 1).then(|| writes[0].customer_id),
                summary: Some(format!(
                    "{} ({})",
                    writes
                        .iter()
                        .take(5)
                        .map(|w| w.shipment.waybill_no.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    writes.len()
                )),
                said: None,
                before: None,
                after: None,
            },
        )
        .await?;
    }
    let fresh = repo::existing(&txn, &waybills).await?;
    txn.commit().await?;
    let mut out = Vec::with_capacity(resolved.len());
    for ((cid, s), outcome) in resolved.iter().zip(outcomes) {
        let stored = fresh.get(s.waybill_no.as_str()).ok_or(AppError::NotFound)?;
        let name = names.get(cid).map(String::as_str).unwrap_or_default();
        out.push(Written {
            outcome,
            shipment: ShipmentView::of(stored, name),
        });
    }
    Ok(out)
}

/// Deletes a shipment (and takes it out of the rollups), audited.
pub async fn delete(app: &App, actor: &Actor, id: i64) -> Result<()> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    let s = get(app, actor, id).await?;
    let txn = app.db.begin_write().await?;
    if !repo::delete(&txn, id).await? {
        return Err(AppError::NotFound);
    }
    if let Ok(cid) = s.customer.id.parse::<i64>() {
        crate::credit::notify_crossings(app, &txn, Some(&[cid])).await?;
    }
    audit::record(
        &txn,
        actor,
        Entry::deleted(
            "shipment.delete",
            "shipment",
            &s.waybill_no,
            s.customer.id.parse().ok(),
            &s,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A tracking event as the API takes and gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventInput {
    pub at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub status_text: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TrackingEvent)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub place: String,
    pub status_text: String,
}

impl From<repo::TrackingEvent> for EventView {
    fn from(e: repo::TrackingEvent) -> EventView {
        EventView {
            at: e.at,
            place: e.place,
            status_text: e.status_text,
        }
    }
}

/// A shipment's tracking timeline, oldest first.
pub async fn events(app: &App, actor: &Actor, id: i64) -> Result<Vec<EventView>> {
    get(app, actor, id).await?;
    Ok(repo::events(&app.db.conn, id)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect())
}

/// Records tracking events (ones already recorded are kept once); returns how many were new.
pub async fn add_events(app: &App, actor: &Actor, id: i64, inputs: &[EventInput]) -> Result<u64> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    get(app, actor, id).await?;
    let mut errs = FieldErrors::new();
    let mut events = Vec::with_capacity(inputs.len());
    if inputs.len() > MAX_BATCH {
        errs.add("items", "err.batch_too_large");
    }
    for (i, e) in inputs.iter().enumerate() {
        let text = e.status_text.as_deref().unwrap_or("").trim().to_string();
        let place = e.place.as_deref().unwrap_or("").trim().to_string();
        if e.at.is_none() {
            errs.add(format!("items[{i}].at"), "err.required");
        }
        if text.is_empty() {
            errs.add(format!("items[{i}].status_text"), "err.required");
        } else if text.chars().count() > 500 {
            errs.add(format!("items[{i}].status_text"), "err.too_long");
        }
        if place.chars().count() > 100 {
            errs.add(format!("items[{i}].place"), "err.too_long");
        }
        if let Some(at) = e.at {
            events.push(consign_store::shipments::TrackingEvent {
                at,
                place,
                status_text: text,
            });
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let txn = app.db.begin_write().await?;
    let n = repo::add_events(&txn, id, &events).await?;
    txn.commit().await?;
    Ok(n)
}

/// The setting that records the time zone the rollups' days are in.
const ROLLUP_TZ: &str = "rollups.timezone";

/// Rebuilds every customer's order days and rollups in the company's current time zone,
/// one customer per transaction, then records the zone. Returns (customers, shipments).
pub async fn rebuild_rollups(app: &App) -> Result<(u64, u64)> {
    let tz = app.tz();
    let day_of = move |t: DateTime<Utc>| local_day(t, tz);
    let ids = repo::customers_with_shipments(&app.db.conn).await?;
    let mut shipments = 0;
    for id in &ids {
        let txn = app.db.begin_write().await?;
        shipments += repo::rebuild_customer(&txn, CustomerId::trusted(*id), &day_of).await?;
        // The first unbilled day is a local day too: the exposure follows the new days.
        consign_store::credit::recompute(&txn, &[*id], tz).await?;
        txn.commit().await?;
    }
    consign_store::settings::set(&app.db.conn, ROLLUP_TZ, tz.name(), None).await?;
    Ok((ids.len() as u64, shipments))
}

/// At start-up: when the company's time zone differs from the one the rollups were
/// built in, rebuilds them (days move with the zone). A database without the record
/// gets the current zone written.
pub async fn rollups_follow_timezone(app: &App) -> Result<()> {
    let tz = app.tz();
    match consign_store::settings::get(&app.db.conn, ROLLUP_TZ).await? {
        Some(z) if z == tz.name() => Ok(()),
        None => Ok(consign_store::settings::set(&app.db.conn, ROLLUP_TZ, tz.name(), None).await?),
        Some(old) => {
            tracing::warn!(from = %old, to = %tz.name(), "company time zone changed: rebuilding rollups");
            let (customers, shipments) = rebuild_rollups(app).await?;
            tracing::info!(customers, shipments, "rollups rebuilt");
            Ok(())
        }
    }
}
