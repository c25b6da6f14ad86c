//! The shipment list (运单列表): every shipment of the customers the actor may see,
//! filtered by waybill, status, service mode, exception, order day, customer and route,
//! newest order first, counted up to a cap.

use super::ShipmentView;
use crate::auth::Actor;
use crate::{scope, App, AppError, Result};
use consign_domain::customer::ServiceMode;
use consign_domain::params;
use consign_domain::role::Role;
use consign_domain::shipment::{Exception, ShipmentStatus};
use consign_domain::FieldErrors;
use consign_store::shipments::{self as repo, ShipmentFilter, ShipmentSort};
use serde::{Deserialize, Serialize};

/// The list's query as the UI and the API send it (all text, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShipmentQuery {
    /// the start of a waybill number (spaces and case do not matter)
    pub q: Option<String>,
    #[param(inline, value_type = Option<ShipmentStatus>)]
    pub status: Option<String>,
    #[param(inline, value_type = Option<ServiceMode>)]
    pub service_mode: Option<String>,
    /// shipments with this exception flag
    #[param(inline, value_type = Option<Exception>)]
    pub exception: Option<String>,
    /// ordered on or after this day (company time)
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub from: Option<String>,
    /// ordered before this day
    #[param(value_type = Option<chrono::NaiveDate>)]
    pub to: Option<String>,
    /// one customer's
    #[param(pattern = r"^\s*([+-]?[0-9]+)?\s*$")]
    pub customer_id: Option<String>,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    /// customers of this account manager
    #[param(pattern = r"^\s*([+-]?[0-9]+)?\s*$")]
    pub owner_id: Option<String>,
    /// `true`: not yet delivered, past the promised time
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// `newest` (default), `oldest`, `revenue` (highest first) or `revenue_asc`
    #[param(inline, value_type = Option<ShipmentOrder>)]
    pub sort: Option<String>,
    /// `true`: add the count and sums of every matching shipment (a scan of them all)
    #[param(value_type = Option<bool>)]
    pub totals: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

/// The orders of the shipment list (`ShipmentQuery::sort`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ShipmentOrder {
    Newest,
    Oldest,
    Revenue,
    RevenueAsc,
}

/// The count and sums of every shipment the filters match.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[schema(as = ShipmentTotals)]
pub struct TotalsView {
    pub shipments: i64,
    pub revenue_fen: consign_domain::ops::Fen,
    /// Of the shipments whose cost is known.
    pub cost_fen: consign_domain::ops::Fen,
    /// Revenue − cost where the cost is known, else revenue.
    pub profit_fen: consign_domain::ops::Fen,
}

/// One page of the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ShipmentList)]
pub struct ShipmentPage {
    pub items: Vec<ShipmentView>,
    /// When asked for (`totals=true`): the count and sums of every matching shipment.
    pub totals: Option<TotalsView>,
    /// How many match, up to 10,000 (`total_capped`: more do).
    pub total: u64,
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
}

impl ShipmentPage {
    /// Pages counted (at least, when the count is capped).
    pub fn pages(&self) -> u64 {
        params::pages(self.total, self.per_page)
    }
    pub fn has_next(&self) -> bool {
        let (p, n) = (self.page, self.per_page);
        params::has_next(p, n, self.total, self.total_capped, self.items.len())
    }
}

fn given(s: &Option<String>) -> Option<&str> {
    params::given(s.as_deref())
}

