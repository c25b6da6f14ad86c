//! The customers doing worst on a few figures, ranked in the database: only their ids
//! leave it (the company page names a few of some seventy thousand). Over the recent
//! whole months each customer's sums are kept in a row of their own and each figure is
//! one ordered scan of them (some 8 ms at 70,000 customers); over another window each
//! customer's sums are made once (a materialized CTE) and ranked per figure in the same
//! query.

use super::{per_customer_sums, Window};
use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// A figure the worst customers are ranked on: `numerator / denominator` of a customer's
/// sums over the window (a rate), scaled as it is shown; only customers with
/// `denominator` at least `min_volume` and a numerator above 0 are ranked.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    /// A rollup column, or `complaints` (the window's complaint tickets).
    pub numerator: &'static str,
    /// `shipments` or `delivered`.
    pub denominator: &'static str,
    pub min_volume: i64,
    /// How the rate is shown (per mille, seconds as hours), so that ties fall exactly as
    /// the shown figures tie.
    pub scale: Scale,
}

#[derive(Debug, Clone, Copy)]
pub enum Scale {
    One,
    Times(i64),
    Per(i64),
}

/// The rate's expression, scaled as shown.
fn rate(num: &str, den: &str, scale: Scale) -> String {
    match scale {
        Scale::One => format!("CAST({num} AS DOUBLE PRECISION) / {den}"),
        Scale::Times(x) => format!("CAST({num} * {x} AS DOUBLE PRECISION) / {den}"),
        Scale::Per(x) => format!("CAST({num} AS DOUBLE PRECISION) / {den} / {x}.0"),
    }
}

/// The window's complaint tickets per customer, to join to `r` as `t.complaints` (its
/// two values: the window's ends).
const COMPLAINTS: &str = "(SELECT customer_id, COUNT(*) AS complaints FROM tickets \
    WHERE kind = 'complaint' AND created_at >= ? AND created_at < ? GROUP BY customer_id) t \
    ON t.customer_id = r.customer_id";

/// The join and condition that keep `r`'s customers within `vis` (the customers are
/// joined only when the scope needs them), with the condition's values.
fn scoped(vis: &Visibility) -> (&'static str, String, Vec<Value>) {
    let (cond, values) = vis.owner_condition("c.owner_id");
    let join = if matches!(vis, Visibility::All) {
        ""
    } else {
        " JOIN customers c ON c.id = r.customer_id"
    };
    (join, cond, values)
}

#[derive(FromQueryResult)]
struct Row {
    k: i32,
    id: i64,
}

/// Over the recent whole months, each customer's sums are kept in a row of their own:
/// one ordered scan per figure (complaints from the window's tickets joined first).
async fn worst_recent<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    w: &Window,
    r: &Ranked,
    n: u64,
) -> Result<Vec<i64>> {
    let complaints = r.numerator == "complaints";
    let mut values: Vec<Value> = Vec::new();
    if complaints {
        values.extend([w.from.into(), w.to.into()]);
    }
    // The recent rows carry each customer's owner: the scope needs no join.
    let (scope, scope_values) = vis.owner_condition("r.owner_id");
    values.extend(scope_values);
    values.extend([r.min_volume.into(), (n as i64).into()]);
    let num = if complaints {
        "t.complaints".to_string()
    } else {
        format!("r.{}", r.numerator)
    };
    let den = format!("r.{}", r.denominator);
    let rate = rate(&num, &den, r.scale);
    let tickets = if complaints {
        format!(" JOIN {COMPLAINTS}")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT 0 AS k, r.customer_id AS id FROM customer_recent r{tickets} \
         WHERE {scope} AND {den} >= ? AND {num} > 0 ORDER BY {rate} DESC, r.customer_id LIMIT ?"
    );
    Ok(
        Row::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
            .all(conn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect(),
    )
}

/// The columns a ranking may read.
const COLUMNS: [&str; 7] = [
    "shipments",
    "delivered",
    "delayed",
    "cycle_seconds",
    "damaged",
    "returned",
    "complaints",
];

/// Per figure of `ranked`, the ids of the `n` customers within `vis` doing worst on it
/// over the window, worst first; equal figures by id.
pub async fn worst<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    w: &Window,
    ranked: &[Ranked],
    n: u64,
) -> Result<Vec<Vec<i64>>> {
    if let Some(bad) = ranked
        .iter()
        .flat_map(|r| [r.numerator, r.denominator])
        .find(|c| !COLUMNS.contains(c))
    {
        return Err(crate::StoreError::Other(format!(
            "not a ranked column: {bad}"
        )));
    }
    let sums = per_customer_sums(conn, w).await?;
    if sums.kept.is_some() {
        // One ordered scan per figure, each on a connection of its own.
        return futures_util::future::try_join_all(
            ranked.iter().map(|r| worst_recent(conn, vis, w, r, n)),
        )
        .await;
    }
    let mut values = sums.values;
    values.extend([w.from.into(), w.to.into()]);
    let (customers, scope, scope_values) = scoped(vis);
    values.extend(scope_values);
    // Each customer's sums once, then one ranking per figure over them.
    let source = sums.source;
    let each = format!(
        "SELECT r.customer_id, r.shipments, r.delivered, r.delayed, r.cycle_seconds, \
         r.damaged, r.returned, COALESCE(t.complaints, 0) AS complaints FROM {source} \
         LEFT JOIN {COMPLAINTS}{customers} WHERE {scope}"
    );
    let mut parts = Vec::new();
    for (k, r) in ranked.iter().enumerate() {
        let (num, den) = (r.numerator, r.denominator);
        let rate = rate(num, den, r.scale);
        parts.push(format!(
            "SELECT {k} AS k, customer_id AS id, \
             ROW_NUMBER() OVER (ORDER BY {rate} DESC, customer_id) AS n \
             FROM s WHERE {den} >= ? AND {num} > 0"
        ));
        values.push(r.min_volume.into());
    }
    values.push((n as i64).into());
    let sql = format!(
        "WITH s AS MATERIALIZED ({each}) SELECT k, id FROM ({}) x WHERE n <= ? ORDER BY k, n",
        parts.join(" UNION ALL ")
    );
    let mut out = vec![Vec::new(); ranked.len()];
    for row in Row::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
        .all(conn)
        .await?
    {
        if let Some(v) = out.get_mut(row.k as usize) {
            v.push(row.id);
        }
    }
    Ok(out)
}
