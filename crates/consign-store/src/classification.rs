//! Classification storage: policy versions, runs and their verdicts, and the figures a
//! run is computed from (read from the rollups, never from raw shipments).

use crate::customers::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::classify::{Figures, Verdict, Windows};
use consign_domain::customer::{CustomerKind, GovLevel};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, FromQueryResult)]
pub struct PolicyRow {
    pub version: i64,
    pub policy: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

pub async fn latest_policy<C: ConnectionTrait>(conn: &C) -> Result<Option<PolicyRow>> {
    Ok(PolicyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT version, policy, note, created_by, created_by_name, created_at \
         FROM classification_policies ORDER BY version DESC LIMIT 1",
        vec![],
    ))
    .one(conn)
    .await?)
}

pub async fn policy_version<C: ConnectionTrait>(conn: &C, v: i64) -> Result<Option<PolicyRow>> {
    Ok(PolicyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT version, policy, note, created_by, created_by_name, created_at \
         FROM classification_policies WHERE version = ?",
        vec![v.into()],
    ))
    .one(conn)
    .await?)
}

/// Every version, newest first.
pub async fn policy_versions<C: ConnectionTrait>(conn: &C) -> Result<Vec<PolicyRow>> {
    Ok(PolicyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT version, policy, note, created_by, created_by_name, created_at \
         FROM classification_policies ORDER BY version DESC",
        vec![],
    ))
    .all(conn)
    .await?)
}

pub async fn insert_policy<C: ConnectionTrait>(
    conn: &C,
    policy_json: &str,
    note: &str,
    user: Option<i64>,
    user_name: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        version: i64,
    }
    let row = Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO classification_policies (policy, note, created_by, created_by_name, created_at) \
         VALUES (?, ?, ?, ?, ?) RETURNING version",
        vec![
            policy_json.into(),
            note.into(),
            user.into(),
            user_name.into(),
            now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(crate::StoreError::NotFound)?;
    Ok(row.version)
}

/// Every customer in use (not archived, not merged away) with its kind and the day of
/// its last shipment ordered before `before` (a seek per customer on the rollups' key),
/// and, in the same order, its owner (0: the pool).
/// Whose a customer is and what it ships, as a run's stored sums are kept: its owner (0:
/// the pool) and its service modes as stored (`,ltl,ftl,`).
#[derive(Debug, Clone, Default)]
pub struct Holder {
    pub owner: i64,
    pub modes: String,
}

pub async fn live_customers<C: ConnectionTrait>(
    conn: &C,
    before: i32,
) -> Result<(Vec<Figures>, Vec<Holder>)> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        code: String,
        kind: String,
        gov_level: Option<String>,
        owner_id: Option<i64>,
        service_modes: String,
        last_day: Option<i32>,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT c.id, c.code, c.kind, c.gov_level, c.owner_id, c.service_modes, \
         (SELECT MAX(d.day) FROM customer_days d WHERE d.customer_id = c.id AND d.day < ?) AS last_day \
         FROM customers c WHERE c.archived_at IS NULL AND c.merged_into_id IS NULL",
        vec![before.into()],
    ))
    .all(conn)
    .await?;
    let owners = rows
        .iter()
        .map(|r| Holder {
            owner: r.owner_id.unwrap_or(0),
            modes: r.service_modes.clone(),
        })
        .collect();
    let figures = rows
        .into_iter()
        .map(|r| Figures {
            customer_id: r.id,
            code: r.code,
            kind: CustomerKind::parse(&r.kind),
            gov_level: r.gov_level.as_deref().and_then(GovLevel::parse),
            last_day: r.last_day,
            ..Default::default()
        })
        .collect();
    Ok((figures, owners))
}

