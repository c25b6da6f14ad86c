//! Service KPIs (SPEC §6, issue 20): a customer's logistics service figures over a window
//! of local days, within the caller's scope.

use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::{App, AppError, Result};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::kpis::Kpis;
use consign_domain::shipment::local_day;
use consign_domain::validate::optional_day;
use consign_domain::FieldErrors;
use consign_store::kpis::{self as repo, Grouping, Window};
use consign_store::scope::Visibility;
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

/// The window a query names, checked: both days valid, `from` before `to`, at most
/// [`MAX_WINDOW_DAYS`] apart.
pub fn window(app: &App, q: &KpiQuery) -> Result<(NaiveDate, NaiveDate, Window)> {
    let mut errs = FieldErrors::new();
    let day = |s: &Option<String>| optional_day(s.as_deref().unwrap_or(""));
    let from = errs.check("from", day(&q.from)).flatten();
    let to = errs.check("to", day(&q.to)).flatten();
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let now = Utc::now();
    let today = app.today();
    let bad = || AppError::field("from", "err.kpi_window");
    let to = match to {
        Some(d) => d,
        None => today.succ_opt().ok_or_else(bad)?,
    };
    let from = match from {
        Some(d) => d,
        None => to
            .checked_sub_signed(Duration::days(DEFAULT_DAYS))
            .ok_or_else(bad)?,
    };
    if from >= to || (to - from).num_days() > MAX_WINDOW_DAYS {
        return Err(bad());
    }
    let start = app.midnight(from);
    let end = app.midnight(to);
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
        kpis: Kpis::of(&sums),
    })
}

/// How the company's KPIs are grouped (`group=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Customer,
    ValueClass,
    Grade,
    Province,
    Industry,
    ServiceMode,
    Owner,
    Month,
}

impl GroupBy {
    /// The customer segments figures are broken down by (neither customers nor months).
    pub const SEGMENTS: [GroupBy; 6] = [
        GroupBy::ValueClass,
        GroupBy::Grade,
        GroupBy::Province,
        GroupBy::Industry,
        GroupBy::ServiceMode,
        GroupBy::Owner,
    ];

