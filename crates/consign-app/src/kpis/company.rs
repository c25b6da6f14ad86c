//! The company's service quality (the analysis page): the window's KPIs, their months,
//! a breakdown by segment and the customers doing worst.

use super::*;
use consign_domain::kpis::KpiSums;
use consign_store::kpis::worst::{Ranked, Scale};

/// The company's service quality as the analysis page shows it: the window's KPIs, their
/// months, a breakdown by one segment, and the worst customers per KPI.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompanyQuality {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: GroupBy,
    pub total: Kpis,
    /// (`YYYY-MM`, KPIs), oldest first.
    pub months: Vec<(String, Kpis)>,
    /// One row per segment of `by`.
    pub segments: Vec<GroupKpis>,
    /// Per KPI (its field name), the customers doing worst on it, worst first.
    pub worst: Vec<(String, Vec<GroupKpis>)>,
    /// When the figures were read (they are kept a few minutes).
    pub read_at: chrono::DateTime<Utc>,
}

/// Volumes below which a customer's rate says little, and is left out of the worst.
const WORST_MIN_DELIVERED: i64 = 20;
const WORST_MIN_SHIPMENTS: i64 = 100;
/// Customers listed per KPI among the worst.
const WORST_N: u64 = 8;

/// The KPIs the worst customers are ranked on: the field and how it is computed from a
/// customer's sums (as [`Kpis::of`] does).
const WORST_ON: [(&str, Ranked); 5] = [
    (
        "delay_rate",
        Ranked {
            numerator: "delayed",
            denominator: "delivered",
            min_volume: WORST_MIN_DELIVERED,
            scale: Scale::One,
        },
    ),
    (
        "avg_cycle_hours",
        Ranked {
            numerator: "cycle_seconds",
            denominator: "delivered",
            min_volume: WORST_MIN_DELIVERED,
            scale: Scale::Per(3600),
        },
    ),
    (
        "damage_rate",
        Ranked {
            numerator: "damaged",
            denominator: "delivered",
            min_volume: WORST_MIN_DELIVERED,
            scale: Scale::One,
        },
    ),
    (
        "complaints_per_1000",
        Ranked {
            numerator: "complaints",
            denominator: "shipments",
            min_volume: WORST_MIN_SHIPMENTS,
            scale: Scale::Times(1000),
        },
    ),
    (
        "return_rate",
        Ranked {
            numerator: "returned",
            denominator: "shipments",
            min_volume: WORST_MIN_SHIPMENTS,
            scale: Scale::One,
        },
    ),
];

/// The company's service quality over a window (default: this month and the eleven
/// before, whole months), the customers counted being those the caller may see. Kept ten minutes
/// per caller's scope and question.
pub async fn company_quality(app: &App, actor: &Actor, q: &GroupQuery) -> Result<CompanyQuality> {
    let vis = crate::scope::visibility(app, actor).await?;
    let by = match group_of(q)? {
        GroupBy::Customer | GroupBy::Month => GroupBy::ValueClass,
        g => g,
    };
    // By default whole months: this one and the eleven before (what the recent sums
    // keep per customer).
    let today = app.today();
    let default_from = month_start(today, 11).map(|d| d.to_string());
    let default_to = month_start(today, 0)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .map(|d| d.to_string());
    let given = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let kq = KpiQuery {
        from: given(&q.from).or(default_from),
        to: given(&q.to).or(default_to),
    };
    let (from, to, w) = window(app, &kq)?;
    let key = format!("{vis:?}|{from}|{to}|{}", by.as_str());
    if let Ok(kept) = app.kpi_cache.pages.lock() {
        if let Some((at, page)) = kept.get(&key) {
            if at.elapsed().as_secs() < KEPT_SECS {
                return Ok(page.clone());
            }
        }
    }
    // The months, the breakdown and the worst customers read at once, each on a
    // connection of its own; the window's total is the months' sum (every figure is a sum
    // over the window's orders or tickets, each of which falls in one month).
    let ((by_month, months_ms), (segments, segments_ms), (worst, worst_ms)) = tokio::join!(
        timed(repo::sums_by(&app.db.conn, &vis, None, Grouping::Month, &w)),
        timed(rows(app, &vis, by, &w)),
        timed(worst_customers(app, &vis, &w)),
    );
    tracing::debug!(
        months_ms,
        segments_ms,
        worst_ms,
        group = by.as_str(),
        "company quality read"
    );
    let (by_month, segments, worst) = (by_month?, segments?, worst?);
    let mut total_sums = KpiSums::default();
    let mut months = Vec::new();
    for (g, m) in by_month {
        total_sums.add(&m.sums);
        if let Some(label) = month_label(g.as_deref()) {
            months.push((label, Kpis::of(&m.sums)));
        }
    }
    let page = CompanyQuality {
        from,
        to,
        by,
        total: Kpis::of(&total_sums),
        months,
        segments,
        worst,
        read_at: Utc::now(),
    };
    if let Ok(mut kept) = app.kpi_cache.pages.lock() {
        kept.retain(|_, (at, _)| at.elapsed().as_secs() < KEPT_SECS);
        kept.insert(key, (std::time::Instant::now(), page.clone()));
    }
    Ok(page)
}