/// Fills in each customer's sums over the policy's windows, from the daily rollups of
/// [w.earliest, w.as_of), read per customer along the rollups' key.
pub async fn add_window_sums<C: ConnectionTrait>(
    conn: &C,
    w: &Windows,
    all: &mut [Figures],
) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Row {
        customer_id: i64,
        frequent: i64,
        grade_revenue: i64,
        profit: i64,
        rfm_shipments: i64,
        rfm_revenue: i64,
        cur: i64,
        churn: i64,
        churn_prev: i64,
    }
    let sum = |col: &str, from: i32| {
        format!("CAST(SUM(CASE WHEN d.day >= {from} THEN d.{col} ELSE 0 END) AS BIGINT)")
    };
    let sql = format!(
        "SELECT d.customer_id, {} AS frequent, {} AS grade_revenue, {} AS profit, \
         {} AS rfm_shipments, {} AS rfm_revenue, {} AS cur, {} AS churn, \
         CAST(SUM(CASE WHEN d.day >= {} AND d.day < {} THEN d.shipments ELSE 0 END) AS BIGINT) AS churn_prev \
         FROM customers c JOIN customer_days d ON d.customer_id = c.id AND d.day >= ? AND d.day < ? \
         WHERE c.archived_at IS NULL AND c.merged_into_id IS NULL \
         GROUP BY d.customer_id",
        sum("shipments", w.frequent_from),
        sum("revenue_fen", w.revenue_from),
        sum("profit_fen", w.value_from),
        sum("shipments", w.rfm_from),
        sum("revenue_fen", w.rfm_from),
        sum("shipments", w.current_from),
        sum("shipments", w.churn_from),
        w.churn_prev_from,
        w.churn_from,
    );
    // The window bounds are integers of our own making, written into the text so that
    // both databases plan the CASEs as constants.
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &sql,
        vec![w.earliest.into(), w.as_of.into()],
    ))
    .all(conn)
    .await?;
    let at: HashMap<i64, usize> = all
        .iter()
        .enumerate()
        .map(|(i, f)| (f.customer_id, i))
        .collect();
    for r in rows {
        if let Some(&i) = at.get(&r.customer_id) {
            let f = &mut all[i];
            f.frequent_shipments = r.frequent;
            f.grade_revenue_fen = r.grade_revenue;
            f.value_profit_fen = r.profit;
            f.rfm_shipments = r.rfm_shipments;
            f.rfm_revenue_fen = r.rfm_revenue;
            f.current_shipments = r.cur;
            f.churn_shipments = r.churn;
            f.churn_prev_shipments = r.churn_prev;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    pub as_of: i32,
    pub policy_version: i64,
    pub cause: String,
    pub keep: bool,
    pub customers: i64,
    pub value_ranked: i64,
    pub profit_total_fen: i64,
    pub rfm_n: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Which stored sums the run has: 0 none (answered from its verdicts), 2 per owner
    /// and service modes.
    pub sums: i32,
}

/// The stored sums a run writes now (see [`RunRow::sums`]).
pub const SUMS_BY_OWNER_AND_MODES: i32 = 2;

const RUN_COLS: &str = "id, as_of, policy_version, cause, keep, customers, value_ranked, \
    profit_total_fen, rfm_n, started_at, finished_at, sums";

pub struct NewRun<'a> {
    pub as_of: i32,
    pub policy_version: i64,
    pub cause: &'a str,
    pub keep: bool,
    pub customers: i64,
    pub value_ranked: i64,
    pub profit_total_fen: i64,
    pub rfm_n: i64,
    pub started_at: DateTime<Utc>,
}

