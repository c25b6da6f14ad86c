//! The service dashboard's figures: open tickets, times, root causes, complaint rates.

#[allow(unused_imports)]
use super::*;

/// The service dashboard's figures over the tickets in scope (same owner filter as the
/// list) registered in [from, to).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ServiceStats {
    /// (status, kind, tickets) of the tickets not closed (any date).
    pub open: Vec<(String, String, i64)>,
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
    /// (root cause, tickets resolved with it).
    pub causes: Vec<(String, i64)>,
    /// (customer id, code, name, complaints) of the customers with the most complaints.
    pub top_complainers: Vec<(i64, String, String, i64)>,
}

pub async fn stats<C: ConnectionTrait>(
    conn: &C,
    scope: &TicketFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ServiceStats> {
    let backend = conn.get_database_backend();
    let base = scope.scope_only();
    let (w, v) = base.where_clause();
    let w = if w.is_empty() {
        " WHERE 1 = 1".to_string()
    } else {
        w
    };
    let and = " AND ";
    let from_sql = "FROM tickets t";
    #[derive(FromQueryResult)]
    struct Group {
        status: String,
        kind: String,
        n: i64,
    }
    let open = Group::find_by_statement(stmt(
        backend,
        &format!("SELECT t.status, t.kind, COUNT(*) AS n {from_sql}{w}{and}t.status IN ('registered', 'investigating', 'resolved', 'confirmed') GROUP BY t.status, t.kind"),
        v.clone(),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|g| (g.status, g.kind, g.n))
    .collect();
    let breached = TicketFilter {
        breached_at: Some(now),
        ..base.clone()
    };
    let (bw, bv) = breached.where_clause();
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let breached_now = N::find_by_statement(stmt(
        backend,
        &format!("SELECT COUNT(*) AS n {from_sql}{bw}"),
        bv,
    ))
    .one(conn)
    .await?
    .map(|x| x.n)
    .unwrap_or(0);
    let mut wv = v.clone();
    wv.push(from.into());
    wv.push(to.into());
    let window = format!("{w}{and}t.created_at >= ? AND t.created_at < ?");
    #[derive(FromQueryResult)]
    struct Sums {
        registered: i64,
        complaints: Option<i64>,
        responded: Option<i64>,
        response_sum: Option<i64>,
        resolved: Option<i64>,
        resolution_sum: Option<i64>,
        responded_late: Option<i64>,
        resolved_late: Option<i64>,
        claims_settled: Option<i64>,
        settled_fen: Option<i64>,
        claimed_fen: Option<i64>,
    }
    let s = Sums::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT COUNT(*) AS registered, \
             CAST(SUM(CASE WHEN t.kind = 'complaint' THEN 1 ELSE 0 END) AS BIGINT) AS complaints, \
             CAST(COUNT(t.response_minutes) AS BIGINT) AS responded, \
             CAST(SUM(t.response_minutes) AS BIGINT) AS response_sum, \
             CAST(COUNT(t.resolution_minutes) AS BIGINT) AS resolved, \
             CAST(SUM(t.resolution_minutes) AS BIGINT) AS resolution_sum, \
             CAST(SUM(CASE WHEN t.first_response_at > t.first_response_due THEN 1 ELSE 0 END) AS BIGINT) AS responded_late, \
             CAST(SUM(CASE WHEN t.resolved_at > t.resolution_due THEN 1 ELSE 0 END) AS BIGINT) AS resolved_late, \
             CAST(SUM(CASE WHEN t.kind = 'claim' AND t.settled_fen IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS claims_settled, \
             CAST(SUM(CASE WHEN t.kind = 'claim' THEN t.settled_fen ELSE 0 END) AS BIGINT) AS settled_fen, \
             CAST(SUM(CASE WHEN t.kind = 'claim' THEN t.claimed_fen ELSE 0 END) AS BIGINT) AS claimed_fen \
             {from_sql}{window}"
        ),
        wv.clone(),
    ))
    .one(conn)
    .await?;
    let mut out = ServiceStats {
        open,
        breached_now,
        ..Default::default()
    };
    if let Some(s) = s {
        let avg = |sum: Option<i64>, n: Option<i64>| match (sum, n) {
            (Some(s), Some(n)) if n > 0 => Some(s as f64 / n as f64),
            _ => None,
        };
        out.registered = s.registered;
        out.complaints = s.complaints.unwrap_or(0);
        out.avg_response_minutes = avg(s.response_sum, s.responded);
        out.avg_resolution_minutes = avg(s.resolution_sum, s.resolved);
        out.responded_late = s.responded_late.unwrap_or(0);
        out.resolved_late = s.resolved_late.unwrap_or(0);
        out.claims_settled = s.claims_settled.unwrap_or(0);
        out.claims_settled_fen = s.settled_fen.unwrap_or(0);
        out.claims_claimed_fen = s.claimed_fen.unwrap_or(0);
    }
    #[derive(FromQueryResult)]
    struct Cause {
        root_cause: String,
        n: i64,
    }
    out.causes = Cause::find_by_statement(stmt(
        backend,
        &format!("SELECT t.root_cause, COUNT(*) AS n {from_sql}{window} AND t.root_cause IS NOT NULL GROUP BY t.root_cause ORDER BY n DESC"),
        wv.clone(),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|c| (c.root_cause, c.n))
    .collect();
    #[derive(FromQueryResult)]
    struct Top {
        customer_id: i64,
        code: String,
        name: String,
        n: i64,
    }
    out.top_complainers = Top::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT t.customer_id, c.code, c.name, COUNT(*) AS n FROM tickets t CROSS JOIN customers c\
             {window} AND c.id = t.customer_id AND t.kind = 'complaint' \
             GROUP BY t.customer_id, c.code, c.name ORDER BY n DESC, c.code LIMIT 10"
        ),
        wv,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|t| (t.customer_id, t.code, t.name, t.n))
    .collect();
    Ok(out)
}

