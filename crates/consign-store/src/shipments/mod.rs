//! Shipments and their per-customer rollups by day and by month.
//!
//! Every write goes through [`write_batch`] or [`delete`], which change the rollups by
//! exactly what the rows they touch contribute (new minus old), in the caller's
//! transaction: the rollups never drift from the raw shipments, whatever is killed when.

use crate::dialect::bulk::BulkTxn;
pub(crate) use crate::dialect::shipment_ts;
use crate::dialect::stmt;
pub(crate) use crate::dialect::{insert_sql, rollup_upsert_sql, Constant};
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::customer::ServiceMode;
use consign_domain::ops::{Fen, WaybillNo};
use consign_domain::shipment::{month_of, DayFigures, Exceptions, Shipment, ShipmentStatus};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use std::collections::{BTreeMap, HashMap};

/// The columns bound per row; `import_run_id`, `created_at` and `updated_at` follow as
/// literals (the same for a whole batch: fewer values to bind).
pub(crate) const COLUMNS: &str =
    "waybill_no, customer_id, service_mode, origin_city, destination_city, \
    goods_type, pieces, weight_g, volume_cm3, revenue_fen, cost_fen, ordered_at, order_day, \
    promised_at, shipped_at, delivered_at, status, exceptions, note, product, \
    shipper_phone_last4, consignee_phone_last4, on_hold, hold_reason, held_at, import_run_id, created_at, updated_at";
pub(crate) const N_COLUMNS: usize = 25;

pub use crate::dialect::{pieces, ROWS_PER_STATEMENT};

/// The constants of a batch of new shipments: the import run, and now as created and
/// updated.
pub(crate) fn constants(import_run_id: Option<i64>, now: DateTime<Utc>) -> [Constant; 3] {
    [
        Constant::OptInt8(import_run_id),
        Constant::Time(now),
        Constant::Time(now),
    ]
}

/// A shipment as stored: the domain value with its customer resolved and its day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShipment {
    pub id: i64,
    pub customer_id: i64,
    pub order_day: i32,
    pub shipment: Shipment,
    /// The import run that last wrote it, if any.
    pub import_run_id: Option<i64>,
    /// Held for credit (its customer over the limit under the block policy), and why.
    pub on_hold: bool,
    pub hold_reason: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredShipment {
    /// Whether writing `other` over this one would change anything a user can see.
    pub fn same_content(&self, customer_id: CustomerId, order_day: i32, s: &Shipment) -> bool {
        let customer_id = customer_id.get();
        self.customer_id == customer_id
            && self.order_day == order_day
            && self.shipment.without_code() == s.without_code()
    }
}

trait WithoutCode {
    fn without_code(&self) -> Shipment;
}
impl WithoutCode for Shipment {
    fn without_code(&self) -> Shipment {
        Shipment {
            customer_code: String::new(),
            ..self.clone()
        }
    }
}

/// A row to write: new or replacing the stored shipment with the same waybill number.
#[derive(Debug, Clone)]
pub struct ShipmentWrite {
    pub customer_id: i64,
    pub order_day: i32,
    pub shipment: Shipment,
    /// When it goes in on credit hold (its customer over the limit under the block
    /// policy): set by the writer's credit book before the write. A stored hold stays
    /// when a row replaces it unheld; only credit staff release it.
    pub held_at: Option<DateTime<Utc>>,
}

/// Why a held shipment is held.
pub const HOLD_OVER_LIMIT: &str = "over_limit";

fn ts(t: Option<DateTime<Utc>>) -> Value {
    Value::ChronoDateTimeUtc(t.map(Box::new))
}

