//! A page of a list and the count of all its matches: `SELECT … FROM … WHERE …` counted,
//! then read `LIMIT … OFFSET …` in the list's order (for small lists: surveys, actions).

use crate::dialect::stmt;
use crate::Result;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

/// The rows of page `page` (`per_page` of them, at most 500) of `select` (`SELECT …
/// FROM …`, no `WHERE`) under `cond` (with `values`), ordered by `order`, and how many
/// rows match in all.
pub async fn page<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    cond: &str,
    order: &str,
    values: Vec<Value>,
    page: u64,
    per_page: u64,
) -> Result<(Vec<T>, u64)> {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let backend = conn.get_database_backend();
    let from = select.find(" FROM ").map_or(select, |i| &select[i..]);
    let n = N::find_by_statement(stmt(
        backend,
        &format!("SELECT COUNT(*) AS n{from} WHERE {cond}"),
        values.clone(),
    ))
    .one(conn)
    .await?
    .map_or(0, |r| r.n);
    let per = per_page.clamp(1, 500);
    let offset = consign_domain::params::offset(page, per);
    let rows = T::find_by_statement(stmt(
        backend,
        &format!("{select} WHERE {cond} ORDER BY {order} LIMIT {per} OFFSET {offset}"),
        values,
    ))
    .all(conn)
    .await?;
    Ok((rows, n.max(0) as u64))
}
