//! Shipments and their rollups in a bulk writer's transaction: new rows as multi-row
//! statements with borrowed values (SQLite) or through binary `COPY` (PostgreSQL), rollup
//! changes as multi-row upserts (SQLite) or `COPY` into a temporary table and one upsert
//! from it (PostgreSQL). The statements' texts for both backends are here too.

use super::bulk::{copy_binary, exec_err, BulkConn, BulkTxn};
use crate::dialect::{insert_into, stmt};
use crate::shipments::{
    existing, insert_rows, parse_row, pieces, sorted_changes, ShipmentWrite, StoredShipment,
    COLUMNS, N_COLUMNS, SELECT,
};
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::shipment::{month_of, DayFigures};
use sea_orm::{ConnectionTrait, QueryResult};
use std::collections::HashMap;

/// Writes shipments in a bulk writer's transaction without touching the rollups: the
/// writer sums what [`add_deltas`] collects over several batches and applies it with
/// [`apply_rollup_deltas_bulk`] before it commits. New rows go in as multi-row statements
/// with borrowed values (SQLite) or through `COPY` (PostgreSQL); rows that replace stored
/// ones as upserts.
pub async fn write_rows_bulk(
    txn: &BulkTxn,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (fresh, replacing): (Vec<&ShipmentWrite>, Vec<&ShipmentWrite>) = rows
        .iter()
        .partition(|w| !old.contains_key(&w.shipment.waybill_no));
    for chunk in pieces(&replacing) {
        insert_rows(txn, chunk, true, import_run_id, now).await?;
    }
    match &mut *txn.lock().await {
        BulkConn::Sqlite(t) => {
            let chunks = pieces(&fresh);
            let sqls = statement_texts(&chunks, |n| {
                shipment_insert_sql(sea_orm::DbBackend::Sqlite, n, import_run_id, now)
            });
            run_pipelined(&mut *t, chunks.len(), |i| {
                let chunk = chunks[i];
                let mut q = sea_orm::sqlx::query(sqls[&chunk.len()].as_str());
                for w in chunk {
                    let s = &w.shipment;
                    q = q
                        .bind(s.waybill_no.as_str())
                        .bind(w.customer_id)
                        .bind(s.service_mode.map(|m| m.as_str()))
                        .bind(s.origin_city.as_str())
                        .bind(s.destination_city.as_str())
                        .bind(s.goods_type.as_str())
                        .bind(s.pieces)
                        .bind(s.weight_g)
                        .bind(s.volume_cm3)
                        .bind(s.revenue_fen)
                        .bind(s.cost_fen)
                        .bind(s.ordered_at.timestamp())
                        .bind(w.order_day)
                        .bind(s.promised_at.map(|t| t.timestamp()))
                        .bind(s.shipped_at.map(|t| t.timestamp()))
                        .bind(s.delivered_at.map(|t| t.timestamp()))
                        .bind(s.status.as_str())
                        .bind(s.exceptions.0)
                        .bind(s.note.as_str());
                }
                q
            })
            .await?;
        }
        BulkConn::Postgres(t) => {
            if fresh.is_empty() {
                return Ok(());
            }
            copy_binary(
                t,
                &format!("COPY shipments ({COLUMNS}) FROM STDIN (FORMAT binary)"),
                &fresh,
                |out, w| {
                    let s = &w.shipment;
                    out.row(22);
                    out.text(&s.waybill_no);
                    out.int8(w.customer_id);
                    out.opt_text(s.service_mode.map(|m| m.as_str()));
                    out.text(&s.origin_city);
                    out.text(&s.destination_city);
                    out.text(&s.goods_type);
                    out.int8(s.pieces);
                    out.int8(s.weight_g);
                    out.int8(s.volume_cm3);
                    out.int8(s.revenue_fen);
                    out.opt_int8(s.cost_fen);
                    out.timestamp(s.ordered_at);
                    out.int4(w.order_day);
                    out.opt_timestamp(s.promised_at);
                    out.opt_timestamp(s.shipped_at);
                    out.opt_timestamp(s.delivered_at);
                    out.text(s.status.as_str());
                    out.int4(s.exceptions.0);
                    out.text(&s.note);
                    out.opt_int8(import_run_id);
                    out.timestamp(now);
                    out.timestamp(now);
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// [`apply_rollup_deltas`] in a bulk writer's transaction: multi-row upserts with values
/// bound directly (SQLite), or `COPY` into a temporary table and one upsert from it
/// (PostgreSQL).
pub async fn apply_rollup_deltas_bulk(
    txn: &BulkTxn,
    days: &HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    let t0 = std::time::Instant::now();
    let mut months: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for ((c, d), f) in days {
        months.entry((*c, month_of(*d))).or_default().add(f, 1);
    }
    let mut emptied: Vec<(&str, &str, i64, i32)> = Vec::new();
    {
        let mut conn = txn.lock().await;
        for (table, key, deltas) in [
            ("customer_days", "day", days),
            ("customer_months", "month", &months),
        ] {
            let rows = sorted_changes(deltas);
            emptied.extend(
                rows.iter()
                    .filter(|(_, f)| f.shipments < 0)
                    .map(|((c, k), _)| (table, key, *c, *k)),
            );
            match &mut *conn {
                BulkConn::Sqlite(t) => sqlite_upsert_add(t, table, key, &rows).await?,
                BulkConn::Postgres(t) => pg_upsert_add(t, table, key, &rows).await?,
            }
        }
    }
    let backend = txn.get_database_backend();
    for (table, key, c, k) in emptied {
        txn.execute(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE customer_id = ? AND {key} = ? AND shipments = 0"),
            vec![c.into(), k.into()],
        ))
        .await?;
    }
    tracing::debug!(rollup_ms = t0.elapsed().as_millis() as u64, "rollups");
    Ok(())
}

/// `col = table.col + excluded.col, …` for every figure.
pub(crate) fn add_set(table: &str) -> String {
    DayFigures::COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn sqlite_upsert_add(
    t: &mut sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Sqlite>,
    table: &str,
    key: &str,
    rows: &[((i64, i32), &DayFigures)],
) -> Result<()> {
    let chunks = pieces(rows);
    let sqls = statement_texts(&chunks, |n| {
        rollup_upsert_sql(sea_orm::DbBackend::Sqlite, table, key, n)
    });
    run_pipelined(&mut *t, chunks.len(), |i| {
        let chunk = chunks[i];
        let mut q = sea_orm::sqlx::query(sqls[&chunk.len()].as_str());
        for ((c, k), f) in chunk {
            q = q.bind(*c).bind(*k);
            for v in f.values() {
                q = q.bind(v);
            }
        }
        q
    })
    .await
}

/// The text of each statement size among `chunks` (a few: see [`pieces`]).
pub(crate) fn statement_texts<T>(
    chunks: &[&[T]],
    text: impl Fn(usize) -> String,
) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    for c in chunks {
        out.entry(c.len()).or_insert_with(|| text(c.len()));
    }
    out
}

pub(crate) type SqliteQuery<'q> = sea_orm::sqlx::query::Query<
    'q,
    sea_orm::sqlx::Sqlite,
    sea_orm::sqlx::sqlite::SqliteArguments<'q>,
>;

/// Runs `n` statements in order on one SQLite connection, building statement i + 1
/// (binding its values) while statement i runs on sqlx's worker thread: the two
/// alternate otherwise, and the worker would wait for every statement's values.
pub(crate) async fn run_pipelined<'q>(
    t: &mut sea_orm::sqlx::SqliteConnection,
    n: usize,
    mut build: impl FnMut(usize) -> SqliteQuery<'q>,
) -> Result<()> {
    let mut next = (n > 0).then(|| build(0));
    let mut i = 0;
    while let Some(q) = next.take() {
        i += 1;
        let following = async { (i < n).then(|| build(i)) };
        let (done, following) = tokio::join!(q.execute(&mut *t), following);
        done.map_err(exec_err)?;
        next = following;
    }
    Ok(())
}

pub(crate) async fn pg_upsert_add(
    t: &mut sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Postgres>,
    table: &str,
    key: &str,
    rows: &[((i64, i32), &DayFigures)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    use sea_orm::sqlx::Executor;
    let cols = DayFigures::COLUMNS.join(", ");
    let figures = DayFigures::COLUMNS
        .iter()
        .map(|c| format!("{c} BIGINT NOT NULL"))
        .collect::<Vec<_>>()
        .join(", ");
    t.execute(
        format!(
            "CREATE TEMP TABLE IF NOT EXISTS rollup_delta (customer_id BIGINT NOT NULL, \
             k INTEGER NOT NULL, {figures}) ON COMMIT DROP"
        )
        .as_str(),
    )
    .await
    .map_err(exec_err)?;
    t.execute("TRUNCATE rollup_delta").await.map_err(exec_err)?;
    copy_binary(
        t,
        &format!("COPY rollup_delta (customer_id, k, {cols}) FROM STDIN (FORMAT binary)"),
        rows,
        |out, ((c, k), f)| {
            out.row(2 + DayFigures::COLUMNS.len() as i16);
            out.int8(*c);
            out.int4(*k);
            for v in f.values() {
                out.int8(v);
            }
        },
    )
    .await?;
    // The rows arrive in key order and a table just filled by one COPY is read back in
    // the order written, so the upsert walks the index in key order without a sort.
    t.execute(
        format!(
            "INSERT INTO {table} (customer_id, {key}, {cols}) \
             SELECT customer_id, k, {cols} FROM rollup_delta \
             ON CONFLICT (customer_id, {key}) DO UPDATE SET {set}",
            set = add_set(table)
        )
        .as_str(),
    )
    .await
    .map_err(exec_err)?;
    Ok(())
}

/// `INSERT … INTO shipments (…) VALUES` for `n` rows: [`N_COLUMNS`] values bound a row,
/// then the batch's constants as literals (run, and now as the backend stores it).
pub(crate) fn shipment_insert_sql(
    backend: sea_orm::DbBackend,
    n: usize,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> String {
    let now_lit = if backend == sea_orm::DbBackend::Sqlite {
        now.timestamp().to_string()
    } else {
        format!("'{}'", now.format("%Y-%m-%dT%H:%M:%SZ"))
    };
    let run = import_run_id.map_or_else(|| "NULL".to_string(), |r| r.to_string());
    let row = format!(
        "({},{run},{now_lit},{now_lit})",
        vec!["?"; N_COLUMNS].join(",")
    );
    let mut sql = String::with_capacity(64 + n * (row.len() + 1));
    sql.push_str(insert_into(backend));
    sql.push_str(" shipments (");
    sql.push_str(COLUMNS);
    sql.push_str(") VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql
}

/// `INSERT … INTO` a rollup table for `n` rows (customer, day or month, the figures),
/// adding to the row already there.
pub(crate) fn rollup_upsert_sql(
    backend: sea_orm::DbBackend,
    table: &str,
    key: &str,
    n: usize,
) -> String {
    let cols = DayFigures::COLUMNS;
    let row = format!("(?,?{})", ",?".repeat(cols.len()));
    let mut sql = format!(
        "{} {table} (customer_id, {key}, {}) VALUES ",
        insert_into(backend),
        cols.join(", ")
    );
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql.push_str(&format!(
        " ON CONFLICT (customer_id, {key}) DO UPDATE SET {}",
        add_set(table)
    ));
    sql
}

/// [`existing`] in a bulk writer's transaction: on PostgreSQL one statement for all the
/// numbers (`= ANY` of an array) instead of one per 500.
pub async fn existing_bulk(
    txn: &BulkTxn,
    waybills: &[&str],
) -> Result<HashMap<String, StoredShipment>> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres || waybills.is_empty() {
        return existing(txn, waybills).await;
    }
    let rows = match &mut *txn.lock().await {
        BulkConn::Postgres(t) => {
            sea_orm::sqlx::query(&format!("{SELECT} WHERE s.waybill_no = ANY($1)"))
                .bind(waybills)
                .fetch_all(&mut **t)
                .await
                .map_err(exec_err)?
        }
        BulkConn::Sqlite(_) => Vec::new(),
    };
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let s = parse_row(&QueryResult::from(r))?;
        out.insert(s.shipment.waybill_no.clone(), s);
    }
    Ok(out)
}
