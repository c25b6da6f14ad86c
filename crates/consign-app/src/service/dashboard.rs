//! The service dashboard: open tickets, breaches, response and resolution times, root
//! causes, claims, complaints per 1,000 shipments.

#[allow(unused_imports)]
use super::*;
use consign_domain::customer::CustomerId;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceDashQuery {
    /// Days back the period's figures cover (default 30).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 366)]
    pub days: Option<String>,
}

/// Complaints per 1,000 shipments of one segment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintRate)]
pub struct Rate {
    pub key: String,
    pub label_key: &'static str,
    pub shipments: i64,
    pub complaints: i64,
    pub per_thousand: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Complainer {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    /// Complaints in the dashboard's period.
    pub complaints: i64,
    /// Shipments and complaints in the classification's current window, and their rate:
    /// both counted over the same days.
    pub shipments: Option<i64>,
    pub window_complaints: i64,
    pub per_thousand: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceDashboard {
    pub days: i64,
    pub from: chrono::NaiveDate,
    /// Open tickets: (status, kind, count).
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub open: Vec<(Status, TicketKind, i64)>,
    pub open_total: i64,
    pub breached_now: i64,
    pub registered: i64,
    pub complaints: i64,
    pub avg_response_minutes: Option<f64>,
    pub avg_resolution_minutes: Option<f64>,
    pub responded_late: i64,
    pub resolved_late: i64,
    pub claims_settled: i64,
    pub claims_settled_fen: i64,
    pub claims_claimed_fen: i64,
    /// (root cause, count)
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub causes: Vec<(RootCause, i64)>,
    /// Complaints per 1,000 shipments by value class, over the classification's
    /// trailing window (days).
    pub rates: Vec<Rate>,
    pub rate_days: i64,
    pub complainers: Vec<Complainer>,
}

/// The service desk's figures over the tickets the caller sees: what is open now (by
/// status and kind), what is late now, and over the last `days`: response and resolution
/// times, late answers, root causes, claims paid, complaint rates.
pub async fn dashboard(app: &App, actor: &Actor, q: &ServiceDashQuery) -> Result<ServiceDashboard> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    let days = match q.days.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 30,
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or_else(|| AppError::field("days", "err.invalid_choice"))?,
    };
    let (owners, pool) = ticket_scope(app, actor).await?;
    let scope = TicketFilter {
        owners,
        pool,
        ..Default::default()
    };
    let now = Utc::now();
    let today = now.with_timezone(&app.tz()).date_naive();
    let from_day = today - chrono::Duration::days(days - 1);
    let from = app.midnight(from_day);
    let conn = &app.db.conn;
    let s = repo::stats(conn, &scope, from, now, now).await?;
    let open: Vec<(Status, TicketKind, i64)> = s
        .open
        .iter()
        .filter_map(|(st, k, n)| Some((Status::parse(st)?, TicketKind::parse(k)?, *n)))
        .collect();
    // Complaint rates over the classification's "current" window: the days its shipment
    // counts cover, [as_of - current_days, as_of), complaints over the same days.
    let run = consign_store::classification::current_run(conn, day_num(today)).await?;
    let pv = match &run {
        Some(r) => crate::classification::policy_version(app, r.policy_version).await?,
        None => crate::classification::policy_in_force(app).await?,
    };
    let rate_days = pv.policy.current_days;
    let window = run.as_ref().and_then(|r| {
        let end = consign_domain::classify::day_date(r.as_of)?;
        let start = end - chrono::Duration::days(rate_days);
        Some((app.midnight(start), app.midnight(end)))
    });
    let mut rates = Vec::new();
    let mut complainers = Vec::new();
    let mut in_window: std::collections::HashMap<i64, i64> = Default::default();
    if let (Some(run), Some((rate_from, rate_to))) = (&run, window) {
        in_window = repo::complaints_by_customer(conn, &scope, rate_from, rate_to)
            .await?
            .into_iter()
            .collect();
        for (vc, shipments, complaints) in
            repo::complaint_rates(conn, &scope, run.id, rate_from, rate_to).await?
        {
            let Some(v) = ValueClass::parse(&vc) else {
                continue;
            };
            rates.push(Rate {
                key: vc,
                label_key: v.label_key(),
                shipments,
                complaints,
                per_thousand: (shipments > 0)
                    .then(|| complaints as f64 * 1000.0 / shipments as f64),
            });
        }
    }
    for (id, code, name, n) in &s.top_complainers {
        let shipments = match &run {
            Some(r) => consign_store::classification::verdict(conn, r.id, CustomerId::trusted(*id))
                .await?
                .map(|v| v.current_shipments),
            None => None,
        };
        let window_complaints = in_window.get(id).copied().unwrap_or(0);
        complainers.push(Complainer {
            customer_id: *id,
            code: code.clone(),
            name: name.clone(),
            complaints: *n,
            per_thousand: shipments
                .filter(|s| *s > 0)
                .map(|s| window_complaints as f64 * 1000.0 / s as f64),
            shipments,
            window_complaints,
        });
    }
    Ok(ServiceDashboard {
        days,
        from: from_day,
        open_total: open.iter().map(|o| o.2).sum(),
        open,
        breached_now: s.breached_now,
        registered: s.registered,
        complaints: s.complaints,
        avg_response_minutes: s.avg_response_minutes,
        avg_resolution_minutes: s.avg_resolution_minutes,
        responded_late: s.responded_late,
        resolved_late: s.resolved_late,
        claims_settled: s.claims_settled,
        claims_settled_fen: s.claims_settled_fen,
        claims_claimed_fen: s.claims_claimed_fen,
        causes: s
            .causes
            .iter()
            .filter_map(|(c, n)| Some((RootCause::parse(c)?, *n)))
            .collect(),
        rates,
        rate_days,
        complainers,
    })
}
