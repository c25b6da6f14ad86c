//! Public tracking: a visitor with a waybill number and the last four digits of the
//! shipper's or consignee's phone sees that shipment's status and events, nothing more.
//! No account and no scope: the digits are the check, and lookups are counted (by
//! address and by waybill number) so that they cannot be guessed.

use crate::shipments::EventView;
use crate::{App, AppError, Result};
use chrono::{Duration, Utc};
use consign_domain::ops::WaybillNo;
use consign_domain::shipment::ShipmentStatus;
use consign_domain::tracking::{
    is_last4, IP_WINDOW_MINUTES, MAX_IP_FAILURES, MAX_IP_LOOKUPS, MAX_WAYBILL_FAILURES,
    WAYBILL_WINDOW_HOURS,
};
use consign_domain::FieldErrors;
use consign_store::tracking as repo;
use serde::Serialize;

/// What a visitor sees of a shipment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tracked {
    pub waybill_no: String,
    pub status: ShipmentStatus,
    /// Oldest first.
    pub events: Vec<EventView>,
}

/// Looks a shipment up for a visitor at `ip`. A wrong number and wrong digits are the
/// same `NotFound`; too many lookups are `Throttled`; malformed input is a validation
/// error naming the field (and is not counted).
pub async fn track(app: &App, waybill_no: &str, phone_last4: &str, ip: &str) -> Result<Tracked> {
    let mut errs = FieldErrors::new();
    let waybill = WaybillNo::parse(waybill_no)
        .map_err(|k| errs.add("waybill_no", k))
        .ok();
    let digits = phone_last4.trim();
    if !is_last4(digits) {
        errs.add("phone_last4", "err.phone_last4");
    }
    let Some(waybill) = waybill.filter(|_| errs.is_empty()) else {
        return Err(AppError::Validation(errs));
    };
    let conn = &app.db.conn;
    let now = Utc::now();
    let ip = address_block(ip);
    let id = repo::record(conn, waybill.as_str(), &ip, now).await?;
    let c = repo::counts(
        conn,
        id,
        (&ip, now - Duration::minutes(IP_WINDOW_MINUTES)),
        (
            waybill.as_str(),
            now - Duration::hours(WAYBILL_WINDOW_HOURS),
        ),
    )
    .await?;
    if c.ip_lookups >= MAX_IP_LOOKUPS
        || c.ip_failures >= MAX_IP_FAILURES
        || c.waybill_failures >= MAX_WAYBILL_FAILURES
    {
        repo::forget(conn, id).await?;
        return Err(AppError::Throttled);
    }
    let Some(s) = consign_store::shipments::find_by_waybill(conn, waybill.as_str()).await? else {
        return Err(AppError::NotFound);
    };
    let x = &s.shipment;
    // A phone without digits on record ("") never matches the four asked for.
    if digits != x.shipper_phone_last4 && digits != x.consignee_phone_last4 {
        return Err(AppError::NotFound);
    }
    repo::found(conn, id).await?;
    let events = consign_store::shipments::events(conn, s.id)
        .await?
        .into_iter()
        .map(EventView::from)
        .collect();
    Ok(Tracked {
        waybill_no: x.waybill_no.to_string(),
        status: x.status,
        events,
    })
}

/// The address lookups are counted by: an IPv6 address by its /64 (one subscriber's
/// network hands out any number of addresses in it), an IPv4 address as it is.
fn address_block(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => ip.chars().take(64).collect(),
    }
}

/// Forgets lookups older than a day (housekeeping).
pub async fn purge(app: &App) -> Result<u64> {
    let before = Utc::now() - Duration::hours(consign_domain::tracking::KEEP_HOURS);
    Ok(repo::purge(&app.db.conn, before).await?)
}

#[cfg(test)]
mod tests {
    use super::address_block;

    #[test]
    fn addresses_are_counted_by_block() {
        assert_eq!(address_block("203.0.113.7"), "203.0.113.7");
        assert_eq!(
            address_block("2001:db8:1:2:aaaa::1"),
            address_block("2001:db8:1:2:bbbb::9")
        );
        assert_eq!(address_block("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(address_block("::ffff:203.0.113.7"), "203.0.113.7");
    }
}
