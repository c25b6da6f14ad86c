//! Lists that count their matches only up to a cap: a broad filter over a million rows
//! matches hundreds of thousands (measured: 170–200 ms to count a manager's complaints of
//! all time); no one pages through them, and the dashboards give the exact figures.

use crate::dialect::stmt;
use crate::Result;
use sea_orm::{ConnectionTrait, Value};

/// Where the lists' counts stop (the tickets, the shipments).
pub const LIST_COUNT_CAP: u64 = 10_000;

/// How many rows matched, up to the cap; `capped`: the count stopped there, more match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub total: u64,
    pub capped: bool,
}

/// Counts the rows of `from` (`table alias [JOIN …] [WHERE …]`, `?` placeholders bound to
/// `values`) up to [`LIST_COUNT_CAP`], or up to the end of the page asked for when that is
/// further (`page_end`: its offset plus its size).
pub async fn count<C: ConnectionTrait>(
    conn: &C,
    from: &str,
    values: Vec<Value>,
    page_end: u64,
) -> Result<Counted> {
    count_to(conn, from, values, page_end, LIST_COUNT_CAP).await
}

/// [`count`] with a cap of the caller's (a list whose filters have no index of their own
/// counts to less).
pub async fn count_to<C: ConnectionTrait>(
    conn: &C,
    from: &str,
    mut values: Vec<Value>,
    page_end: u64,
    cap: u64,
) -> Result<Counted> {
    let cap = cap.max(page_end);
    values.push(((cap + 1) as i64).into());
    let sql = format!("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {from} LIMIT ?) x");
    let n = conn
        .query_one(stmt(conn.get_database_backend(), &sql, values))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        .max(0) as u64;
    Ok(Counted {
        total: n.min(cap),
        capped: n > cap,
    })
}