/// Writes a finished run and its verdicts; then drops the runs it supersedes: any other
/// run as of the same day, and the runs not kept (not month-end) as of earlier days. Call
/// inside one write transaction.
pub async fn save_run<C: ConnectionTrait>(
    conn: &C,
    run: &NewRun<'_>,
    verdicts: &[Verdict],
    figures: &[Figures],
    owners: &[Holder],
    now: DateTime<Utc>,
) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let backend = conn.get_database_backend();
    let id = Id::find_by_statement(stmt(
        backend,
        "INSERT INTO classification_runs (as_of, policy_version, cause, keep, customers, \
         value_ranked, profit_total_fen, rfm_n, started_at, finished_at, sums) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            run.as_of.into(),
            run.policy_version.into(),
            run.cause.into(),
            run.keep.into(),
            run.customers.into(),
            run.value_ranked.into(),
            run.profit_total_fen.into(),
            run.rfm_n.into(),
            run.started_at.into(),
            now.into(),
            SUMS_BY_OWNER_AND_MODES.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(crate::StoreError::NotFound)?
    .id;
    const COLS: usize = 23;
    const PER: usize = 340;
    let by_id: HashMap<i64, &Figures> = figures.iter().map(|f| (f.customer_id, f)).collect();
    let head = "INSERT INTO classifications (run_id, customer_id, grade, value_class, value_rank, \
        profit_fen, profit_before_fen, lifecycle, at_risk, last_day, frequent_shipments, \
        grade_revenue_fen, current_shipments, churn_shipments, churn_prev_shipments, \
        recency_days, frequency, monetary_fen, r_score, f_score, m_score, rfm_segment, grade_basis) VALUES ";
    let row = format!("({})", vec!["?"; COLS].join(","));
    let mut full_sql: Option<String> = None;
    for chunk in verdicts.chunks(PER) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * COLS);
        for v in chunk {
            let f = by_id.get(&v.customer_id).copied();
            let g = |x: fn(&Figures) -> i64| f.map(x).unwrap_or(0);
            let rfm = v.rfm.as_ref();
            values.extend([
                id.into(),
                v.customer_id.into(),
                v.grade.as_str().into(),
                v.value_class.as_str().into(),
                v.value_rank.into(),
                g(|f| f.value_profit_fen).into(),
                v.profit_before_fen.into(),
                v.lifecycle.as_str().into(),
                v.at_risk.into(),
                v.figures_last_day.into(),
                g(|f| f.frequent_shipments).into(),
                g(|f| f.grade_revenue_fen).into(),
                g(|f| f.current_shipments).into(),
                g(|f| f.churn_shipments).into(),
                g(|f| f.churn_prev_shipments).into(),
                rfm.map(|r| r.recency_days).into(),
                rfm.map(|r| r.frequency).into(),
                rfm.map(|r| r.monetary_fen).into(),
                rfm.map(|r| r.r as i32).into(),
                rfm.map(|r| r.f as i32).into(),
                rfm.map(|r| r.m as i32).into(),
                rfm.map(|r| r.segment.as_str()).into(),
                v.grade_basis.as_str().into(),
            ]);
        }
        let sql = if chunk.len() == PER {
            full_sql
                .get_or_insert_with(|| format!("{head}{}", vec![row.as_str(); PER].join(",")))
                .clone()
        } else {
            format!("{head}{}", vec![row.as_str(); chunk.len()].join(","))
        };
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    save_sums(conn, id, run, verdicts, figures, owners).await?;
    record_changes(conn, id, run).await?;
    for table in [
        "classifications",
        "classification_groups",
        "classification_pareto",
        "classification_months",
    ] {
        conn.execute(stmt(
            backend,
            &format!(
                "DELETE FROM {table} WHERE run_id IN (SELECT id FROM classification_runs \
                 WHERE id <> ? AND (as_of = ? OR (keep = ? AND as_of < ?)))"
            ),
            vec![id.into(), run.as_of.into(), false.into(), run.as_of.into()],
        ))
        .await?;
    }
    conn.execute(stmt(
        backend,
        "DELETE FROM classification_runs WHERE id <> ? AND (as_of = ? OR (keep = ? AND as_of < ?))",
        vec![id.into(), run.as_of.into(), false.into(), run.as_of.into()],
    ))
    .await?;
    Ok(id)
}

