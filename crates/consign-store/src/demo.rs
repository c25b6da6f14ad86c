//! What the demo generator reads to make its data believable (the demo's service desk
//! registers tickets about shipments that went wrong).

use crate::dialect::stmt;
use crate::shipments::shipment_ts;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A shipment that went wrong (an exception recorded), with its live customer's owner.
#[derive(Debug, Clone, FromQueryResult)]
pub struct WentWrong {
    pub waybill_no: String,
    pub customer_id: i64,
    pub owner_id: Option<i64>,
    pub exceptions: i32,
    pub revenue_fen: i64,
}

/// Shipments ordered since `since` with an exception, of customers not archived, oldest
/// first, at most `limit` (the demo's service desk registers tickets about them).
pub async fn went_wrong_since<C: ConnectionTrait>(
    conn: &C,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<WentWrong>> {
    let backend = conn.get_database_backend();
    Ok(WentWrong::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT s.waybill_no, s.customer_id, c.owner_id, s.exceptions, s.revenue_fen FROM shipments s \
             JOIN customers c ON c.id = s.customer_id \
             WHERE s.ordered_at >= ? AND s.exceptions <> 0 AND c.archived_at IS NULL \
             ORDER BY s.id LIMIT {limit}"
        ),
        vec![shipment_ts(backend, Some(since))],
    ))
    .all(conn)
    .await?)
}
