//! Classification storage: policy versions, runs and their verdicts, and the figures a
//! run is computed from (read from the rollups, never from raw shipments).

use crate::dialect::stmt;
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
    /// A note the system wrote, as a message key (`note` then holds its Chinese text).
    pub note_key: Option<String>,
    /// An author that is no user (the system, the configuration file), as a message key.
    pub author_key: Option<String>,
}

pub async fn latest_policy<C: ConnectionTrait>(conn: &C) -> Result<Option<PolicyRow>> {
    Ok(PolicyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT version, policy, note, created_by, created_by_name, created_at, note_key, author_key \
         FROM classification_policies ORDER BY version DESC LIMIT 1",
        vec![],
    ))
    .one(conn)
    .await?)
}

pub async fn policy_version<C: ConnectionTrait>(conn: &C, v: i64) -> Result<Option<PolicyRow>> {
    Ok(PolicyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT version, policy, note, created_by, created_by_name, created_at, note_key, author_key \
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
        "SELECT version, policy, note, created_by, created_by_name, created_at, note_key, author_key \
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
    keys: (Option<&str>, Option<&str>),
) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        version: i64,
    }
    let row = Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO classification_policies \
         (policy, note, created_by, created_by_name, created_at, note_key, author_key) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING version",
        vec![
            policy_json.into(),
            note.into(),
            user.into(),
            user_name.into(),
            now.into(),
            keys.0.into(),
            keys.1.into(),
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

#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ClassRun)]
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

mod verdicts;
pub use verdicts::*;
mod slices;
pub use slices::*;

/// A customer whose value class, lifecycle or churn warning a run changed, with what it
/// had before (from its previous recorded change).
#[derive(Debug, Clone)]
pub struct Changed {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub owner_id: Option<i64>,
    pub grade: String,
    pub value_class: String,
    pub lifecycle: String,
    pub at_risk: bool,
    pub before: (String, String, String, bool),
}

/// The customers run `run_id` changed in value class, lifecycle or churn warning (a
/// customer's first verdict is not a change).
pub async fn changed_in_run<C: ConnectionTrait>(conn: &C, run_id: i64) -> Result<Vec<Changed>> {
    let backend = conn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Now {
        customer_id: i64,
        as_of: i32,
        code: String,
        name: String,
        owner_id: Option<i64>,
        grade: String,
        value_class: String,
        lifecycle: String,
        at_risk: bool,
    }
    #[derive(FromQueryResult)]
    struct Prev {
        customer_id: i64,
        as_of: i32,
        run_id: i64,
        grade: String,
        value_class: String,
        lifecycle: String,
        at_risk: bool,
    }
    let now = Now::find_by_statement(stmt(
        backend,
        "SELECT k.customer_id, k.as_of, c.code, c.name, c.owner_id, k.grade, k.value_class, \
         k.lifecycle, k.at_risk FROM classification_changes k JOIN customers c ON c.id = k.customer_id \
         WHERE k.run_id = ? ORDER BY k.customer_id",
        vec![run_id.into()],
    ))
    .all(conn)
    .await?;
    let mut out = Vec::new();
    for chunk in now.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let mut values: Vec<Value> = chunk.iter().map(|n| n.customer_id.into()).collect();
        values.push(run_id.into());
        let prev = Prev::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT customer_id, as_of, run_id, grade, value_class, lifecycle, at_risk \
                 FROM classification_changes WHERE customer_id IN ({marks}) AND run_id <> ?"
            ),
            values,
        ))
        .all(conn)
        .await?;
        let day: HashMap<i64, i32> = chunk.iter().map(|n| (n.customer_id, n.as_of)).collect();
        let mut latest: HashMap<i64, &Prev> = HashMap::new();
        for p in &prev {
            if day.get(&p.customer_id).is_none_or(|d| p.as_of > *d) {
                continue;
            }
            let e = latest.entry(p.customer_id).or_insert(p);
            if (p.as_of, p.run_id) > (e.as_of, e.run_id) {
                *e = p;
            }
        }
        for n in chunk {
            let Some(p) = latest.get(&n.customer_id) else {
                continue;
            };
            if p.value_class != n.value_class
                || p.lifecycle != n.lifecycle
                || p.at_risk != n.at_risk
            {
                out.push(Changed {
                    customer_id: n.customer_id,
                    code: n.code.clone(),
                    name: n.name.clone(),
                    owner_id: n.owner_id,
                    grade: n.grade.clone(),
                    value_class: n.value_class.clone(),
                    lifecycle: n.lifecycle.clone(),
                    at_risk: n.at_risk,
                    before: (
                        p.grade.clone(),
                        p.value_class.clone(),
                        p.lifecycle.clone(),
                        p.at_risk,
                    ),
                });
            }
        }
    }
    Ok(out)
}