/// Keeps each verdict of run `id` that differs from the customer's verdict in the run it
/// follows (the latest other run as of the same day or before) in grade, value class,
/// lifecycle, churn warning or RFM segment, or that is the customer's first.
async fn record_changes<C: ConnectionTrait>(conn: &C, id: i64, run: &NewRun<'_>) -> Result<()> {
    let backend = conn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Prev {
        id: i64,
    }
    let prev = Prev::find_by_statement(stmt(
        backend,
        "SELECT id FROM classification_runs WHERE id <> ? AND as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1",
        vec![id.into(), run.as_of.into()],
    ))
    .one(conn)
    .await?
    .map(|p| p.id)
    .unwrap_or(0);
    let cols = VERDICT_COLS.replace("k.run_id, ", "");
    let bare = cols.replace("k.", "");
    conn.execute(stmt(
        backend,
        &format!(
            "INSERT INTO classification_changes (run_id, as_of, policy_version, {bare}) \
             SELECT ?, ?, ?, {cols} FROM classifications k \
             LEFT JOIN classifications o ON o.run_id = ? AND o.customer_id = k.customer_id \
             WHERE k.run_id = ? AND (o.customer_id IS NULL OR o.grade <> k.grade \
             OR o.value_class <> k.value_class OR o.lifecycle <> k.lifecycle OR o.at_risk <> k.at_risk \
             OR COALESCE(o.rfm_segment, '') <> COALESCE(k.rfm_segment, ''))"
        ),
        vec![
            id.into(),
            run.as_of.into(),
            run.policy_version.into(),
            prev.into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Rows into `table`, as many a statement as stay under 8,000 bound values.
async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    let per = (8_000 / cols.len().max(1)).max(1);
    let one = format!("({})", vec!["?"; cols.len()].join(", "));
    let mut rest = rows.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rest.by_ref().take(per).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            cols.join(", "),
            vec![one.as_str(); chunk.len()].join(",")
        );
        conn.execute(stmt(
            conn.get_database_backend(),
            &sql,
            chunk.into_iter().flatten().collect(),
        ))
        .await?;
    }
    Ok(())
}

/// Pareto buckets per run: customers with positive profit by global rank percentile.
pub const PARETO_BUCKETS: i64 = 100;

/// The dashboard's sums of a run, per owner: customers per combination of verdicts, the
/// Pareto buckets, and the full months' totals of the 24 months before D.
async fn save_sums<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    run: &NewRun<'_>,
    verdicts: &[Verdict],
    figures: &[Figures],
    owners: &[Holder],
) -> Result<()> {
    let backend = conn.get_database_backend();
    type Key<'m> = (
        i64,
        &'m str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        bool,
    );
    let mut groups: HashMap<Key, (i64, i64)> = HashMap::new();
    let mut pareto: HashMap<(i64, &str, i64), (i64, i64)> = HashMap::new();
    let nobody = Holder::default();
    for (i, v) in verdicts.iter().enumerate() {
        let h = owners.get(i).unwrap_or(&nobody);
        let owner = h.owner;
        let profit = figures.get(i).map(|f| f.value_profit_fen).unwrap_or(0);
        let seg = v.rfm.map(|r| r.segment.as_str()).unwrap_or("");
        let key = (
            owner,
            h.modes.as_str(),
            v.value_class.as_str(),
            v.grade.as_str(),
            v.lifecycle.as_str(),
            seg,
            v.at_risk,
        );
        let e = groups.entry(key).or_default();
        e.0 += 1;
        e.1 += profit;
        if let Some(rank) = v.value_rank {
            let b = (rank - 1) * PARETO_BUCKETS / v.value_ranked.max(1);
            let e = pareto.entry((owner, h.modes.as_str(), b)).or_default();
            e.0 += 1;
            e.1 += profit;
        }
    }
    let group_rows = groups
        .iter()
        .map(|((owner, modes, vc, grade, life, seg, risk), (n, p))| {
            vec![
                id.into(),
                (*owner).into(),
                (*modes).into(),
                (*vc).into(),
                (*grade).into(),
                (*life).into(),
                (*seg).into(),
                (*risk).into(),
                (*n).into(),
                (*p).into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "classification_groups",
        &[
            "run_id",
            "owner_id",
            "service_modes",
            "value_class",
            "grade",
            "lifecycle",
            "rfm_segment",
            "at_risk",
            "n",
            "profit_fen",
        ],
        group_rows,
    )
    .await?;
    let pareto_rows = pareto
        .iter()
        .map(|((owner, modes, b), (n, p))| {
            vec![
                id.into(),
                (*owner).into(),
                (*modes).into(),
                (*b).into(),
                (*n).into(),
                (*p).into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "classification_pareto",
        &[
            "run_id",
            "owner_id",
            "service_modes",
            "bucket",
            "n",
            "profit_fen",
        ],
        pareto_rows,
    )
    .await?;
    let (from, month) = consign_domain::classify::trend_months(run.as_of);
    conn.execute(stmt(
        backend,
        "INSERT INTO classification_months (run_id, owner_id, service_modes, month, shipments, \
         revenue_fen, profit_fen) \
         SELECT ?, COALESCE(c.owner_id, 0), c.service_modes, m.month, SUM(m.shipments), \
         SUM(m.revenue_fen), SUM(m.profit_fen) \
         FROM customer_months m JOIN customers c ON c.id = m.customer_id \
         WHERE m.month >= ? AND m.month < ? GROUP BY COALESCE(c.owner_id, 0), c.service_modes, m.month",
        vec![id.into(), from.into(), month.into()],
    ))
    .await?;
    Ok(())
}

/// The run lists and the customer page show: the latest as of `today` or before.
pub async fn current_run<C: ConnectionTrait>(conn: &C, today: i32) -> Result<Option<RunRow>> {
    Ok(RunRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {RUN_COLS} FROM classification_runs WHERE as_of <= ? \
             ORDER BY as_of DESC, id DESC LIMIT 1"
        ),
        vec![today.into()],
    ))
    .one(conn)
    .await?)
}

