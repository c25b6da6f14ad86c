//! Credit accounts (SPEC §8): the terms set on a customer and the sums its exposure is
//! made of, kept by every write that changes them: [`apply_day_deltas`] with each change
//! of the shipment rollups (whatever path wrote the shipments), [`recompute`] after
//! invoices, payments and merges (from the customer's own rows, by index).

mod aging;
mod assessments;
mod changes;
mod collections;
mod holds;
mod list;

pub use aging::*;
pub use assessments::*;
pub use changes::*;
pub use collections::*;
pub use holds::*;
pub use list::*;

use crate::dialect::{lock_row, pieces, stmt};
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::credit::{billed_from, Guard, HoldPolicy, Sums, Terms};
use consign_domain::ops::Fen;
use consign_domain::shipment::{local_day, DayFigures};
use sea_orm::{ConnectionTrait, FromQueryResult, QueryResult, Value};
use std::collections::HashMap;

/// A stored account.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub customer_id: i64,
    pub terms: Terms,
    pub sums: Sums,
    /// The first order day (`YYYYMMDD`) no invoice covers yet; 0 before any invoice.
    pub billed_from: i32,
    /// The status level the owner was last told of.
    pub notified: i32,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    pub fn guard(&self) -> Guard {
        Guard {
            limit: self.terms.limit_fen,
            policy: self.terms.policy,
            sums: self.sums,
            billed_from: self.billed_from,
        }
    }
}

pub(crate) const COLUMNS: &str = "a.customer_id, a.monthly_settlement, a.limit_fen, a.term_days, \
    a.rating, a.policy, a.invoiced_fen, a.paid_fen, a.billed_from, a.uninvoiced_fen, a.notified, \
    a.updated_by, a.updated_at";

pub(crate) fn read(r: &QueryResult) -> Result<Account> {
    let policy: String = r.try_get("", "policy")?;
    Ok(Account {
        customer_id: r.try_get("", "customer_id")?,
        terms: Terms {
            monthly_settlement: r.try_get("", "monthly_settlement")?,
            limit_fen: r.try_get::<Option<i64>>("", "limit_fen")?.map(Fen),
            term_days: i64::from(r.try_get::<i32>("", "term_days")?),
            rating: r.try_get("", "rating")?,
            policy: HoldPolicy::parse(&policy).unwrap_or_default(),
        },
        sums: Sums {
            invoiced: Fen(r.try_get("", "invoiced_fen")?),
            paid: Fen(r.try_get("", "paid_fen")?),
            uninvoiced: Fen(r.try_get("", "uninvoiced_fen")?),
        },
        billed_from: r.try_get("", "billed_from")?,
        notified: r.try_get("", "notified")?,
        updated_by: r.try_get("", "updated_by")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// One customer's account, if it has one.
pub async fn get<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<Option<Account>> {
    conn.query_one(stmt(
        conn.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM credit_accounts a WHERE a.customer_id = ?"),
        vec![customer_id.into()],
    ))
    .await?
    .map(|r| read(&r))
    .transpose()
}

/// The accounts among these customers; `lock` keeps them from changing until the
/// transaction ends (a writer deciding holds on them).
pub async fn of_customers<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    lock: bool,
) -> Result<HashMap<i64, Account>> {
    let backend = conn.get_database_backend();
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in pieces(&ids) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT {COLUMNS} FROM credit_accounts a WHERE a.customer_id IN ({marks}) \
             ORDER BY a.customer_id{}",
            if lock { lock_row(backend) } else { "" }
        );
        let values = chunk.iter().map(|i| Value::from(*i)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            let a = read(&r)?;
            out.insert(a.customer_id, a);
        }
    }
    Ok(out)
}

/// Every account whose shipments may go on hold (a limit under the block policy), for a
/// bulk writer to decide holds without asking per batch.
pub async fn blocking<C: ConnectionTrait>(conn: &C) -> Result<HashMap<i64, Guard>> {
    let rows = conn
        .query_all(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT {COLUMNS} FROM credit_accounts a \
                 WHERE a.limit_fen IS NOT NULL AND a.policy = 'block'"
            ),
            vec![],
        ))
        .await?;
    rows.iter()
        .map(|r| read(r).map(|a| (a.customer_id, a.guard())))
        .collect()
}

