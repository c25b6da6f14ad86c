//! Shipments on credit hold: setting the hold as they are written, the hold list, and
//! releasing.

use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// Releases one held shipment; false when it was not on hold.
pub async fn release<C: ConnectionTrait>(conn: &C, shipment_id: i64) -> Result<bool> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE shipments SET on_hold = FALSE WHERE id = ? AND on_hold",
            vec![shipment_id.into()],
        ))
        .await?
        .rows_affected()
        > 0)
}

/// Releases every held shipment of a customer; how many.
pub async fn release_all<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<u64> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE shipments SET on_hold = FALSE WHERE customer_id = ? AND on_hold",
            vec![customer_id.into()],
        ))
        .await?
        .rows_affected())
}

/// How many shipments of a customer are on hold.
pub async fn held_count<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<u64> {
    let n = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM shipments WHERE customer_id = ? AND on_hold",
            vec![customer_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// A held shipment in the hold list.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Held {
    pub id: i64,
    pub waybill_no: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub owner_id: Option<i64>,
    pub revenue_fen: i64,
    pub origin_city: String,
    pub destination_city: String,
    pub ordered_at: DateTime<Utc>,
    pub hold_reason: String,
    pub held_at: Option<DateTime<Utc>>,
}

/// The held shipments of customers within `vis` (one customer's, given `customer_id`),
/// latest held first.
pub async fn held<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    customer_id: Option<i64>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Held>, u64)> {
    let (mut cond, mut values) = vis.owner_condition("c.owner_id");
    cond.push_str(" AND s.on_hold");
    if let Some(id) = customer_id {
        cond.push_str(" AND s.customer_id = ?");
        values.push(id.into());
    }
    crate::paged::page(
        conn,
        "SELECT s.id, s.waybill_no, s.customer_id, c.code AS customer_code, c.name AS customer_name, \
         c.owner_id, s.revenue_fen, s.origin_city, s.destination_city, s.ordered_at, s.hold_reason, \
         s.held_at FROM shipments s JOIN customers c ON c.id = s.customer_id",
        &cond,
        "s.held_at DESC, s.id DESC",
        values,
        page,
        per_page,
    )
    .await
}
