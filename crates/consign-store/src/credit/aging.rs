//! What the company's receivables aging reads: the invoices not settled by their own
//! payments, the payments naming no invoice (with credit notes), and receivables and
//! revenue by month for DSO — each one query over the customers a user sees.

use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::{BTreeMap, HashMap};

/// An invoice with something left after its own payments.
#[derive(Debug, Clone, FromQueryResult)]
pub struct OpenInvoice {
    pub customer_id: i64,
    pub owner_id: Option<i64>,
    pub amount_fen: i64,
    pub own_paid_fen: i64,
    pub due_at: DateTime<Utc>,
}

/// The condition that the customer `col` is within `vis` and (given) among `only`.
fn within(vis: &Visibility, only: Option<&[i64]>, col: &str) -> (String, Vec<Value>) {
    let (mut cond, mut values) = vis.owner_condition("c.owner_id");
    if let Some(ids) = only {
        cond = format!(
            "{cond} AND {col} IN ({})",
            vec!["?"; ids.len().max(1)].join(",")
        );
        values.extend(ids.iter().map(|i| Value::from(*i)));
        if ids.is_empty() {
            values.push(Value::from(0i64));
        }
    }
    (cond, values)
}

/// The open invoices of the customers within `vis` (and among `only`, given), by
/// customer, then due date; each invoice's own payments summed by index.
pub async fn open_invoices<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    only: Option<&[i64]>,
) -> Result<Vec<OpenInvoice>> {
    let (cond, values) = within(vis, only, "d.customer_id");
    let own = "COALESCE((SELECT SUM(p.amount_fen) FROM payments p WHERE p.invoice_id = d.id), 0)";
    Ok(OpenInvoice::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT d.customer_id, c.owner_id, d.amount_fen, CAST({own} AS BIGINT) AS own_paid_fen, \
             d.due_at FROM invoices d JOIN customers c ON c.id = d.customer_id \
             WHERE d.kind = 'invoice' AND d.amount_fen > {own} AND {cond} \
             ORDER BY d.customer_id, d.due_at, d.id"
        ),
        values,
    ))
    .all(conn)
    .await?)
}

/// Per customer within `vis` (and among `only`, given): its payments naming no invoice
/// plus its credit notes (what is spread over its earliest-due open invoices).
pub async fn unnamed_credits<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    only: Option<&[i64]>,
) -> Result<HashMap<i64, i64>> {
    let (pcond, mut all) = within(vis, only, "p.customer_id");
    let (cond, values) = within(vis, only, "d.customer_id");
    all.extend(values);
    let rows = conn
        .query_all(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT x.customer_id, CAST(SUM(x.s) AS BIGINT) AS s FROM ( \
                 SELECT p.customer_id, p.amount_fen AS s FROM payments p JOIN customers c ON c.id = p.customer_id \
                 WHERE p.invoice_id IS NULL AND {pcond} \
                 UNION ALL SELECT d.customer_id, d.amount_fen AS s FROM invoices d JOIN customers c ON c.id = d.customer_id \
                 WHERE d.kind = 'credit_note' AND {cond}) x GROUP BY x.customer_id"
            ),
            all,
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64>("", "customer_id")?,
                r.try_get::<i64>("", "s")?,
            ))
        })
        .collect()
}

/// Receivables at each of these instants (invoices issued by then less credit notes and
/// payments by then), for the customers within `vis`.
pub async fn receivables_at<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    ends: &[DateTime<Utc>],
) -> Result<Vec<i64>> {
    if ends.is_empty() {
        return Ok(Vec::new());
    }
    let (cond, cv) = vis.owner_condition("c.owner_id");
    let backend = conn.get_database_backend();
    let sums = |table: &str, at: &str, sign: &str| {
        ends.iter()
            .enumerate()
            .map(|(i, _)| {
                format!("CAST(COALESCE(SUM(CASE WHEN d.{at} <= ? THEN {sign} ELSE 0 END), 0) AS BIGINT) AS s{i}")
            })
            .collect::<Vec<_>>()
            .join(", ")
            + &format!(" FROM {table} d JOIN customers c ON c.id = d.customer_id WHERE {cond}")
    };
    let mut out = vec![0i64; ends.len()];
    for (table, at, sign, factor) in [
        (
            "invoices",
            "issued_at",
            "CASE WHEN d.kind = 'credit_note' THEN -d.amount_fen ELSE d.amount_fen END",
            1,
        ),
        ("payments", "paid_at", "d.amount_fen", -1),
    ] {
        let mut values: Vec<Value> = ends.iter().map(|t| (*t).into()).collect();
        values.extend(cv.clone());
        let sql = format!("SELECT {}", sums(table, at, sign));
        if let Some(r) = conn.query_one(stmt(backend, &sql, values)).await? {
            for (i, o) in out.iter_mut().enumerate() {
                *o += factor * r.try_get::<i64>("", &format!("s{i}"))?;
            }
        }
    }
    Ok(out)
}

/// Shipment revenue by month (`YYYYMM`) from `first` to `last`, for the customers within
/// `vis` (everyone's from the company rollup).
pub async fn revenue_by_month<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    first: i32,
    last: i32,
) -> Result<BTreeMap<i32, i64>> {
    let backend = conn.get_database_backend();
    let (sql, values) = match vis {
        Visibility::All => (
            "SELECT month, CAST(SUM(revenue_fen) AS BIGINT) AS s FROM company_months \
             WHERE month >= ? AND month <= ? GROUP BY month"
                .to_string(),
            vec![first.into(), last.into()],
        ),
        _ => {
            let (cond, cv) = vis.owner_condition("c.owner_id");
            let mut v: Vec<Value> = vec![first.into(), last.into()];
            v.extend(cv);
            (
                format!(
                    "SELECT m.month, CAST(SUM(m.revenue_fen) AS BIGINT) AS s FROM customer_months m \
                     JOIN customers c ON c.id = m.customer_id WHERE m.month >= ? AND m.month <= ? \
                     AND {cond} GROUP BY m.month"
                ),
                v,
            )
        }
    };
    let rows = conn.query_all(stmt(backend, &sql, values)).await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i32>("", "month")?, r.try_get::<i64>("", "s")?)))
        .collect()
}