pub async fn run<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<RunRow>> {
    Ok(RunRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {RUN_COLS} FROM classification_runs WHERE id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// Every stored run, newest first.
pub async fn runs<C: ConnectionTrait>(conn: &C) -> Result<Vec<RunRow>> {
    Ok(RunRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {RUN_COLS} FROM classification_runs ORDER BY as_of DESC, id DESC"),
        vec![],
    ))
    .all(conn)
    .await?)
}

/// One stored verdict with its figures.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
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

const VERDICT_COLS: &str = "k.run_id, k.customer_id, k.grade, k.value_class, k.value_rank, \
    k.profit_fen, k.profit_before_fen, k.lifecycle, k.at_risk, k.last_day, \
    k.frequent_shipments, k.grade_revenue_fen, k.current_shipments, k.churn_shipments, \
    k.churn_prev_shipments, k.recency_days, k.frequency, k.monetary_fen, k.r_score, \
    k.f_score, k.m_score, k.rfm_segment, k.grade_basis";

pub async fn verdict<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    customer_id: i64,
) -> Result<Option<VerdictRow>> {
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
    customer_id: i64,
) -> Result<Vec<(i32, i64, VerdictRow)>> {
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

/// `AND …` conditions with `?` placeholders and their values in order. Shown with
/// `{}` it is its SQL; the values go after those of the SQL before it.
#[derive(Debug, Clone, Default)]
pub struct Cond {
    pub sql: String,
    pub values: Vec<Value>,
}

impl Cond {
    fn bind(&mut self, sql: &str, v: Value) {
        self.sql += sql;
        self.values.push(v);
    }

    pub fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }

    /// `before`, then this condition's values.
    fn after(&self, mut before: Vec<Value>) -> Vec<Value> {
        before.extend(self.values.iter().cloned());
        before
    }
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

/// Which customers a dashboard counts: conditions on `customers c`.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    pub province: Option<String>,
    pub industry: Option<String>,
    pub service_mode: Option<String>,
    pub owner: Option<crate::customers::OwnerFilter>,
    /// Owners whose customers the viewer may see (and the pool); None: all.
    pub visible_owners: Option<Vec<i64>>,
}