/// The filters of a query, checked: a bad value is a field error, not an empty list.
pub fn filter(
    q: &ShipmentQuery,
    tz: chrono_tz::Tz,
) -> std::result::Result<ShipmentFilter, FieldErrors> {
    let mut e = FieldErrors::new();
    let mut f = ShipmentFilter::default();
    if let Some(s) = given(&q.q) {
        // Waybill numbers are stored without spaces, in capitals; a prefix no waybill can
        // have matches none.
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        f.waybill_prefix = Some(t.to_ascii_uppercase());
    }
    if let Some(s) = given(&q.status) {
        match ShipmentStatus::parse(s) {
            Some(x) => f.status = Some(x.as_str().to_string()),
            None => e.add("status", "err.invalid_choice"),
        }
    }
    if let Some(s) = given(&q.service_mode) {
        match ServiceMode::parse(s) {
            Some(x) => f.service_mode = Some(x.as_str().to_string()),
            None => e.add("service_mode", "err.invalid_choice"),
        }
    }
    if let Some(s) = given(&q.exception) {
        match Exception::parse(s) {
            Some(x) => f.exception_bit = Some(x.bit()),
            None => e.add("exception", "err.invalid_choice"),
        }
    }
    let mut days: [Option<chrono::NaiveDate>; 2] = [None, None];
    for (i, (field, value, slot, day)) in [
        ("from", &q.from, &mut f.from_at, &mut f.from_day),
        ("to", &q.to, &mut f.to_at, &mut f.to_day),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(s) = given(value) {
            match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => {
                    // The day's first instant in the company's time zone.
                    use chrono::TimeZone;
                    *slot = tz
                        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                        .earliest()
                        .map(|t| t.with_timezone(&chrono::Utc));
                    *day = Some(consign_domain::classify::day_num(d));
                    days[i] = Some(d);
                }
                Err(_) => e.add(field, "err.date_format"),
            }
        }
    }
    if let Some(s) = given(&q.customer_id) {
        // Any whole number: one that no customer has lists nothing.
        match s.strip_prefix('+').unwrap_or(s).parse::<i64>() {
            Ok(c) => f.customer_id = Some(c),
            Err(_) => e.add("customer_id", "err.invalid_choice"),
        }
    }
    f.origin_city = given(&q.origin_city).map(str::to_string);
    f.destination_city = given(&q.destination_city).map(str::to_string);
    if let Some(s) = given(&q.owner_id) {
        match s.strip_prefix('+').unwrap_or(s).parse::<i64>() {
            Ok(o) => f.owner_id = Some(o),
            Err(_) => e.add("owner_id", "err.invalid_choice"),
        }
    }
    match params::flag(q.overdue.as_deref()) {
        Ok(true) => f.overdue_at = Some(chrono::Utc::now()),
        Ok(false) => {}
        Err(k) => e.add("overdue", k),
    }
    if let Some(s) = given(&q.sort) {
        f.sort = match s {
            "newest" => ShipmentSort::Newest,
            "oldest" => ShipmentSort::Oldest,
            "revenue" => ShipmentSort::Revenue,
            "revenue_asc" => ShipmentSort::RevenueAsc,
            _ => {
                e.add("sort", "err.invalid_choice");
                ShipmentSort::Newest
            }
        };
    }
    // Sorting by revenue sorts every matching shipment: it needs a customer or at most
    // a month of order days (10 million shipments took 15 s; a month 0.4 s).
    if matches!(f.sort, ShipmentSort::Revenue | ShipmentSort::RevenueAsc) && f.customer_id.is_none()
    {
        let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
        let span = days[0].map(|from| (days[1].unwrap_or(tomorrow) - from).num_days());
        if span.is_none_or(|d| d > MAX_REVENUE_SORT_DAYS) {
            e.add("sort", "err.revenue_sort_range");
        }
    }
    if let Err(k) = params::flag(q.totals.as_deref()) {
        e.add("totals", k);
    }
    e.into_result().map(|()| f)
}

/// The widest range of order days the list sorts by revenue without a customer.
pub const MAX_REVENUE_SORT_DAYS: i64 = 31;

/// Whether the query asks for the totals.
pub fn wants_totals(q: &ShipmentQuery) -> bool {
    params::flag(q.totals.as_deref()) == Ok(true)
}

/// A page of the shipments of the customers the actor may see (staff only).
pub async fn list(app: &App, actor: &Actor, q: &ShipmentQuery) -> Result<ShipmentPage> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    let (f, mut errs) = match filter(q, app.tz()) {
        Ok(f) => (f, FieldErrors::new()),
        Err(e) => (ShipmentFilter::default(), e),
    };
    let page = errs
        .check("page", params::page(q.page.as_deref()))
        .unwrap_or(1);
    let per_page = errs
        .check("per_page", params::per_page(q.per_page.as_deref(), 50, 200))
        .unwrap_or(50);
    errs.into_result()?;
    let vis = scope::visibility(app, actor).await?;
    let found = repo::list(
        &app.db.conn,
        &vis,
        &f,
        params::offset(page, per_page),
        per_page,
    )
    .await?;
    let totals = if wants_totals(q) {
        let t = repo::list_totals(&app.db.conn, &vis, &f).await?;
        Some(TotalsView {
            shipments: t.shipments,
            revenue_fen: consign_domain::ops::Fen(t.revenue_fen),
            cost_fen: consign_domain::ops::Fen(t.cost_fen),
            profit_fen: consign_domain::ops::Fen(t.profit_fen),
        })
    } else {
        None
    };
    Ok(ShipmentPage {
        totals,
        items: found
            .rows
            .iter()
            .map(|(s, name)| ShipmentView::of(s, name))
            .collect(),
        total: found.counted.total,
        total_capped: found.counted.capped,
        page,
        per_page,
    })
}
