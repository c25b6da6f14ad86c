//! Receivables aging for the company (SPEC §8, §12): what is owed by the customers a user
//! sees, in the buckets credit staff use (not due, 1–30, 31–60, 61–90, over 90 days past
//! due), grouped by customer, account manager or unit; the customers most overdue; and
//! days sales outstanding month by month.

use super::may_see;
use crate::auth::Actor;
use crate::scope::visibility;
use crate::{App, AppError, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use consign_domain::billing::{apply_unnamed, standing, Aging, AgingBucket, InvoiceState};
use consign_domain::ops::Fen;
use consign_store::credit as repo;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How the aging is grouped.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgingQuery {
    /// `owner` (default: by account manager), `unit` or `customer`.
    pub group: Option<String>,
}

/// One group's receivables.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgingGroup {
    /// The customer's, owner's or unit's id ("" for customers in the pool).
    pub key: String,
    pub label: String,
    pub customers: u64,
    pub aging: Aging,
    pub outstanding_fen: Fen,
    pub overdue_fen: Fen,
}

/// A customer among the most overdue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Overdue {
    pub customer_id: String,
    pub code: String,
    pub name: String,
    pub owner: Option<String>,
    pub overdue_fen: Fen,
    pub oldest_days: i64,
}

/// One month's days sales outstanding: receivables at its end over the revenue of the
/// three months to it, times their days.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dso {
    /// `YYYY-MM`.
    pub month: String,
    pub receivables_fen: Fen,
    pub revenue_90d_fen: Fen,
    /// None when there was no revenue.
    pub days: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgingReport {
    pub as_of: DateTime<Utc>,
    pub group: String,
    pub total: Aging,
    pub outstanding_fen: Fen,
    pub overdue_fen: Fen,
    /// Most overdue first (at most 500).
    pub groups: Vec<AgingGroup>,
    /// The ten customers most overdue.
    pub top_overdue: Vec<Overdue>,
    /// The last twelve months, oldest first.
    pub dso: Vec<Dso>,
}