/// Whether any customer has an account (none: shipment writes skip the bookkeeping).
pub async fn any<C: ConnectionTrait>(conn: &C) -> Result<bool> {
    Ok(conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT 1 AS one FROM credit_accounts LIMIT 1",
            vec![],
        ))
        .await?
        .is_some())
}

/// Sets a customer's terms, opening its account (with its sums computed) when it has
/// none. Returns the terms before, if it had an account.
pub async fn set_terms<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    terms: &Terms,
    by: Option<i64>,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Option<Terms>> {
    let backend = conn.get_database_backend();
    let before = of_customers(conn, &[customer_id], true)
        .await?
        .remove(&customer_id)
        .map(|a| a.terms);
    conn.execute(stmt(
        backend,
        "INSERT INTO credit_accounts (customer_id, monthly_settlement, limit_fen, term_days, \
         rating, policy, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (customer_id) DO UPDATE SET monthly_settlement = excluded.monthly_settlement, \
         limit_fen = excluded.limit_fen, term_days = excluded.term_days, rating = excluded.rating, \
         policy = excluded.policy, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        vec![
            customer_id.into(),
            terms.monthly_settlement.into(),
            terms.limit_fen.map(Fen::get).into(),
            (terms.term_days as i32).into(),
            terms.rating.as_str().into(),
            terms.policy.as_str().into(),
            by.into(),
            now.into(),
        ],
    ))
    .await?;
    if before.is_none() {
        recompute(conn, &[customer_id], tz).await?;
    } else {
        // A new limit: a new share of it.
        refresh(conn, customer_id).await?;
    }
    Ok(before)
}

/// Sets a customer's rating alone (a credit assessment's result).
pub async fn set_rating<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    rating: &str,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE credit_accounts SET rating = ? WHERE customer_id = ?",
        vec![rating.into(), customer_id.into()],
    ))
    .await?;
    Ok(())
}

const EXPOSURE: &str = "CASE WHEN invoiced_fen - paid_fen + uninvoiced_fen > 0 \
    THEN invoiced_fen - paid_fen + uninvoiced_fen ELSE 0 END";

/// Sets an account's exposure from its sums, and the share of its limit that uses (in
/// basis points: see m0033), in one statement.
fn refresh_sql() -> String {
    format!(
        "UPDATE credit_accounts SET exposure_fen = {EXPOSURE}, utilization_bp = \
         CASE WHEN limit_fen IS NULL THEN -1 \
         WHEN limit_fen = 0 THEN CASE WHEN {EXPOSURE} > 0 THEN 1000000000000 ELSE 0 END \
         WHEN {EXPOSURE} > 900000000000000 THEN 1000000000000 \
         ELSE {EXPOSURE} * 10000 / limit_fen END WHERE customer_id = ?"
    )
}

async fn refresh<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        &refresh_sql(),
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// The sums of these customers' accounts computed again from their invoices, payments
/// and daily shipment rollups (each by index on the customer), then stored. Customers
/// without an account are skipped.
pub async fn recompute<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[i64],
    tz: chrono_tz::Tz,
) -> Result<()> {
    let accounts = of_customers(conn, customer_ids, true).await?;
    let mut ids: Vec<i64> = accounts.into_keys().collect();
    ids.sort_unstable();
    for id in ids {
        let (sums, from) = from_scratch(conn, id, tz).await?;
        conn.execute(stmt(
            conn.get_database_backend(),
            "UPDATE credit_accounts SET invoiced_fen = ?, paid_fen = ?, billed_from = ?, \
             uninvoiced_fen = ? WHERE customer_id = ?",
            vec![
                sums.invoiced.get().into(),
                sums.paid.get().into(),
                from.into(),
                sums.uninvoiced.get().into(),
                id.into(),
            ],
        ))
        .await?;
        refresh(conn, id).await?;
    }
    Ok(())
}

