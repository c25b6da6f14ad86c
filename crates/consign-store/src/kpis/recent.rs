//! Every customer's rollup summed over the recent months (`customer_recent`, kept by
//! triggers on `customer_months`; see migration m0029): what the company's KPIs by
//! segment and its worst customers read for this month and the eleven before, a row per
//! customer instead of twelve. Each row carries the customer's segment (owner, province,
//! industry, service modes; kept by a trigger on the customers, m0037) and its value
//! class and grade in one classification run ([`class_run`]), so that a breakdown or a
//! scope reads this table alone.

use crate::dialect::{hold_table, stmt};
use crate::Result;
use consign_domain::shipment::DayFigures;
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(FromQueryResult)]
struct First {
    first_month: i32,
}

/// The first month (YYYYMM) the recent sums start at; 999999 before the first rebuild.
pub async fn first_month<C: ConnectionTrait>(conn: &C) -> Result<i32> {
    Ok(First::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT first_month FROM recent_window WHERE id = 1",
        vec![],
    ))
    .one(conn)
    .await?
    .map_or(999_999, |f| f.first_month))
}

#[derive(FromQueryResult)]
struct ClassRun {
    class_run: Option<i64>,
}

/// The classification run whose value classes and grades the recent rows carry (none
/// before the first run comes into force).
pub async fn class_run<C: ConnectionTrait>(conn: &C) -> Result<Option<i64>> {
    Ok(ClassRun::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT class_run FROM recent_window WHERE id = 1",
        vec![],
    ))
    .one(conn)
    .await?
    .and_then(|r| r.class_run))
}

/// Writes run `run_id`'s value class and grade on every recent row (none for a customer
/// the run did not classify), in the caller's write transaction: what a breakdown by
/// class or grade reads while that run is in force.
pub async fn keep_classes<C: ConnectionTrait>(conn: &C, run_id: i64) -> Result<()> {
    let backend = conn.get_database_backend();
    let of = |col: &str| {
        format!(
            "(SELECT cl.{col} FROM classifications cl WHERE cl.run_id = ? \
             AND cl.customer_id = customer_recent.customer_id)"
        )
    };
    for (sql, values) in [
        (
            format!(
                "UPDATE customer_recent SET value_class = {}, grade = {}",
                of("value_class"),
                of("grade")
            ),
            vec![run_id.into(), run_id.into()],
        ),
        (
            "UPDATE recent_window SET class_run = ? WHERE id = 1".to_string(),
            vec![run_id.into()],
        ),
    ] {
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    Ok(())
}

/// Moves the window to start at `first` (YYYYMM) and sums every customer's months from
/// there again, in the caller's write transaction (other writers of the monthly rollup
/// wait for it). Nothing to do when the window starts there already; whether it moved.
pub async fn rebuild<C: ConnectionTrait>(conn: &C, first: i32) -> Result<bool> {
    let backend = conn.get_database_backend();
    if let Some(hold) = hold_table(backend, "customer_months") {
        conn.execute_unprepared(&hold).await?;
    }
    if first_month(conn).await? == first {
        return Ok(false);
    }
    let cols = DayFigures::COLUMNS.join(", ");
    let sums = DayFigures::COLUMNS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ");
    for (sql, values) in [
        (
            "UPDATE recent_window SET first_month = ? WHERE id = 1".to_string(),
            vec![first.into()],
        ),
        ("DELETE FROM customer_recent".to_string(), vec![]),
        (
            format!(
                "INSERT INTO customer_recent (customer_id, {cols}) \
                 SELECT customer_id, {sums} FROM customer_months WHERE month >= ? GROUP BY customer_id"
            ),
            vec![first.into()],
        ),
    ] {
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    Ok(true)
}

/// Whether the recent sums are exactly the months `[first, last)`: the window starts at
/// `first` and no customer has a month at or after `last` (orders dated ahead).
pub async fn covers<C: ConnectionTrait>(conn: &C, first: i32, last: i32) -> Result<bool> {
    if first_month(conn).await? != first {
        return Ok(false);
    }
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let later = N::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT COUNT(*) AS n FROM company_months WHERE month >= ?",
        vec![last.into()],
    ))
    .one(conn)
    .await?
    .map_or(0, |r| r.n);
    Ok(later == 0)
}