/// Complaints registered in [from, to) per customer (in scope), for rates per shipment.
pub async fn complaints_by_customer<C: ConnectionTrait>(
    conn: &C,
    scope: &TicketFilter,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>> {
    let base = scope.scope_only();
    let (w, mut v) = base.where_clause();
    let and = if w.is_empty() { " WHERE " } else { " AND " };
    v.push(from.into());
    v.push(to.into());
    #[derive(FromQueryResult)]
    struct R {
        customer_id: i64,
        n: i64,
    }
    Ok(R::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT t.customer_id, COUNT(*) AS n FROM tickets t{w}{and}t.kind = 'complaint' AND t.created_at >= ? AND t.created_at < ? GROUP BY t.customer_id"
        ),
        v,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.customer_id, r.n))
    .collect())
}

/// Per value class of a classification run: (value class, the customers' shipments in the
/// run's trailing current window, complaints registered in [from, to)), over the
/// customers in scope.
pub async fn complaint_rates<C: ConnectionTrait>(
    conn: &C,
    scope: &TicketFilter,
    run_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>> {
    let backend = conn.get_database_backend();
    let base = scope.scope_only();
    let (w, v) = base.where_clause();
    let (cw, _) = base.where_clause_on("c.owner_id");
    let and = if w.is_empty() { " WHERE " } else { " AND " };
    #[derive(FromQueryResult)]
    struct S {
        value_class: String,
        n: i64,
    }
    let mut sv = vec![Value::from(run_id)];
    sv.extend(v.clone());
    let shipments = S::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT k.value_class, CAST(SUM(k.current_shipments) AS BIGINT) AS n FROM classifications k \
             JOIN customers c ON c.id = k.customer_id AND k.run_id = ?{} GROUP BY k.value_class",
            cw.replace(" WHERE ", " WHERE 1 = 1 AND ")
        ),
        sv,
    ))
    .all(conn)
    .await?;
    let mut cv = vec![Value::from(run_id)];
    cv.extend(v);
    cv.push(from.into());
    cv.push(to.into());
    let complaints = S::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT k.value_class, COUNT(*) AS n FROM tickets t \
             JOIN classifications k ON k.run_id = ? AND k.customer_id = t.customer_id\
             {w}{and}t.kind = 'complaint' AND t.created_at >= ? AND t.created_at < ? GROUP BY k.value_class"
        ),
        cv,
    ))
    .all(conn)
    .await?;
    Ok(["a", "b", "c"]
        .iter()
        .map(|vc| {
            let s = shipments
                .iter()
                .find(|x| x.value_class == *vc)
                .map(|x| x.n)
                .unwrap_or(0);
            let c = complaints
                .iter()
                .find(|x| x.value_class == *vc)
                .map(|x| x.n)
                .unwrap_or(0);
            (vc.to_string(), s, c)
        })
        .collect())
}
