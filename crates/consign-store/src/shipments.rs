//! Shipments and their per-customer rollups by day and by month.
//!
//! Every write goes through [`write_batch`] or [`delete`], which change the rollups by
//! exactly what the rows they touch contribute (new minus old), in the caller's
//! transaction: the rollups never drift from the raw shipments, whatever is killed when.

use crate::bulk::{copy_binary, exec_err, BulkConn, BulkTxn};
use crate::customers::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::customer::ServiceMode;
use consign_domain::shipment::{month_of, DayFigures, Exceptions, Shipment, ShipmentStatus};
use sea_orm::{ConnectionTrait, QueryResult, Value};
use std::collections::{BTreeMap, HashMap};

/// Rows per multi-row statement: 23 values a row stays well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub const ROWS_PER_STATEMENT: usize = 500;

/// The columns bound per row; `import_run_id`, `created_at` and `updated_at` follow as
/// literals (the same for a whole batch: fewer values to bind).
const COLUMNS: &str = "waybill_no, customer_id, service_mode, origin_city, destination_city, \
    goods_type, pieces, weight_g, volume_cm3, revenue_fen, cost_fen, ordered_at, order_day, \
    promised_at, shipped_at, delivered_at, status, exceptions, note, import_run_id, \
    created_at, updated_at";
const N_COLUMNS: usize = 19;

/// `INSERT` for SQLite with `OR ROLLBACK`: a conflict the statement does not handle fails
/// the whole transaction instead of the statement alone, so SQLite keeps no statement
/// journal (a copy of every page the statement touches) — a fifth of a bulk load's time.
/// Callers write inside a transaction and treat any error as its failure.
pub(crate) fn insert_into(backend: sea_orm::DbBackend) -> &'static str {
    if backend == sea_orm::DbBackend::Sqlite {
        "INSERT OR ROLLBACK INTO"
    } else {
        "INSERT INTO"
    }
}

/// Splits rows into statement-sized pieces of a few fixed sizes (500, then powers of
/// two), so that the few multi-row statements are prepared once and reused instead of
/// filling the statement cache with one statement per leftover size.
pub fn pieces<T>(rows: &[T]) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let n = if rest.len() >= ROWS_PER_STATEMENT {
            ROWS_PER_STATEMENT
        } else {
            1 << (usize::BITS - 1 - rest.len().leading_zeros())
        };
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
    }
    out
}

/// A shipment as stored: the domain value with its customer resolved and its day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShipment {
    pub id: i64,
    pub customer_id: i64,
    pub order_day: i32,
    pub shipment: Shipment,
    /// The import run that last wrote it, if any.
    pub import_run_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredShipment {
    /// Whether writing `other` over this one would change anything a user can see.
    pub fn same_content(&self, customer_id: i64, order_day: i32, s: &Shipment) -> bool {
        self.customer_id == customer_id
            && self.order_day == order_day
            && self.shipment.without_code() == s.without_code()
    }
}

trait WithoutCode {
    fn without_code(&self) -> Shipment;
}
impl WithoutCode for Shipment {
    fn without_code(&self) -> Shipment {
        Shipment {
            customer_code: String::new(),
            ..self.clone()
        }
    }
}

/// A row to write: new or replacing the stored shipment with the same waybill number.
#[derive(Debug, Clone)]
pub struct ShipmentWrite {
    pub customer_id: i64,
    pub order_day: i32,
    pub shipment: Shipment,
}

fn ts(t: Option<DateTime<Utc>>) -> Value {
    Value::ChronoDateTimeUtc(t.map(Box::new))
}

/// A shipment's time as its table stores it: Unix seconds on SQLite (see migration
/// m0006), TIMESTAMPTZ on PostgreSQL; to the second on both.
pub(crate) fn shipment_ts(backend: sea_orm::DbBackend, t: Option<DateTime<Utc>>) -> Value {
    if backend == sea_orm::DbBackend::Sqlite {
        Value::BigInt(t.map(|t| t.timestamp()))
    } else {
        ts(t.map(consign_domain::shipment::whole_seconds))
    }
}