impl Slice {
    /// `AND …` conditions on `c`, empty for the whole company. What a user chose (a
    /// province, an industry, a service mode) is bound, never written into the SQL.
    pub fn sql(&self) -> Cond {
        use crate::customers::OwnerFilter;
        let mut c = Cond::default();
        if let Some(v) = &self.province {
            c.bind(" AND c.province = ?", v.as_str().into());
        }
        if let Some(v) = &self.industry {
            c.bind(" AND c.industry = ?", v.as_str().into());
        }
        if let Some(v) = &self.service_mode {
            let pat = format!("%,{},%", v.replace(['%', '_', '\\'], ""));
            c.bind(" AND c.service_modes LIKE ?", pat.into());
        }
        let w = &mut c.sql;
        match &self.owner {
            Some(OwnerFilter::User(id)) => *w += &format!(" AND c.owner_id = {id}"),
            Some(OwnerFilter::Pool) => *w += " AND c.owner_id IS NULL",
            None => {}
        }
        if let Some(ids) = &self.visible_owners {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            if list.is_empty() {
                *w += " AND c.owner_id IS NULL";
            } else {
                *w += &format!(
                    " AND (c.owner_id IS NULL OR c.owner_id IN ({}))",
                    list.join(",")
                );
            }
        }
        c
    }

    pub fn is_whole(&self) -> bool {
        self.sql().sql.is_empty()
    }

    /// The owners the slice covers (0: the pool), or None for all of them.
    fn owner_set(&self) -> Option<Vec<i64>> {
        use crate::customers::OwnerFilter;
        let mut set: Option<Vec<i64>> = self.visible_owners.as_ref().map(|ids| {
            let mut v = ids.clone();
            v.push(0);
            v
        });
        if let Some(o) = &self.owner {
            let one = match o {
                OwnerFilter::User(id) => *id,
                OwnerFilter::Pool => 0,
            };
            set = Some(match set {
                Some(v) if !v.contains(&one) => Vec::new(),
                _ => vec![one],
            });
        }
        set
    }

    /// When a run's stored sums answer the slice (it is about owners and a service mode
    /// only): the `AND …` conditions on the stored tables. None: it filters by region or
    /// industry, and is computed from the verdicts.
    pub fn stored(&self) -> Option<Cond> {
        if self.province.is_some() || self.industry.is_some() {
            return None;
        }
        let mut cond = Cond {
            sql: owner_cond(&self.owner_set()),
            values: Vec::new(),
        };
        if let Some(v) = &self.service_mode {
            let pat = format!("%,{},%", v.replace(['%', '_', '\\'], ""));
            cond.bind(" AND service_modes LIKE ?", pat.into());
        }
        Some(cond)
    }
}

fn owner_cond(owners: &Option<Vec<i64>>) -> String {
    match owners {
        None => String::new(),
        Some(v) if v.is_empty() => " AND 1 = 0".into(),
        Some(v) => format!(
            " AND owner_id IN ({})",
            v.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// [`groups`] from the run's stored sums, under [`Slice::stored`]'s conditions.
pub async fn stored_groups<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    cond: &Cond,
) -> Result<Vec<GroupRow>> {
    Ok(GroupRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT value_class, grade, lifecycle, NULLIF(rfm_segment, '') AS rfm_segment, at_risk, \
             CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(profit_fen) AS BIGINT) AS profit_fen \
             FROM classification_groups WHERE run_id = ?{cond} \
             GROUP BY value_class, grade, lifecycle, rfm_segment, at_risk"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// [`pareto`] from the run's stored buckets (global rank percentiles), under
/// [`Slice::stored`]'s conditions.
pub async fn stored_pareto<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    cond: &Cond,
) -> Result<Vec<(i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        b: i64,
        n: i64,
        p: i64,
    }
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT CAST(bucket AS BIGINT) AS b, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(profit_fen) AS BIGINT) AS p \
             FROM classification_pareto WHERE run_id = ?{cond} GROUP BY bucket ORDER BY bucket"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.b, r.n, r.p))
    .collect())
}