    pub const ALL: [GroupBy; 8] = [
        GroupBy::Customer,
        GroupBy::ValueClass,
        GroupBy::Grade,
        GroupBy::Province,
        GroupBy::Industry,
        GroupBy::ServiceMode,
        GroupBy::Owner,
        GroupBy::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Customer => "customer",
            GroupBy::ValueClass => "value_class",
            GroupBy::Grade => "grade",
            GroupBy::Province => "province",
            GroupBy::Industry => "industry",
            GroupBy::ServiceMode => "service_mode",
            GroupBy::Owner => "owner",
            GroupBy::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The company's KPIs as asked: a window and a grouping.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GroupQuery {
    /// First day (company time zone), `YYYY-MM-DD`; default: 30 days before `to`.
    #[param(example = "2026-01-01")]
    pub from: Option<String>,
    /// Day after the last (exclusive), `YYYY-MM-DD`; default: tomorrow.
    #[param(example = "2027-01-01")]
    pub to: Option<String>,
    /// `customer`, `value_class`, `grade`, `province`, `industry`, `service_mode`,
    /// `owner` or `month` (default `customer`).
    #[param(pattern = "^(customer|value_class|grade|province|industry|service_mode|owner|month)$")]
    pub group: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

impl GroupQuery {
    /// The window it asks for.
    pub fn window_query(&self) -> KpiQuery {
        KpiQuery {
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// One group's KPIs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupKpis {
    /// The group's key: the customer's code, the value class (A/B/C), the grade, the
    /// province, the industry, the service mode, the owner's user name, or the month
    /// (`YYYY-MM`); `null`: none recorded (unclassified, no province, the pool).
    pub group: Option<String>,
    /// The customer's id (`group=customer`; else null).
    pub customer_id: Option<String>,
    /// The customer's code (`group=customer`; else null).
    pub customer_code: Option<String>,
    /// The customer's name, or the owner's display name.
    pub label: Option<String>,
    #[serde(flatten)]
    pub kpis: Kpis,
}

/// The company's KPIs grouped, over a window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiTable {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: GroupBy,
    pub items: Vec<GroupKpis>,
}

/// The grouping a query names (default: by customer), or a 422 naming `group`.
pub fn group_of(q: &GroupQuery) -> Result<GroupBy> {
    match q.group.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(GroupBy::Customer),
        Some(s) => GroupBy::parse(s).ok_or_else(|| AppError::field("group", "err.invalid_choice")),
    }
}

/// The KPIs of the customers the caller may see, one row per group, in the group's
/// order (months ascending).
pub async fn company_kpis(app: &App, actor: &Actor, q: &GroupQuery) -> Result<KpiTable> {
    let vis = crate::scope::visibility(app, actor).await?;
    let group = group_of(q)?;
    let (from, to, w) = window(app, &q.window_query())?;
    Ok(KpiTable {
        from,
        to,
        group,
        items: rows(app, &vis, group, &w).await?,
    })
}

/// A `YYYYMM` group key as `YYYY-MM`.
fn month_label(g: Option<&str>) -> Option<String> {
    g.and_then(|m| m.parse::<i32>().ok())
        .map(|m| format!("{:04}-{:02}", m / 100, m % 100))
}

/// One row per group of the customers within `vis` over a window.
pub(crate) async fn rows(
    app: &App,
    vis: &Visibility,
    group: GroupBy,
    w: &Window,
) -> Result<Vec<GroupKpis>> {
    let conn = &app.db.conn;
    let run = || async {
        // The run in force today (read from the store: the classification's use cases
        // plan follow-ups, whose task list shows improvement actions measured here).
        Ok::<_, AppError>(
            consign_store::classification::current_run(
                conn,
                consign_domain::classify::day_num(app.today()),
            )
            .await?
            .map(|r| r.id),
        )
    };
    let grouping = match group {
        GroupBy::Customer => Grouping::Customer,
        GroupBy::ValueClass => Grouping::ValueClass(run().await?),
        GroupBy::Grade => Grouping::Grade(run().await?),
        GroupBy::Province => Grouping::Province,
        GroupBy::Industry => Grouping::Industry,
        GroupBy::ServiceMode => Grouping::ServiceMode,
        GroupBy::Owner => Grouping::Owner,
        GroupBy::Month => Grouping::Month,
    };
    let by = repo::sums_by(conn, vis, None, grouping, w).await?;
    let users: std::collections::HashMap<String, (String, String)> = if group == GroupBy::Owner {
        consign_store::users::all_users(conn)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), (u.username, u.display_name)))
            .collect()
    } else {
        Default::default()
    };
    Ok(by
        .into_iter()
        .map(|(g, grouped)| {
            let repo::Grouped {
                label,
                customer_id,
                sums,
            } = grouped;
            let (group_key, label) = match group {
                GroupBy::Owner => match g.as_ref().and_then(|id| users.get(id)) {
                    Some((username, name)) => (Some(username.clone()), Some(name.clone())),
                    None => (None, None),
                },
                GroupBy::Month => (month_label(g.as_deref()), None),
                _ => (g, label),
            };
            GroupKpis {
                customer_id: customer_id.map(|i| i.to_string()),
                customer_code: (group == GroupBy::Customer)
                    .then(|| group_key.clone())
                    .flatten(),
                group: group_key,
                label,
                kpis: Kpis::of(&sums),
            }
        })
        .collect())
}

/// The columns of a KPI file: the group, its label, then the figures in the API's order
/// and names.
pub const COLUMNS: [&str; 24] = [
    "group",
    "label",
    "shipments",
    "delivered",
    "overdue_in_transit",
    "avg_cycle_hours",
    "std_cycle_hours",
    "delay_rate",
    "on_time_rate",
    "damage_rate",
    "short_rate",
    "stockout_rate",
    "stockout_count",
    "in_stock_ratio",
    "substitution_rate",
    "route_change_rate",
    "return_rate",
    "invoice_error_rate",
    "complaints_per_1000",
    "claim_ratio",
    "avg_first_response_hours",
    "avg_resolution_hours",
    "csat",
    "nps",
];

/// The figures of [`COLUMNS`] after the group and label, each as a scaled integer and
/// its decimals (rates to 6, hours and scores to 3; `None`: no denominator).
pub fn figures(k: &Kpis) -> Vec<(Option<i64>, u32)> {
    let n = |v: i64| (Some(v), 0);
    let r = |v: Option<f64>| (v.map(|x| (x * 1e6).round() as i64), 6);
    let h = |v: Option<f64>| (v.map(|x| (x * 1e3).round() as i64), 3);
    vec![
        n(k.shipments),
        n(k.delivered),
        n(k.overdue_in_transit),
        h(k.avg_cycle_hours),
        h(k.std_cycle_hours),
        r(k.delay_rate),
        r(k.on_time_rate),
        r(k.damage_rate),
        r(k.short_rate),
        r(k.stockout_rate),
        n(k.stockout_count),
        r(k.in_stock_ratio),
        r(k.substitution_rate),
        r(k.route_change_rate),
        r(k.return_rate),
        r(k.invoice_error_rate),
        h(k.complaints_per_1000),
        r(k.claim_ratio),
        h(k.avg_first_response_hours),
        h(k.avg_resolution_hours),
        h(k.csat),
        h(k.nps),
    ]
}

mod company;
mod panel;
pub use company::*;
pub use panel::*;