/// Each customer's aging and oldest overdue days, of the customers within `vis` (and
/// among `only`, given): two queries, whatever their number.
pub(crate) async fn agings(
    app: &App,
    vis: &consign_store::scope::Visibility,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, (Option<i64>, Aging, i64)>> {
    let conn = &app.db.conn;
    let open = repo::open_invoices(conn, vis, only).await?;
    let credits = repo::unnamed_credits(conn, vis, only).await?;
    Ok(per_customer(&open, &credits, Utc::now()))
}

/// Each customer's aging and oldest overdue days, from the open invoices and what is
/// spread over them.
fn per_customer(
    open: &[repo::OpenInvoice],
    credits: &HashMap<i64, i64>,
    now: DateTime<Utc>,
) -> HashMap<i64, (Option<i64>, Aging, i64)> {
    let mut out: HashMap<i64, (Option<i64>, Aging, i64)> = HashMap::new();
    for run in open.chunk_by(|a, b| a.customer_id == b.customer_id) {
        let c = run[0].customer_id;
        let pairs: Vec<(Fen, Fen)> = run
            .iter()
            .map(|x| (Fen(x.amount_fen), Fen(x.own_paid_fen)))
            .collect();
        let (paid, _) = apply_unnamed(&pairs, Fen(credits.get(&c).copied().unwrap_or(0)));
        let e = out
            .entry(c)
            .or_insert((run[0].owner_id, Aging::default(), 0));
        for (x, p) in run.iter().zip(paid) {
            let (state, left, days) = standing(Fen(x.amount_fen), p, x.due_at, now);
            e.1.add(AgingBucket::of_days(days), left);
            if state == InvoiceState::Overdue {
                e.2 = e.2.max(days);
            }
        }
    }
    out
}

pub async fn aging(app: &App, actor: &Actor, q: &AgingQuery) -> Result<AgingReport> {
    may_see(actor)?;
    let group = q.group.as_deref().unwrap_or("owner").trim().to_string();
    if !matches!(group.as_str(), "owner" | "unit" | "customer") {
        return Err(AppError::field("group", "err.aging_group"));
    }
    let vis = visibility(app, actor).await?;
    let conn = &app.db.conn;
    let now = Utc::now();
    let each = agings(app, &vis, None).await?;
    let mut total = Aging::default();
    for (_, a, _) in each.values() {
        for b in AgingBucket::ALL {
            total.add(*b, a.get(*b));
        }
    }
    // Names: customers, owners, units.
    let ids: Vec<i64> = each.keys().copied().collect();
    let customers = consign_store::kpis::labels(conn, &ids).await?;
    let users = consign_store::users::all_users(conn).await?;
    let user_name: HashMap<i64, (String, i64)> = users
        .iter()
        .map(|u| (u.id, (u.display_name.clone(), u.org_unit_id)))
        .collect();
    let units: HashMap<i64, String> = consign_store::users::units(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let lang = actor.lang.unwrap_or_default();
    let pool = lang.t("credit.pool_group").to_string();
    let mut groups: HashMap<String, AgingGroup> = HashMap::new();
    let mut top: Vec<Overdue> = Vec::new();
    for (cid, (owner, a, oldest)) in &each {
        let (code, name) = customers.get(cid).cloned().unwrap_or_default();
        let owner_name = owner.and_then(|o| user_name.get(&o).map(|u| u.0.clone()));
        let (key, label) = match group.as_str() {
            "customer" => (cid.to_string(), format!("{name} ({code})")),
            "unit" => match owner.and_then(|o| user_name.get(&o)) {
                Some((_, unit)) => (
                    unit.to_string(),
                    units.get(unit).cloned().unwrap_or_default(),
                ),
                None => (String::new(), pool.clone()),
            },
            _ => match owner {
                Some(o) => (o.to_string(), owner_name.clone().unwrap_or_default()),
                None => (String::new(), pool.clone()),
            },
        };
        let g = groups.entry(key.clone()).or_insert_with(|| AgingGroup {
            key,
            label,
            customers: 0,
            aging: Aging::default(),
            outstanding_fen: Fen::ZERO,
            overdue_fen: Fen::ZERO,
        });
        g.customers += 1;
        for b in AgingBucket::ALL {
            g.aging.add(*b, a.get(*b));
        }
        if a.overdue() > Fen::ZERO {
            top.push(Overdue {
                customer_id: cid.to_string(),
                code,
                name,
                owner: owner_name,
                overdue_fen: a.overdue(),
                oldest_days: *oldest,
            });
        }
    }
    let mut groups: Vec<AgingGroup> = groups
        .into_values()
        .map(|mut g| {
            g.outstanding_fen = g.aging.outstanding();
            g.overdue_fen = g.aging.overdue();
            g
        })
        .collect();
    groups.sort_by(|a, b| {
        (b.overdue_fen, b.outstanding_fen, &a.label).cmp(&(
            a.overdue_fen,
            a.outstanding_fen,
            &b.label,
        ))
    });
    groups.truncate(500);
    top.sort_by_key(|o| std::cmp::Reverse((o.overdue_fen, o.oldest_days)));
    top.truncate(10);
    Ok(AgingReport {
        as_of: now,
        group,
        outstanding_fen: total.outstanding(),
        overdue_fen: total.overdue(),
        total,
        groups,
        top_overdue: top,
        dso: dso(app, &vis, app.today()).await?,
    })
}

fn month_num(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// DSO for this month and the eleven before: receivables at each month's end (today for
/// this month) over the revenue of the three months to it, times their days.
async fn dso(
    app: &App,
    vis: &consign_store::scope::Visibility,
    today: NaiveDate,
) -> Result<Vec<Dso>> {
    let first_of = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let this = first_of(today);
    let months: Vec<NaiveDate> = (0..12)
        .rev()
        .filter_map(|b| this.checked_sub_months(chrono::Months::new(b)))
        .collect();
    let ends: Vec<DateTime<Utc>> = months
        .iter()
        .map(|m| {
            let next = m.checked_add_months(chrono::Months::new(1)).unwrap_or(*m);
            let end = if next > today {
                today + Duration::days(1)
            } else {
                next
            };
            app.midnight(end)
        })
        .collect();
    let conn = &app.db.conn;
    let ar = repo::receivables_at(conn, vis, &ends).await?;
    let first = months
        .first()
        .and_then(|m| m.checked_sub_months(chrono::Months::new(2)))
        .unwrap_or(this);
    let revenue = repo::revenue_by_month(conn, vis, month_num(first), month_num(today)).await?;
    Ok(months
        .iter()
        .zip(ends.iter().zip(ar))
        .map(|(m, (end, ar))| {
            let from = m.checked_sub_months(chrono::Months::new(2)).unwrap_or(*m);
            let rev: i64 = (0..3)
                .filter_map(|k| from.checked_add_months(chrono::Months::new(k)))
                .map(|d| revenue.get(&month_num(d)).copied().unwrap_or(0))
                .sum();
            let days = (end.date_naive() - from).num_days().max(1) as f64;
            Dso {
                month: m.format("%Y-%m").to_string(),
                receivables_fen: Fen(ar.max(0)),
                revenue_90d_fen: Fen(rev),
                days: (rev > 0)
                    .then(|| (ar.max(0) as f64 / rev as f64 * days * 10.0).round() / 10.0),
            }
        })
        .collect())
}

/// Every overdue customer: (id, owner, overdue amount, oldest days past due, name), most
/// overdue first — what the collection sweep works through.
pub(crate) async fn overdue_customers(
    app: &App,
) -> Result<Vec<(i64, Option<i64>, Fen, i64, String)>> {
    let conn = &app.db.conn;
    let each = agings(app, &consign_store::scope::Visibility::All, None).await?;
    let ids: Vec<i64> = each
        .iter()
        .filter(|(_, (_, a, _))| a.overdue() > Fen::ZERO)
        .map(|(id, _)| *id)
        .collect();
    let names = consign_store::kpis::labels(conn, &ids).await?;
    let mut out: Vec<(i64, Option<i64>, Fen, i64, String)> = ids
        .into_iter()
        .filter_map(|id| {
            let (owner, a, oldest) = each.get(&id)?;
            let name = names.get(&id).map(|n| n.1.clone()).unwrap_or_default();
            Some((id, *owner, a.overdue(), *oldest, name))
        })
        .collect();
    out.sort_by(|a, b| (b.2, a.0).cmp(&(a.2, b.0)));
    Ok(out)
}