/// Customers and profit per combination of verdicts in a run.
#[derive(Debug, Clone, FromQueryResult)]
pub struct GroupRow {
    pub value_class: String,
    pub grade: String,
    pub lifecycle: String,
    pub rfm_segment: Option<String>,
    pub at_risk: bool,
    pub n: i64,
    pub profit_fen: i64,
}

pub async fn groups<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
) -> Result<Vec<GroupRow>> {
    let (from, cond) = from_slice(slice);
    Ok(GroupRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT k.value_class, k.grade, k.lifecycle, k.rfm_segment, k.at_risk, COUNT(*) AS n, \
             CAST(COALESCE(SUM(k.profit_fen), 0) AS BIGINT) AS profit_fen FROM {from} WHERE k.run_id = ?{cond} \
             GROUP BY k.value_class, k.grade, k.lifecycle, k.rfm_segment, k.at_risk"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// The verdicts of a slice: `FROM` and the `AND …` conditions after `k.run_id = ?`. A
/// slice by region, industry or owner starts from the customers' index on it and looks
/// up each one's verdict by key (measured at 100,000 customers, 广东's 10,992: 14 ms a
/// query instead of 30 ms over every verdict); one by service mode alone has no index
/// to start from, and reads the run's verdicts in order.
fn from_slice(slice: &Slice) -> (&'static str, Cond) {
    let cond = slice.sql();
    if cond.is_empty() {
        ("classifications k", cond)
    } else if slice.province.is_some() || slice.industry.is_some() || slice.owner.is_some() {
        (
            "customers c CROSS JOIN classifications k",
            Cond {
                sql: format!(" AND k.customer_id = c.id{cond}"),
                values: cond.values,
            },
        )
    } else {
        (
            "classifications k JOIN customers c ON c.id = k.customer_id",
            cond,
        )
    }
}

/// The Pareto curve of profit: customers with positive profit in rank order, cut into
/// `buckets` equal groups; per group its customers and profit.
pub async fn pareto<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    buckets: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        b: i64,
        n: i64,
        p: i64,
    }
    let (from, cond) = from_slice(slice);
    let sql = format!(
        "SELECT (r.rn - 1) * {buckets} / r.total AS b, COUNT(*) AS n, CAST(SUM(r.profit_fen) AS BIGINT) AS p FROM \
         (SELECT k.profit_fen, ROW_NUMBER() OVER (ORDER BY k.value_rank) AS rn, COUNT(*) OVER () AS total \
          FROM {from} WHERE k.run_id = ? AND k.value_rank IS NOT NULL{cond}) r \
         GROUP BY (r.rn - 1) * {buckets} / r.total ORDER BY 1"
    );
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &sql,
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.b, r.n, r.p))
    .collect())
}