fn parse_row(r: &QueryResult) -> Result<StoredShipment> {
    let mode: Option<String> = r.try_get("", "service_mode")?;
    let status: String = r.try_get("", "status")?;
    let exceptions: i32 = r.try_get("", "exceptions")?;
    Ok(StoredShipment {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        order_day: r.try_get("", "order_day")?,
        import_run_id: r.try_get("", "import_run_id")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        shipment: Shipment {
            waybill_no: r.try_get("", "waybill_no")?,
            customer_code: r.try_get("", "customer_code")?,
            service_mode: mode.as_deref().and_then(ServiceMode::parse),
            origin_city: r.try_get("", "origin_city")?,
            destination_city: r.try_get("", "destination_city")?,
            goods_type: r.try_get("", "goods_type")?,
            pieces: r.try_get("", "pieces")?,
            weight_g: r.try_get("", "weight_g")?,
            volume_cm3: r.try_get("", "volume_cm3")?,
            revenue_fen: r.try_get("", "revenue_fen")?,
            cost_fen: r.try_get("", "cost_fen")?,
            ordered_at: r.try_get("", "ordered_at")?,
            promised_at: r.try_get("", "promised_at")?,
            shipped_at: r.try_get("", "shipped_at")?,
            delivered_at: r.try_get("", "delivered_at")?,
            status: ShipmentStatus::parse(&status).unwrap_or(ShipmentStatus::Created),
            exceptions: Exceptions(exceptions),
            note: r.try_get("", "note")?,
        },
    })
}

const SELECT: &str = "SELECT s.id, s.customer_id, c.code AS customer_code, s.waybill_no, \
    s.service_mode, s.origin_city, s.destination_city, s.goods_type, s.pieces, s.weight_g, \
    s.volume_cm3, s.revenue_fen, s.cost_fen, s.ordered_at, s.order_day, s.promised_at, \
    s.shipped_at, s.delivered_at, s.status, s.exceptions, s.note, s.import_run_id, s.created_at, s.updated_at \
    FROM shipments s JOIN customers c ON c.id = s.customer_id";

/// The stored shipments among these waybill numbers, by number.
pub async fn existing<C: ConnectionTrait>(
    conn: &C,
    waybills: &[&str],
) -> Result<HashMap<String, StoredShipment>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in pieces(waybills) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("{SELECT} WHERE s.waybill_no IN ({marks})");
        let values = chunk.iter().map(|w| Value::from(*w)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            let s = parse_row(&r)?;
            out.insert(s.shipment.waybill_no.clone(), s);
        }
    }
    Ok(out)
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