pub(crate) fn parse_row(r: &QueryResult) -> Result<StoredShipment> {
    let mode: Option<String> = r.try_get("", "service_mode")?;
    let status: String = r.try_get("", "status")?;
    let exceptions: i32 = r.try_get("", "exceptions")?;
    Ok(StoredShipment {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        order_day: r.try_get("", "order_day")?,
        import_run_id: r.try_get("", "import_run_id")?,
        on_hold: r.try_get("", "on_hold")?,
        hold_reason: r.try_get("", "hold_reason")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        shipment: Shipment {
            waybill_no: WaybillNo::trusted(r.try_get("", "waybill_no")?),
            customer_code: r.try_get("", "customer_code")?,
            service_mode: mode.as_deref().and_then(ServiceMode::parse),
            origin_city: r.try_get("", "origin_city")?,
            destination_city: r.try_get("", "destination_city")?,
            goods_type: r.try_get("", "goods_type")?,
            pieces: r.try_get("", "pieces")?,
            weight_g: r.try_get("", "weight_g")?,
            volume_cm3: r.try_get("", "volume_cm3")?,
            revenue_fen: Fen(r.try_get("", "revenue_fen")?),
            cost_fen: r.try_get::<Option<i64>>("", "cost_fen")?.map(Fen),
            ordered_at: r.try_get("", "ordered_at")?,
            promised_at: r.try_get("", "promised_at")?,
            shipped_at: r.try_get("", "shipped_at")?,
            delivered_at: r.try_get("", "delivered_at")?,
            status: ShipmentStatus::parse(&status).unwrap_or(ShipmentStatus::Created),
            exceptions: Exceptions(exceptions),
            note: r.try_get("", "note")?,
            product: r.try_get("", "product")?,
            shipper_phone_last4: r.try_get("", "shipper_phone_last4")?,
            consignee_phone_last4: r.try_get("", "consignee_phone_last4")?,
        },
    })
}

pub(crate) const SELECT: &str = "SELECT s.id, s.customer_id, c.code AS customer_code, s.waybill_no, \
    s.service_mode, s.origin_city, s.destination_city, s.goods_type, s.pieces, s.weight_g, \
    s.volume_cm3, s.revenue_fen, s.cost_fen, s.ordered_at, s.order_day, s.promised_at, \
    s.shipped_at, s.delivered_at, s.status, s.exceptions, s.note, s.product, s.shipper_phone_last4, s.consignee_phone_last4, s.import_run_id, s.on_hold, s.hold_reason, s.created_at, s.updated_at \
    FROM shipments s JOIN customers c ON c.id = s.customer_id";

/// The stored shipments among these waybill numbers, by number.
pub async fn existing<C: ConnectionTrait>(
    conn: &C,
    waybills: &[&str],
) -> Result<HashMap<String, StoredShipment>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in pieces(waybills) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("{SELECT} WHERE s.waybill_no IN ({marks})");
        let values = chunk.iter().map(|w| Value::from(*w)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            let s = parse_row(&r)?;
            out.insert(s.shipment.waybill_no.to_string(), s);
        }
    }
    Ok(out)
}

pub async fn find_by_waybill<C: ConnectionTrait>(
    conn: &C,
    waybill: &str,
) -> Result<Option<StoredShipment>> {
    Ok(existing(conn, &[waybill]).await?.remove(waybill))
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<StoredShipment>> {
    let backend = conn.get_database_backend();
    let sql = format!("{SELECT} WHERE s.id = ?");
    match conn.query_one(stmt(backend, &sql, vec![id.into()])).await? {
        Some(r) => Ok(Some(parse_row(&r)?)),
        None => Ok(None),
    }
}

/// A customer's shipments, newest order first.
pub async fn list_for_customer<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    offset: u64,
    limit: u64,
) -> Result<(Vec<StoredShipment>, u64)> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    let sql = format!(
        "{SELECT} WHERE s.customer_id = ? ORDER BY s.ordered_at DESC, s.id DESC LIMIT ? OFFSET ?"
    );
    let rows = conn
        .query_all(stmt(
            backend,
            &sql,
            vec![
                customer_id.into(),
                (limit as i64).into(),
                (offset as i64).into(),
            ],
        ))
        .await?;
    let total = conn
        .query_one(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM shipments WHERE customer_id = ?",
            vec![customer_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let list = rows.iter().map(parse_row).collect::<Result<Vec<_>>>()?;
    Ok((list, total.max(0) as u64))
}

/// Deletes a shipment and takes it out of the rollups.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool> {
    let Some(old) = find(conn, id).await? else {
        return Ok(false);
    };
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "DELETE FROM shipments WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    let mut d = DayFigures::default();
    d.add(&DayFigures::of(&old.shipment), -1);
    apply_rollup_deltas(conn, HashMap::from([((old.customer_id, old.order_day), d)])).await?;
    Ok(true)
}

