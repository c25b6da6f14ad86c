//! A customer's service-quality panel: its KPIs over the last 30/90/365 days, the
//! company's to compare, and its last 12 months.

use super::*;

/// The windows of a customer's service-quality panel: the last 30, 90 and 365 days,
/// today included.
pub const PANEL_DAYS: [i64; 3] = [30, 90, 365];
/// How long the company's figures are reused before they are read again (seconds).
pub(super) const KEPT_SECS: u64 = 600;

/// Company-wide figures kept a few minutes: the 365 days every customer page compares
/// against, and the analysis pages' figures.
#[derive(Default)]
pub struct KpiCache {
    /// The benchmark of the customer pages: (read at, the window's end, KPIs).
    pub(super) baseline: std::sync::Mutex<Option<(std::time::Instant, NaiveDate, Kpis)>>,
    /// The analysis page's figures, per caller's scope and question.
    pub(super) pages:
        std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, CompanyQuality)>>,
}

/// One window of the panel.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PanelWindow {
    pub days: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kpis: Kpis,
}

/// A customer's service quality: its KPIs over the panel's windows, the company's over
/// the longest, and its last 12 months (the current one last) for the trend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiPanel {
    pub windows: Vec<PanelWindow>,
    /// Every customer's, over the longest window (rates and averages to compare with).
    pub company: Kpis,
    /// (`YYYY-MM`, the month's KPIs), oldest first.
    pub months: Vec<(String, Kpis)>,
}

/// The first day of the month `back` months before `d`'s.
pub(crate) fn month_start(d: NaiveDate, back: u32) -> Option<NaiveDate> {
    d.with_day(1)?.checked_sub_months(chrono::Months::new(back))
}

/// A customer's service-quality panel, as the caller may see the customer.
pub async fn panel(app: &App, actor: &Actor, id: CustomerId) -> Result<KpiPanel> {
    let c = visible_customer(app, actor, id).await?;
    let conn = &app.db.conn;
    let today = app.today();
    let to = today
        .succ_opt()
        .ok_or_else(|| AppError::internal("no tomorrow"))?;
    let window_of = |from: NaiveDate| {
        window(
            app,
            &KpiQuery {
                from: Some(from.to_string()),
                to: Some(to.to_string()),
            },
        )
    };
    let mut windows = Vec::new();
    for days in PANEL_DAYS {
        let from = to - Duration::days(days);
        let (_, _, w) = window_of(from)?;
        let sums = repo::customer_sums(conn, c.id, &w).await?;
        windows.push(PanelWindow {
            days,
            from,
            to,
            kpis: Kpis::of(&sums),
        });
    }
    let first = month_start(today, 11).ok_or_else(|| AppError::internal("no month"))?;
    let (_, _, w) = window_of(first)?;
    let by = repo::sums_by(conn, &Visibility::All, Some(&[c.id]), Grouping::Month, &w).await?;
    let mut months = Vec::new();
    for back in (0..12).rev() {
        let m = month_start(today, back).ok_or_else(|| AppError::internal("no month"))?;
        let key = (m.year() * 100 + m.month() as i32).to_string();
        let sums = by
            .get(&Some(key))
            .map(|g| g.sums.clone())
            .unwrap_or_default();
        months.push((m.format("%Y-%m").to_string(), Kpis::of(&sums)));
    }
    let company = baseline(app, to).await?;
    Ok(KpiPanel {
        windows,
        company,
        months,
    })
}

/// The company's KPIs over the 365 days before `to`, reused for a few minutes.
async fn baseline(app: &App, to: NaiveDate) -> Result<Kpis> {
    if let Ok(kept) = app.kpi_cache.baseline.lock() {
        if let Some((at, day, k)) = kept.as_ref() {
            if *day == to && at.elapsed().as_secs() < KEPT_SECS {
                return Ok(k.clone());
            }
        }
    }
    let days = PANEL_DAYS[PANEL_DAYS.len() - 1];
    let (_, _, w) = window(
        app,
        &KpiQuery {
            from: Some((to - Duration::days(days)).to_string()),
            to: Some(to.to_string()),
        },
    )?;
    let sums = repo::total(&app.db.conn, &Visibility::All, None, &w).await?;
    let k = Kpis::of(&sums);
    if let Ok(mut kept) = app.kpi_cache.baseline.lock() {
        *kept = Some((std::time::Instant::now(), to, k.clone()));
    }
    Ok(k)
}