pub async fn find_by_waybill<C: ConnectionTrait>(
    conn: &C,
    waybill: &str,
) -> Result<Option<StoredShipment>> {
    Ok(existing(conn, &[waybill]).await?.remove(waybill))
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<StoredShipment>> {
    let backend = conn.get_database_backend();
    let sql = format!("{SELECT} WHERE s.id = ?");
    match conn.query_one(stmt(backend, &sql, vec![id.into()])).await? {
        Some(r) => Ok(Some(parse_row(&r)?)),
        None => Ok(None),
    }
}

/// A customer's shipments, newest order first.
pub async fn list_for_customer<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    offset: u64,
    limit: u64,
) -> Result<(Vec<StoredShipment>, u64)> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "{SELECT} WHERE s.customer_id = ? ORDER BY s.ordered_at DESC, s.id DESC LIMIT ? OFFSET ?"
    );
    let rows = conn
        .query_all(stmt(
            backend,
            &sql,
            vec![
                customer_id.into(),
                (limit as i64).into(),
                (offset as i64).into(),
            ],
        ))
        .await?;
    let total = conn
        .query_one(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM shipments WHERE customer_id = ?",
            vec![customer_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let list = rows.iter().map(parse_row).collect::<Result<Vec<_>>>()?;
    Ok((list, total.max(0) as u64))
}

/// Writes shipments (insert, or replace the one with the same waybill number) and changes
/// the rollups by what changed. `old` holds the stored rows these replace, as returned
/// by [`existing`]. Call inside a transaction.
pub async fn write_batch<C: ConnectionTrait>(
    conn: &C,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut deltas = HashMap::new();
    add_deltas(&mut deltas, rows, old);
    // New rows go in with a plain INSERT (cheaper than an upsert); rows that replace a
    // stored shipment with an upsert on the waybill number.
    let (fresh, replacing): (Vec<&ShipmentWrite>, Vec<&ShipmentWrite>) = rows
        .iter()
        .partition(|w| !old.contains_key(&w.shipment.waybill_no));
    for (part, upsert) in [(fresh, false), (replacing, true)] {
        for chunk in pieces(&part) {
            insert_rows(conn, chunk, upsert, import_run_id, now).await?;
        }
    }
    apply_rollup_deltas(conn, deltas).await
}

/// Adds to `deltas` what writing `rows` over the stored `old` ones changes in the
/// rollups (new minus old, per customer and day).
pub fn add_deltas(
    deltas: &mut HashMap<(i64, i32), DayFigures>,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
) {
    for w in rows {
        if let Some(o) = old.get(&w.shipment.waybill_no) {
            deltas
                .entry((o.customer_id, o.order_day))
                .or_default()
                .add(&DayFigures::of(&o.shipment), -1);
        }
        deltas
            .entry((w.customer_id, w.order_day))
            .or_default()
            .add(&DayFigures::of(&w.shipment), 1);
    }
}

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
fn add_set(table: &str) -> String {
    DayFigures::COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn sqlite_upsert_add(
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
fn statement_texts<T>(chunks: &[&[T]], text: impl Fn(usize) -> String) -> HashMap<usize, String> {
    let mut out = HashMap::new();
    for c in chunks {
        out.entry(c.len()).or_insert_with(|| text(c.len()));
    }
    out
}

type SqliteQuery<'q> = sea_orm::sqlx::query::Query<
    'q,
    sea_orm::sqlx::Sqlite,
    sea_orm::sqlx::sqlite::SqliteArguments<'q>,
>;

/// Runs `n` statements in order on one SQLite connection, building statement i + 1
/// (binding its values) while statement i runs on sqlx's worker thread: the two
/// alternate otherwise, and the worker would wait for every statement's values.
async fn run_pipelined<'q>(
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

async fn pg_upsert_add(
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
fn shipment_insert_sql(
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
fn rollup_upsert_sql(backend: sea_orm::DbBackend, table: &str, key: &str, n: usize) -> String {
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

/// The changes that change something, in key order (the keys alone are sorted: a bulk
/// import holds a few hundred thousand changes, and no second copy of the figures). A
/// fixed order keeps concurrent writers from deadlocking on PostgreSQL and walks
/// SQLite's B-tree in order.
fn sorted_changes(deltas: &HashMap<(i64, i32), DayFigures>) -> Vec<((i64, i32), &DayFigures)> {
    let mut rows: Vec<((i64, i32), &DayFigures)> = deltas
        .iter()
        .filter(|(_, f)| !f.is_zero())
        .map(|(k, f)| (*k, f))
        .collect();
    rows.sort_unstable_by_key(|(k, _)| *k);
    rows
}

async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    chunk: &[&ShipmentWrite],
    upsert: bool,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    {
        let mut sql = shipment_insert_sql(backend, chunk.len(), import_run_id, now);
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * N_COLUMNS);
        for w in chunk {
            let s = &w.shipment;
            values.extend([
                Value::from(s.waybill_no.as_str()),
                w.customer_id.into(),
                Value::String(s.service_mode.map(|m| Box::new(m.as_str().to_string()))),
                s.origin_city.as_str().into(),
                s.destination_city.as_str().into(),
                s.goods_type.as_str().into(),
                s.pieces.into(),
                s.weight_g.into(),
                s.volume_cm3.into(),
                s.revenue_fen.into(),
                s.cost_fen.into(),
                shipment_ts(backend, Some(s.ordered_at)),
                w.order_day.into(),
                shipment_ts(backend, s.promised_at),
                shipment_ts(backend, s.shipped_at),
                shipment_ts(backend, s.delivered_at),
                s.status.as_str().into(),
                s.exceptions.0.into(),
                s.note.as_str().into(),
            ]);
        }
        if upsert {
            sql.push_str(
                " ON CONFLICT (waybill_no) DO UPDATE SET customer_id = excluded.customer_id, \
             service_mode = excluded.service_mode, origin_city = excluded.origin_city, \
             destination_city = excluded.destination_city, goods_type = excluded.goods_type, \
             pieces = excluded.pieces, weight_g = excluded.weight_g, \
             volume_cm3 = excluded.volume_cm3, revenue_fen = excluded.revenue_fen, \
             cost_fen = excluded.cost_fen, ordered_at = excluded.ordered_at, \
             order_day = excluded.order_day, promised_at = excluded.promised_at, \
             shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at, \
             status = excluded.status, exceptions = excluded.exceptions, note = excluded.note, \
             import_run_id = excluded.import_run_id, updated_at = excluded.updated_at",
            );
        }
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    Ok(())
}

/// Deletes a shipment and takes it out of the rollups.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool> {
    let Some(old) = find(conn, id).await? else {
        return Ok(false);
    };
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "DELETE FROM shipments WHERE id = ?",
        vec![id.into()],
    ))
    .await?;
    let mut d = DayFigures::default();
    d.add(&DayFigures::of(&old.shipment), -1);
    apply_rollup_deltas(conn, HashMap::from([((old.customer_id, old.order_day), d)])).await?;
    Ok(true)
}

/// Adds per-(customer, day) changes to both rollups; a day or month left with no
/// shipments is removed.
pub async fn apply_rollup_deltas<C: ConnectionTrait>(
    conn: &C,
    days: HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    let mut months: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for ((c, d), f) in &days {
        months.entry((*c, month_of(*d))).or_default().add(f, 1);
    }
    let t = std::time::Instant::now();
    upsert_add(conn, "customer_days", "day", &days).await?;
    drop(days);
    upsert_add(conn, "customer_months", "month", &months).await?;
    tracing::debug!(rollup_ms = t.elapsed().as_millis() as u64, "rollups");
    Ok(())
}

async fn upsert_add<C: ConnectionTrait>(
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
    let (table, key) = if monthly {
        ("customer_months", "month")
    } else {
        ("customer_days", "day")
    };
    let sql = format!(
        "SELECT customer_id, {key} AS k, {} FROM {table}",
        DayFigures::COLUMNS.join(", ")
    );
    let backend = conn.get_database_backend();
    let mut out = BTreeMap::new();
    for r in conn.query_all(stmt(backend, &sql, vec![])).await? {
        let mut v = [0i64; 15];
        for (i, c) in DayFigures::COLUMNS.iter().enumerate() {
            v[i] = r.try_get("", c)?;
        }
        out.insert(
            (r.try_get("", "customer_id")?, r.try_get("", "k")?),
            DayFigures::from_values(v),
        );
    }
    Ok(out)
}

/// Shipments after id `after` (of one customer, or all), in id order, `limit` at most
/// (for streaming exports).
pub async fn page_after<C: ConnectionTrait>(
    conn: &C,
    customer: Option<i64>,
    vis: &crate::customers::Visibility,
    after: i64,
    limit: u64,
) -> Result<Vec<StoredShipment>> {
    let backend = conn.get_database_backend();
    let (mut sql, mut values) = match customer {
        Some(c) => (
            format!("{SELECT} WHERE s.customer_id = ? AND s.id > ?"),
            vec![c.into(), after.into()],
        ),
        None => (format!("{SELECT} WHERE s.id > ?"), vec![after.into()]),
    };
    if let crate::customers::Visibility::OwnersAndPool(_) = vis {
        let (cond, owners) = vis.owner_condition("v.owner_id");
        sql += &format!(" AND s.customer_id IN (SELECT v.id FROM customers v WHERE {cond})");
        values.extend(owners);
    }
    sql += " ORDER BY s.id LIMIT ?";
    values.push((limit as i64).into());
    conn.query_all(stmt(backend, &sql, values))
        .await?
        .iter()
        .map(parse_row)
        .collect()
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

/// A tracking event (轨迹) of a shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub at: DateTime<Utc>,
    pub place: String,
    pub status_text: String,
}

/// Adds tracking events; one already recorded (same time and text) is left as it is.
/// Returns how many were new.
pub async fn add_events<C: ConnectionTrait>(
    conn: &C,
    shipment_id: i64,
    events: &[TrackingEvent],
) -> Result<u64> {
    let rows: Vec<(i64, TrackingEvent)> = events.iter().map(|e| (shipment_id, e.clone())).collect();
    add_events_many(conn, &rows).await
}

/// Tracking events of several shipments: (shipment id, event).
pub async fn add_events_many<C: ConnectionTrait>(
    conn: &C,
    events: &[(i64, TrackingEvent)],
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let mut added = 0;
    for chunk in pieces(events) {
        let mut sql = String::from(
            "INSERT INTO tracking_events (shipment_id, at, place, status_text) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 4);
        for (i, (id, e)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
            values.extend([
                (*id).into(),
                ts(Some(e.at)),
                e.place.as_str().into(),
                e.status_text.as_str().into(),
            ]);
        }
        sql.push_str(" ON CONFLICT (shipment_id, at, status_text) DO NOTHING");
        added += conn
            .execute(stmt(backend, &sql, values))
            .await?
            .rows_affected();
    }
    Ok(added)
}

/// A shipment's tracking events, oldest first.
pub async fn events<C: ConnectionTrait>(conn: &C, shipment_id: i64) -> Result<Vec<TrackingEvent>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT at, place, status_text FROM tracking_events WHERE shipment_id = ? ORDER BY at, id",
        vec![shipment_id.into()],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(TrackingEvent {
            at: r.try_get("", "at")?,
            place: r.try_get("", "place")?,
            status_text: r.try_get("", "status_text")?,
        })
    })
    .collect()
}

/// Recomputes one customer's order days with `day_of` (a changed company time zone) and
/// rebuilds its rollups from its raw shipments. Call inside a transaction; memory is one
/// customer's rollup.
pub async fn rebuild_customer<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    day_of: &(dyn Fn(DateTime<Utc>) -> i32 + Sync),
) -> Result<u64> {
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