/// Shipments after id `after` (of one customer, or all), in id order, `limit` at most
/// (for streaming exports).
pub async fn page_after<C: ConnectionTrait>(
    conn: &C,
    customer: Option<i64>,
    vis: &crate::scope::Visibility,
    after: i64,
    limit: u64,
) -> Result<Vec<StoredShipment>> {
    let backend = conn.get_database_backend();
    let (mut sql, mut values) = match customer {
        Some(c) => (
            format!("{SELECT} WHERE s.customer_id = ? AND s.id > ?"),
            vec![c.into(), after.into()],
        ),
        None => (format!("{SELECT} WHERE s.id > ?"), vec![after.into()]),
    };
    if let crate::scope::Visibility::OwnersAndPool(_) = vis {
        let (cond, owners) = vis.owner_condition("v.owner_id");
        sql += &format!(" AND s.customer_id IN (SELECT v.id FROM customers v WHERE {cond})");
        values.extend(owners);
    }
    sql += " ORDER BY s.id LIMIT ?";
    values.push((limit as i64).into());
    conn.query_all(stmt(backend, &sql, values))
        .await?
        .iter()
        .map(parse_row)
        .collect()
}
/// A tracking event (轨迹) of a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub at: DateTime<Utc>,
    pub place: String,
    pub status_text: String,
}

/// Adds tracking events; one already recorded (same time and text) is left as it is.
/// Returns how many were new.
pub async fn add_events<C: ConnectionTrait>(
    conn: &C,
    shipment_id: i64,
    events: &[TrackingEvent],
) -> Result<u64> {
    let rows: Vec<(i64, TrackingEvent)> = events.iter().map(|e| (shipment_id, e.clone())).collect();
    add_events_many(conn, &rows).await
}

/// Tracking events of several shipments: (shipment id, event).
pub async fn add_events_many<C: ConnectionTrait>(
    conn: &C,
    events: &[(i64, TrackingEvent)],
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let mut added = 0;
    for chunk in pieces(events) {
        let mut sql = String::from(
            "INSERT INTO tracking_events (shipment_id, at, place, status_text) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, (id, e)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
            values.extend([
                (*id).into(),
                ts(Some(e.at)),
                e.place.as_str().into(),
                e.status_text.as_str().into(),
            ]);
        }
        sql.push_str(" ON CONFLICT (shipment_id, at, status_text) DO NOTHING");
        added += conn
            .execute(stmt(backend, &sql, values))
            .await?
            .rows_affected();
    }
    Ok(added)
}

/// A shipment's tracking events, oldest first.
pub async fn events<C: ConnectionTrait>(conn: &C, shipment_id: i64) -> Result<Vec<TrackingEvent>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT at, place, status_text FROM tracking_events WHERE shipment_id = ? ORDER BY at, id",
        vec![shipment_id.into()],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(TrackingEvent {
            at: r.try_get("", "at")?,
            place: r.try_get("", "place")?,
            status_text: r.try_get("", "status_text")?,
        })
    })
    .collect()
}

mod writing;
pub use writing::*;
mod rollups;
pub use rollups::*;
mod bulk;
pub use bulk::*;
mod list;
pub use list::{
    list, matching_after, totals as list_totals, ShipmentFilter, ShipmentRows, ShipmentSort,
    ShipmentTotals,
};
