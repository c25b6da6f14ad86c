//! The daily and monthly rollups: applying deltas, folding on merge, reading, recomputing from the raw shipments.

use super::*;
#[allow(unused_imports)]
use consign_domain::customer::CustomerId;

/// Adds per-(customer, day) changes to both rollups (and the revenue to the exposure of
/// customers with credit accounts); a day or month left with no shipments is removed.
pub async fn apply_rollup_deltas<C: ConnectionTrait>(
    conn: &C,
    days: HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    let mut months: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for ((c, d), f) in &days {
        months.entry((*c, month_of(*d))).or_default().add(f, 1);
    }
    let (company_days, company_months) = (company(&days), company(&months));
    let t = std::time::Instant::now();
    upsert_add(conn, "customer_days", "day", &days).await?;
    crate::credit::apply_day_deltas(conn, &days).await?;
    drop(days);
    upsert_add(conn, "customer_months", "month", &months).await?;
    upsert_add(conn, "company_days", "day", &company_days).await?;
    upsert_add(conn, "company_months", "month", &company_months).await?;
    tracing::debug!(rollup_ms = t.elapsed().as_millis() as u64, "rollups");
    Ok(())
}

/// The company's changes of per-customer changes: summed per day or month, under
/// customer 0 (the company rollups' only "customer").
pub(crate) fn company(deltas: &HashMap<(i64, i32), DayFigures>) -> HashMap<(i64, i32), DayFigures> {
    let mut out: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for ((_, k), f) in deltas {
        out.entry((0, *k)).or_default().add(f, 1);
    }
    out
}

pub(crate) async fn upsert_add<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    key: &str,
    deltas: &HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let rows = sorted_changes(deltas);
    let mut emptied: Vec<(i64, i32)> = Vec::new();
    for chunk in pieces(&rows) {
        let sql = rollup_upsert_sql(backend, table, key, chunk.len());
        let mut values: Vec<Value> =
            Vec::with_capacity(chunk.len() * (DayFigures::COLUMNS.len() + 2));
        for ((c, k), f) in chunk {
            values.push((*c).into());
            values.push((*k).into());
            values.extend(f.values().iter().map(|v| Value::from(*v)));
            if f.shipments < 0 {
                emptied.push((*c, *k));
            }
        }
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    for (c, k) in emptied {
        conn.execute(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE customer_id = ? AND {key} = ? AND shipments = 0"),
            vec![c.into(), k.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Folds one customer's rollups into another's (customer merge).
pub async fn merge_rollups<C: ConnectionTrait>(conn: &C, from: i64, into: i64) -> Result<()> {
    let backend = conn.get_database_backend();
    let cols = DayFigures::COLUMNS.join(", ");
    for (table, key) in [("customer_days", "day"), ("customer_months", "month")] {
        let set = DayFigures::COLUMNS
            .iter()
            .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute(stmt(
            backend,
            &format!(
                "INSERT INTO {table} (customer_id, {key}, {cols}) SELECT ?, {key}, {cols} \
                 FROM {table} WHERE customer_id = ? \
                 ON CONFLICT (customer_id, {key}) DO UPDATE SET {set}"
            ),
            vec![into.into(), from.into()],
        ))
        .await?;
        conn.execute(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE customer_id = ?"),
            vec![from.into()],
        ))
        .await?;
    }
    Ok(())
}

/// One rollup table as a map, for checks and reports: (customer, day or month) → sums.
pub async fn rollup<C: ConnectionTrait>(
    conn: &C,
    monthly: bool,
) -> Result<BTreeMap<(i64, i32), DayFigures>> {
    read_rollup(conn, "customer", monthly).await
}

/// The company's rollup (every customer's summed) as stored: day or month → sums.
pub async fn company_rollup<C: ConnectionTrait>(
    conn: &C,
    monthly: bool,
) -> Result<BTreeMap<i32, DayFigures>> {
    Ok(read_rollup(conn, "company", monthly)
        .await?
        .into_iter()
        .map(|((_, k), f)| (k, f))
        .collect())
}

/// A rollup table (`of`: `customer` or `company`) as a map.
async fn read_rollup<C: ConnectionTrait>(
    conn: &C,
    of: &str,
    monthly: bool,
) -> Result<BTreeMap<(i64, i32), DayFigures>> {
    let key = if monthly { "month" } else { "day" };
    let sql = format!(
        "SELECT customer_id, {key} AS k, {} FROM {of}_{key}s",
        DayFigures::COLUMNS.join(", ")
    );
    let backend = conn.get_database_backend();
    let mut out = BTreeMap::new();
    for r in conn.query_all(stmt(backend, &sql, vec![])).await? {
        out.insert(
            (r.try_get("", "customer_id")?, r.try_get("", "k")?),
            figures_of(&r, 1)?,
        );
    }
    Ok(out)
}

/// A row's figures, times `sign`.
fn figures_of(r: &sea_orm::QueryResult, sign: i64) -> Result<DayFigures> {
    let mut v = [0i64; 15];
    for (i, c) in DayFigures::COLUMNS.iter().enumerate() {
        v[i] = sign * r.try_get::<i64>("", c)?;
    }
    Ok(DayFigures::from_values(v))
}

/// Every customer's rollup summed per day or month: what [`company_rollup`] must hold.
pub fn summed(rollup: &BTreeMap<(i64, i32), DayFigures>) -> BTreeMap<i32, DayFigures> {
    let mut out: BTreeMap<i32, DayFigures> = BTreeMap::new();
    for ((_, k), f) in rollup {
        out.entry(*k).or_default().add(f, 1);
    }
    out
}

/// The rollup computed afresh from the raw shipments (read in pages of 10,000), for
/// checks and for rebuilding.
pub async fn aggregate_raw<C: ConnectionTrait>(
    conn: &C,
    monthly: bool,
) -> Result<BTreeMap<(i64, i32), DayFigures>> {
    let backend = conn.get_database_backend();
    let mut out: BTreeMap<(i64, i32), DayFigures> = BTreeMap::new();
    let mut after = 0i64;
    loop {
        let sql = format!("{SELECT} WHERE s.id > ? ORDER BY s.id LIMIT 10000");
        let rows = conn
            .query_all(stmt(backend, &sql, vec![after.into()]))
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let s = parse_row(r)?;
            after = s.id;
            let k = if monthly {
                month_of(s.order_day)
            } else {
                s.order_day
            };
            out.entry((s.customer_id, k))
                .or_default()
                .add(&DayFigures::of(&s.shipment), 1);
        }
    }
    Ok(out)
}

/// Counts and sums over all shipments (what an import of a whole file must end with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub shipments: i64,
    pub revenue_fen: i64,
    pub weight_g: i64,
}

pub async fn totals<C: ConnectionTrait>(conn: &C) -> Result<Totals> {
    let backend = conn.get_database_backend();
    let r = conn
        .query_one(stmt(
            backend,
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(revenue_fen), 0) AS BIGINT) AS revenue, \
             CAST(COALESCE(SUM(weight_g), 0) AS BIGINT) AS weight FROM shipments",
            vec![],
        ))
        .await?;
    let Some(r) = r else {
        return Ok(Totals::default());
    };
    Ok(Totals {
        shipments: r.try_get("", "n")?,
        revenue_fen: r.try_get("", "revenue")?,
        weight_g: r.try_get("", "weight")?,
    })
}

