//! Stored verdicts: one customer's, its history, a run's.

use super::*;
#[allow(unused_imports)]
use consign_domain::customer::CustomerId;

/// One stored verdict with its figures.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Verdict)]
pub struct VerdictRow {
    pub run_id: i64,
    pub customer_id: i64,
    pub grade: String,
    pub value_class: String,
    pub value_rank: Option<i64>,
    pub profit_fen: i64,
    pub profit_before_fen: i64,
    pub lifecycle: String,
    pub at_risk: bool,
    pub last_day: Option<i32>,
    pub frequent_shipments: i64,
    pub grade_revenue_fen: i64,
    pub current_shipments: i64,
    pub churn_shipments: i64,
    pub churn_prev_shipments: i64,
    pub recency_days: Option<i64>,
    pub frequency: Option<i64>,
    pub monetary_fen: Option<i64>,
    pub r_score: Option<i32>,
    pub f_score: Option<i32>,
    pub m_score: Option<i32>,
    pub rfm_segment: Option<String>,
    /// The rule that decided the grade (`GradeBasis`); None in runs made before it was kept.
    pub grade_basis: Option<String>,
}

pub(crate) const VERDICT_COLS: &str =
    "k.run_id, k.customer_id, k.grade, k.value_class, k.value_rank, \
    k.profit_fen, k.profit_before_fen, k.lifecycle, k.at_risk, k.last_day, \
    k.frequent_shipments, k.grade_revenue_fen, k.current_shipments, k.churn_shipments, \
    k.churn_prev_shipments, k.recency_days, k.frequency, k.monetary_fen, k.r_score, \
    k.f_score, k.m_score, k.rfm_segment, k.grade_basis";

pub async fn verdict<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    customer_id: CustomerId,
) -> Result<Option<VerdictRow>> {
    let customer_id = customer_id.get();
    Ok(VerdictRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {VERDICT_COLS} FROM classifications k WHERE k.run_id = ? AND k.customer_id = ?"
        ),
        vec![run_id.into(), customer_id.into()],
    ))
    .one(conn)
    .await?)
}

/// A customer's verdicts in every stored run, oldest first, with the run.
pub async fn history<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
) -> Result<Vec<(i32, i64, VerdictRow)>> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    // One key seek per stored run (a few dozen): no index by customer to keep up.
    let verdicts = VerdictRow::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT {VERDICT_COLS} FROM classification_runs r JOIN classifications k \
             ON k.run_id = r.id AND k.customer_id = ? ORDER BY r.id"
        ),
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?;
    let runs: HashMap<i64, RunRow> = runs(conn).await?.into_iter().map(|r| (r.id, r)).collect();
    // By day, the latest run's verdict: the stored runs', then the changes kept of runs
    // since replaced.
    let mut by_day: std::collections::BTreeMap<i32, (i64, i64, VerdictRow)> = Default::default();
    let mut put = |as_of: i32, pv: i64, v: VerdictRow| {
        if by_day.get(&as_of).is_none_or(|(run, _, _)| *run < v.run_id) {
            by_day.insert(as_of, (v.run_id, pv, v));
        }
    };
    for v in verdicts {
        if let Some(r) = runs.get(&v.run_id) {
            put(r.as_of, r.policy_version, v);
        }
    }
    #[derive(FromQueryResult)]
    struct Changed {
        as_of: i32,
        policy_version: i64,
    }
    let cols = VERDICT_COLS.replace("k.", "c.");
    let sql = format!(
        "SELECT c.as_of, c.policy_version, {cols} FROM classification_changes c \
         WHERE c.customer_id = ? ORDER BY c.as_of, c.run_id"
    );
    for row in conn
        .query_all(stmt(backend, &sql, vec![customer_id.into()]))
        .await?
    {
        let day = Changed::from_query_result(&row, "")?;
        let v = VerdictRow::from_query_result(&row, "")?;
        put(day.as_of, day.policy_version, v);
    }
    Ok(by_day
        .into_iter()
        .map(|(as_of, (_, pv, v))| (as_of, pv, v))
        .collect())
}

/// Every verdict of a run (for the dashboard and exports), by customer id.
pub async fn verdicts_of_run<C: ConnectionTrait>(conn: &C, run_id: i64) -> Result<Vec<VerdictRow>> {
    Ok(VerdictRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {VERDICT_COLS} FROM classifications k WHERE k.run_id = ? ORDER BY k.customer_id"),
        vec![run_id.into()],
    ))
    .all(conn)
    .await?)
}

/// The verdicts of a run for these customers.
pub async fn verdicts_for<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, VerdictRow>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let mut values: Vec<Value> = vec![run_id.into()];
    values.extend(ids.iter().map(|&i| Value::from(i)));
    Ok(VerdictRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {VERDICT_COLS} FROM classifications k WHERE k.run_id = ? AND k.customer_id IN ({marks})"
        ),
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|v| (v.customer_id, v))
    .collect())
}