/// Shipments, revenue and profit per month over [from, before) (`YYYYMM`): the run's
/// stored totals under `stored` ([`Slice::stored`], when the run has them), or summed
/// over the slice's customers.
pub async fn months<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    stored: Option<&Cond>,
    from: i32,
    before: i32,
) -> Result<Vec<(i32, i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        month: i32,
        shipments: i64,
        revenue_fen: i64,
        profit_fen: i64,
    }
    let whole = slice.sql();
    let (sql, values): (String, Vec<Value>) = match stored {
        Some(cond) => (
            format!(
                "SELECT month, CAST(SUM(shipments) AS BIGINT) AS shipments, \
                 CAST(SUM(revenue_fen) AS BIGINT) AS revenue_fen, \
                 CAST(SUM(profit_fen) AS BIGINT) AS profit_fen FROM classification_months \
                 WHERE run_id = ? AND month >= ? AND month < ?{cond} GROUP BY month ORDER BY month"
            ),
            cond.after(vec![run_id.into(), from.into(), before.into()]),
        ),
        None => (
            format!(
                "SELECT m.month, CAST(SUM(m.shipments) AS BIGINT) AS shipments, \
                 CAST(SUM(m.revenue_fen) AS BIGINT) AS revenue_fen, \
                 CAST(SUM(m.profit_fen) AS BIGINT) AS profit_fen FROM customers c JOIN customer_months m \
                 ON m.customer_id = c.id AND m.month >= ? AND m.month < ? WHERE 1 = 1{} \
                 GROUP BY m.month ORDER BY m.month",
                whole
            ),
            whole.after(vec![from.into(), before.into()]),
        ),
    };
    Ok(
        Row::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.month, r.shipments, r.revenue_fen, r.profit_fen))
            .collect(),
    )
}

/// A customer in a dashboard list.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct ListedCustomer {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub owner_name: Option<String>,
    pub value_class: String,
    pub value_rank: Option<i64>,
    pub profit_fen: i64,
    pub grade_revenue_fen: i64,
    pub churn_shipments: i64,
    pub churn_prev_shipments: i64,
}

const LISTED: &str = "k.customer_id, c.code, c.name, u.display_name AS owner_name, k.value_class, \
    k.value_rank, k.profit_fen, k.grade_revenue_fen, k.churn_shipments, k.churn_prev_shipments";

/// The best customers by value rank.
pub async fn top<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    limit: u64,
) -> Result<Vec<ListedCustomer>> {
    let (from, cond) = from_listed(slice);
    Ok(ListedCustomer::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {LISTED} FROM {from} \
             LEFT JOIN users u ON u.id = c.owner_id \
             WHERE k.run_id = ? AND k.value_rank IS NOT NULL{cond} ORDER BY k.value_rank LIMIT {limit}"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// As [`from_slice`], always with the customers (the lists show their names).
fn from_listed(slice: &Slice) -> (&'static str, Cond) {
    match from_slice(slice) {
        ("classifications k", cond) => (
            "classifications k JOIN customers c ON c.id = k.customer_id",
            cond,
        ),
        other => other,
    }
}

/// Customers flagged at risk, the largest fall in shipments first.
pub async fn at_risk<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    limit: u64,
) -> Result<Vec<ListedCustomer>> {
    let (from, cond) = from_listed(slice);
    Ok(ListedCustomer::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {LISTED} FROM {from} \
             LEFT JOIN users u ON u.id = c.owner_id \
             WHERE k.run_id = ? AND k.at_risk = ?{cond} \
             ORDER BY k.churn_prev_shipments - k.churn_shipments DESC, c.code LIMIT {limit}"
        ),
        cond.after(vec![run_id.into(), true.into()]),
    ))
    .all(conn)
    .await?)
}

#[cfg(test)]
mod slice_tests {
    use super::*;

    /// What a user chose is bound, never part of the SQL text (issue 16).
    #[test]
    fn a_slice_binds_what_the_user_chose() {
        let slice = Slice {
            province: Some("广东' OR '1'='1".into()),
            industry: Some("医药".into()),
            service_mode: Some("cold_chain".into()),
            owner: None,
            visible_owners: Some(vec![3, 7]),
        };
        let c = slice.sql();
        assert!(
            !c.sql.contains("广东") && !c.sql.contains("医药") && !c.sql.contains("cold_chain"),
            "{}",
            c.sql
        );
        assert_eq!(c.sql.matches('?').count(), c.values.len());
        assert_eq!(c.values.len(), 3);
        let stored = Slice {
            province: None,
            industry: None,
            ..slice
        }
        .stored()
        .expect("stored");
        assert!(!stored.sql.contains("cold_chain"), "{}", stored.sql);
        assert_eq!(stored.values.len(), 1);
    }
}