/// A customer's exposure sums and first unbilled day, from its invoices, payments and
/// daily rollups (what [`recompute`] stores).
pub async fn from_scratch<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    tz: chrono_tz::Tz,
) -> Result<(Sums, i32)> {
    #[derive(FromQueryResult)]
    struct Bills {
        invoiced: i64,
        paid: i64,
        last_period: Option<String>,
        last_issued: Option<DateTime<Utc>>,
    }
    let backend = conn.get_database_backend();
    let b = Bills::find_by_statement(stmt(
        backend,
        "SELECT CAST(COALESCE((SELECT SUM(CASE WHEN kind = 'credit_note' THEN -amount_fen \
         ELSE amount_fen END) FROM invoices WHERE customer_id = ?), 0) AS BIGINT) AS invoiced, \
         CAST(COALESCE((SELECT SUM(amount_fen) FROM payments WHERE customer_id = ?), 0) AS BIGINT) AS paid, \
         (SELECT MAX(period) FROM invoices WHERE customer_id = ? AND kind = 'invoice' AND period <> '') AS last_period, \
         (SELECT MAX(issued_at) FROM invoices WHERE customer_id = ? AND kind = 'invoice' AND period = '') AS last_issued",
        vec![
            customer_id.into(),
            customer_id.into(),
            customer_id.into(),
            customer_id.into(),
        ],
    ))
    .one(conn)
    .await?
    .unwrap_or(Bills {
        invoiced: 0,
        paid: 0,
        last_period: None,
        last_issued: None,
    });
    let from = [
        b.last_period.as_deref().map(|p| billed_from(p, 0)),
        b.last_issued.map(|t| billed_from("", local_day(t, tz))),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let uninvoiced = conn
        .query_one(stmt(
            backend,
            "SELECT CAST(COALESCE(SUM(revenue_fen), 0) AS BIGINT) AS s FROM customer_days \
             WHERE customer_id = ? AND day >= ?",
            vec![customer_id.into(), from.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "s"))
        .transpose()?
        .unwrap_or(0);
    Ok((
        Sums {
            invoiced: Fen(b.invoiced),
            paid: Fen(b.paid),
            uninvoiced: Fen(uninvoiced),
        },
        from,
    ))
}

/// Adds what changed in the daily shipment rollups to the uninvoiced revenue of the
/// customers with accounts (the days on or after each one's first unbilled day). Called
/// with every change of the rollups, in its transaction; the accounts touched stay
/// locked until it ends, so that an invoice moving the first unbilled day meanwhile
/// waits.
pub async fn apply_day_deltas<C: ConnectionTrait>(
    conn: &C,
    days: &HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    if days.is_empty() || !any(conn).await? {
        return Ok(());
    }
    let ids: Vec<i64> = days.keys().map(|(c, _)| *c).collect();
    let accounts = of_customers(conn, &ids, true).await?;
    if accounts.is_empty() {
        return Ok(());
    }
    let mut add: HashMap<i64, i64> = HashMap::new();
    for ((c, d), f) in days {
        if let Some(a) = accounts.get(c) {
            if *d >= a.billed_from && f.revenue_fen != 0 {
                *add.entry(*c).or_default() += f.revenue_fen;
            }
        }
    }
    let mut add: Vec<(i64, i64)> = add.into_iter().filter(|(_, v)| *v != 0).collect();
    add.sort_unstable();
    let backend = conn.get_database_backend();
    // Two statements per 300 accounts: the revenue added, then exposure and share.
    for chunk in add.chunks(300) {
        let cases = vec!["WHEN ? THEN ?"; chunk.len()].join(" ");
        let marks = vec!["?"; chunk.len()].join(",");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (c, v) in chunk {
            values.push((*c).into());
            values.push((*v).into());
        }
        let ids: Vec<Value> = chunk.iter().map(|(c, _)| Value::from(*c)).collect();
        values.extend(ids.iter().cloned());
        conn.execute(stmt(
            backend,
            &format!(
                "UPDATE credit_accounts SET uninvoiced_fen = uninvoiced_fen + \
                 CASE customer_id {cases} ELSE 0 END WHERE customer_id IN ({marks})"
            ),
            values,
        ))
        .await?;
        let sql = refresh_sql().replace(
            "WHERE customer_id = ?",
            &format!("WHERE customer_id IN ({marks})"),
        );
        conn.execute(stmt(backend, &sql, ids)).await?;
    }
    Ok(())
}

/// Moves a merged customer's account to the customer it went into (when that one has
/// none; otherwise the target's terms stand), with its history, and computes the target's
/// sums again. Call after the records have moved.
pub async fn merge<C: ConnectionTrait>(
    conn: &C,
    from: i64,
    into: i64,
    tz: chrono_tz::Tz,
) -> Result<()> {
    let backend = conn.get_database_backend();
    let both = of_customers(conn, &[from, into], true).await?;
    if both.contains_key(&from) {
        let sql = if both.contains_key(&into) {
            "DELETE FROM credit_accounts WHERE customer_id = ?"
        } else {
            "UPDATE credit_accounts SET customer_id = ? WHERE customer_id = ?"
        };
        let values = if both.contains_key(&into) {
            vec![from.into()]
        } else {
            vec![into.into(), from.into()]
        };
        conn.execute(stmt(backend, sql, values)).await?;
    }
    merge_statements(conn, from, into).await?;
    recompute(conn, &[into], tz).await
}

/// The status level (0 ok, 1 warning, 2 over) of account `a` in SQL, with the warning
/// at `warn_percent` of the limit (a number, written into the SQL).
pub(crate) fn level_sql(warn_percent: i64) -> String {
    format!(
        "(CASE WHEN a.limit_fen IS NULL THEN 0 WHEN a.exposure_fen > a.limit_fen THEN 2 \
         WHEN a.exposure_fen > 0 AND a.exposure_fen * 100.0 >= a.limit_fen * {warn_percent}.0 THEN 1 \
         ELSE 0 END)"
    )
}

/// Accounts (all, or these customers') whose status level differs from the one their
/// owner was last told of: (customer id, owner, level now, level told).
pub async fn crossings<C: ConnectionTrait>(
    conn: &C,
    warn_percent: i64,
    only: Option<&[i64]>,
) -> Result<Vec<(i64, Option<i64>, i32, i32)>> {
    #[derive(FromQueryResult)]
    struct Row {
        customer_id: i64,
        owner_id: Option<i64>,
        level: i32,
        notified: i32,
    }
    let level = level_sql(warn_percent);
    let mut out = Vec::new();
    // A writer's own customers by key; everyone's (housekeeping) in one pass.
    let chunks: Vec<Option<&[i64]>> = match only {
        Some([]) => return Ok(out),
        Some(ids) => ids.chunks(500).map(Some).collect(),
        None => vec![None],
    };
    for chunk in chunks {
        let (cond, values) = match chunk {
            Some(ids) => (
                format!(" AND a.customer_id IN ({})", vec!["?"; ids.len()].join(",")),
                ids.iter().map(|i| Value::from(*i)).collect(),
            ),
            None => (String::new(), vec![]),
        };
        let rows = Row::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT a.customer_id, c.owner_id, CAST({level} AS INTEGER) AS level, a.notified \
                 FROM credit_accounts a JOIN customers c ON c.id = a.customer_id \
                 WHERE {level} <> a.notified{cond} ORDER BY a.customer_id"
            ),
            values,
        ))
        .all(conn)
        .await?;
        out.extend(
            rows.into_iter()
                .map(|r| (r.customer_id, r.owner_id, r.level, r.notified)),
        );
    }
    Ok(out)
}

pub async fn set_notified<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    level: i32,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE credit_accounts SET notified = ? WHERE customer_id = ?",
        vec![level.into(), customer_id.into()],
    ))
    .await?;
    Ok(())
}