/// A future's output and how long it took (ms).
async fn timed<T>(f: impl std::future::Future<Output = T>) -> (T, u64) {
    let t = std::time::Instant::now();
    let r = f.await;
    (r, t.elapsed().as_millis() as u64)
}

/// Moves the recent sums per customer (what the default window reads) to this month and
/// the eleven before, once a month begins, and has them carry the classes of the
/// classification run in force (housekeeping, and after the demo's data); whether
/// either changed.
pub async fn keep_recent(app: &App) -> Result<bool> {
    use chrono::Datelike;
    let Some(first) = month_start(app.today(), 11) else {
        return Ok(false);
    };
    let first = first.year() * 100 + first.month() as i32;
    let conn = &app.db.conn;
    let in_force = consign_store::classification::current_run(
        conn,
        consign_domain::classify::day_num(app.today()),
    )
    .await?
    .map(|r| r.id);
    let kept = repo::recent::class_run(conn).await?;
    let stale = in_force.is_some() && in_force != kept;
    if repo::recent::first_month(conn).await? == first && !stale {
        return Ok(false);
    }
    let txn = app.db.begin_write().await?;
    if let Some(run) = in_force.filter(|_| stale) {
        repo::recent::keep_classes(&txn, run).await?;
    }
    let moved = repo::recent::rebuild(&txn, first).await?;
    txn.commit().await?;
    Ok(moved || stale)
}

/// Per ranked KPI, the customers doing worst on it (enough volume, a value above 0),
/// worst first: ranked in the database, then the few named with their figures.
async fn worst_customers(
    app: &App,
    vis: &Visibility,
    w: &Window,
) -> Result<Vec<(String, Vec<GroupKpis>)>> {
    let conn = &app.db.conn;
    let figures_on: Vec<Ranked> = WORST_ON.iter().map(|(_, r)| *r).collect();
    let ranked: Vec<(&str, Vec<i64>)> = WORST_ON
        .iter()
        .map(|(field, _)| *field)
        .zip(repo::worst::worst(conn, vis, w, &figures_on, WORST_N).await?)
        .collect();
    let mut ids: Vec<i64> = ranked.iter().flat_map(|(_, r)| r.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    // The figures of those few (every one within `vis`: ranked there).
    let figures: std::collections::HashMap<i64, Kpis> = if ids.is_empty() {
        Default::default()
    } else {
        repo::sums_by(conn, &Visibility::All, Some(&ids), Grouping::CustomerId, w)
            .await?
            .into_iter()
            .filter_map(|(g, s)| Some((g?.parse::<i64>().ok()?, Kpis::of(&s.sums))))
            .collect()
    };
    let names = repo::labels(conn, &ids).await?;
    Ok(ranked
        .into_iter()
        .map(|(field, rows)| {
            let named = rows
                .into_iter()
                .map(|id| {
                    let (code, name) = names.get(&id).cloned().unwrap_or_default();
                    GroupKpis {
                        customer_id: Some(id.to_string()),
                        customer_code: Some(code.clone()),
                        group: Some(code),
                        label: Some(name),
                        kpis: figures
                            .get(&id)
                            .cloned()
                            .unwrap_or_else(|| Kpis::of(&KpiSums::default())),
                    }
                })
                .collect();
            (field.to_string(), named)
        })
        .collect())
}
