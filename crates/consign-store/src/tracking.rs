//! Public tracking's counted lookups (see [`consign_domain::tracking`] for the limits).
//! A lookup is recorded as not found before the digits are compared, so that of many
//! sent at once each sees those before it.

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// Records a lookup (not found until [`found`] says so) and returns its id.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    waybill_no: &str,
    ip: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    let b = conn.get_database_backend();
    let row = conn
        .query_one(stmt(
            b,
            "INSERT INTO tracking_lookups (waybill_no, ip, at, found) VALUES (?, ?, ?, FALSE) \
             RETURNING id",
            vec![waybill_no.into(), ip.into(), at.into()],
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom("no id returned".into()))?;
    Ok(row.try_get_by_index(0)?)
}

/// The lookup found its shipment (it no longer counts as a failure).
pub async fn found<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE tracking_lookups SET found = TRUE WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// Drops a lookup that was refused unchecked: hammering does not extend a refusal.
pub async fn forget<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "DELETE FROM tracking_lookups WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// Lookups made before lookup `id`: by this address since `ip_since` (all, and those
/// that found nothing), and of this waybill number since `waybill_since` that found
/// nothing.
#[derive(Debug, Clone, Copy, Default, FromQueryResult)]
pub struct Counts {
    pub ip_lookups: i64,
    pub ip_failures: i64,
    pub waybill_failures: i64,
}

pub async fn counts<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    (ip, ip_since): (&str, DateTime<Utc>),
    (waybill_no, waybill_since): (&str, DateTime<Utc>),
) -> Result<Counts> {
    let counts = Counts::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT \
           (SELECT COUNT(*) FROM tracking_lookups WHERE ip = ? AND at >= ? AND id < ?) \
             AS ip_lookups, \
           (SELECT COUNT(*) FROM tracking_lookups WHERE ip = ? AND at >= ? AND id < ? \
             AND NOT found) AS ip_failures, \
           (SELECT COUNT(*) FROM tracking_lookups WHERE waybill_no = ? AND at >= ? AND id < ? \
             AND NOT found) AS waybill_failures",
        vec![
            ip.into(),
            ip_since.into(),
            id.into(),
            ip.into(),
            ip_since.into(),
            id.into(),
            waybill_no.into(),
            waybill_since.into(),
            id.into(),
        ],
    ))
    .one(conn)
    .await?;
    Ok(counts.unwrap_or_default())
}

/// Forgets lookups older than `before` (housekeeping).
pub async fn purge<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "DELETE FROM tracking_lookups WHERE at < ?",
            vec![before.into()],
        ))
        .await?
        .rows_affected())
}

/// A shipment a visitor could track (the newest with events and a consignee's digits):
/// its waybill number and the digits (the demo prints it).
pub async fn example<C: ConnectionTrait>(conn: &C) -> Result<Option<(String, String)>> {
    let row = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT s.waybill_no, s.consignee_phone_last4 FROM shipments s \
             WHERE s.consignee_phone_last4 <> '' \
             AND EXISTS (SELECT 1 FROM tracking_events e WHERE e.shipment_id = s.id) \
             ORDER BY s.id DESC LIMIT 1",
            vec![],
        ))
        .await?;
    match row {
        Some(r) => Ok(Some((r.try_get_by_index(0)?, r.try_get_by_index(1)?))),
        None => Ok(None),
    }
}