/// Recomputes one customer's order days with `day_of` (a changed company time zone) and
/// rebuilds its rollups from its raw shipments. Call inside a transaction; memory is one
/// customer's rollup.
pub async fn rebuild_customer<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    day_of: &(dyn Fn(DateTime<Utc>) -> i32 + Sync),
) -> Result<u64> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    let mut days: HashMap<(i64, i32), DayFigures> = HashMap::new();
    let mut moved: Vec<(i64, i32)> = Vec::new();
    let mut after = 0i64;
    let mut n = 0u64;
    loop {
        let sql =
            format!("{SELECT} WHERE s.customer_id = ? AND s.id > ? ORDER BY s.id LIMIT 10000");
        let rows = conn
            .query_all(stmt(backend, &sql, vec![customer_id.into(), after.into()]))
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let s = parse_row(r)?;
            after = s.id;
            n += 1;
            let day = day_of(s.shipment.ordered_at);
            if day != s.order_day {
                moved.push((s.id, day));
            }
            days.entry((customer_id, day))
                .or_default()
                .add(&DayFigures::of(&s.shipment), 1);
        }
    }
    for (id, day) in moved {
        conn.execute(stmt(
            backend,
            "UPDATE shipments SET order_day = ? WHERE id = ?",
            vec![day.into(), id.into()],
        ))
        .await?;
    }
    // The stored days taken away (from the company's rollups too), then the fresh ones.
    let mut stored: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for r in conn
        .query_all(stmt(
            backend,
            &format!(
                "SELECT day, {} FROM customer_days WHERE customer_id = ?",
                DayFigures::COLUMNS.join(", ")
            ),
            vec![customer_id.into()],
        ))
        .await?
    {
        stored.insert((customer_id, r.try_get("", "day")?), figures_of(&r, -1)?);
    }
    apply_rollup_deltas(conn, stored).await?;
    for table in ["customer_days", "customer_months"] {
        conn.execute(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE customer_id = ?"),
            vec![customer_id.into()],
        ))
        .await?;
    }
    apply_rollup_deltas(conn, days).await?;
    Ok(n)
}

/// The customers that have shipments or rollups, by id.
pub async fn customers_with_shipments<C: ConnectionTrait>(conn: &C) -> Result<Vec<i64>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT DISTINCT customer_id FROM customer_months UNION SELECT DISTINCT customer_id FROM shipments ORDER BY 1",
        vec![],
    ))
    .await?
    .iter()
    .map(|r| Ok(r.try_get_by_index::<i64>(0)?))
    .collect()
}
