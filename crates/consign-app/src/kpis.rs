//! Service KPIs (SPEC §6, issue 20): a customer's logistics service figures over a window
//! of local days, within the caller's scope.

use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::service::utc;
use crate::{App, AppError, Result};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::kpis::Kpis;
use consign_domain::shipment::local_day;
use consign_domain::FieldErrors;
use consign_store::kpis::{self as repo, Window};
use serde::{Deserialize, Serialize};

/// The longest window asked for at once (days).
pub const MAX_WINDOW_DAYS: i64 = 3_660;
/// The window when none is given: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;

/// A window as asked: local days `from` (inclusive) and `to` (exclusive), `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// First day (company time zone), `YYYY-MM-DD`; default: 30 days before `to`.
    #[param(example = "2026-11-01")]
    pub from: Option<String>,
    /// Day after the last (exclusive), `YYYY-MM-DD`; default: tomorrow.
    #[param(example = "2026-12-01")]
    pub to: Option<String>,
}

/// A customer's KPIs over a window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerKpis {
    pub customer_id: i64,
    pub customer_code: String,
    /// First day of the window (inclusive).
    pub from: NaiveDate,
    /// Day after the window (exclusive).
    pub to: NaiveDate,
    #[serde(flatten)]
    pub kpis: Kpis,
}

fn day(field: &str, s: Option<&str>, errs: &mut FieldErrors) -> Option<NaiveDate> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.add(field, "err.date_format");
            None
        }
    }
}

/// The window a query names, checked: both days valid, `from` before `to`, at most
/// [`MAX_WINDOW_DAYS`] apart.
pub fn window(app: &App, q: &KpiQuery) -> Result<(NaiveDate, NaiveDate, Window)> {
    let mut errs = FieldErrors::new();
    let from = day("from", q.from.as_deref(), &mut errs);
    let to = day("to", q.to.as_deref(), &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let now = Utc::now();
    let today = now.with_timezone(&app.tz()).date_naive();
    let to = to.unwrap_or(today + Duration::days(1));
    let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS));
    if from >= to || (to - from).num_days() > MAX_WINDOW_DAYS {
        return Err(AppError::field("from", "err.kpi_window"));
    }
    let start = utc(app, from.and_time(NaiveTime::MIN));
    let end = utc(app, to.and_time(NaiveTime::MIN));
    let tz = app.tz();
    Ok((
        from,
        to,
        Window {
            from_day: local_day(start, tz),
            to_day: local_day(end, tz),
            from: start,
            to: end,
            overdue_before: end.min(now),
            tz,
        },
    ))
}

/// A customer's KPIs over the window asked for; a customer outside the caller's scope is
/// not found.
pub async fn customer_kpis(
    app: &App,
    actor: &Actor,
    id: CustomerId,
    q: &KpiQuery,
) -> Result<CustomerKpis> {
    let c = visible_customer(app, actor, id).await?;
    let (from, to, w) = window(app, q)?;
    let sums = repo::customer_sums(&app.db.conn, c.id, &w).await?;
    Ok(CustomerKpis {
        customer_id: c.id,
        customer_code: c.code,
        from,
        to,
        kpis: Kpis::of(&sums, None, None),
    })
}
