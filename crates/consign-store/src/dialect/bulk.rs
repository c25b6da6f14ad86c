//! The bulk-load dialect (ARCHITECTURE: plain sqlx only here): a write transaction of a
//! bulk writer (an import) held as a plain sqlx transaction, so that its hot statements
//! skip SeaORM's value boxing and copying — shipments and rollups go in as multi-row
//! statements with borrowed values on SQLite and through `COPY … FROM STDIN` on
//! PostgreSQL — while everything else the writer does in the same transaction (customer
//! look-ups, prospects, bad rows, run counts) goes through [`ConnectionTrait`] as usual.

use super::{add_set, insert_sql, pieces, rollup_upsert_sql, Constant};
use consign_domain::shipment::DayFigures;
use sea_orm::sqlx::{self, postgres::Postgres, sqlite::Sqlite, Transaction};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement, Values,
};
use sea_query_binder::SqlxValues;
use std::collections::HashMap;
use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

/// The transaction underneath, by backend.
pub(crate) enum BulkConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A bulk writer's open transaction (holding the SQLite write gate while it lives);
/// dropped without [`BulkTxn::commit`], it rolls back.
pub struct BulkTxn {
    backend: DbBackend,
    conn: Mutex<BulkConn>,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl BulkTxn {
    pub(crate) fn new(conn: BulkConn, gate: Option<OwnedMutexGuard<()>>) -> BulkTxn {
        let backend = match conn {
            BulkConn::Sqlite(_) => DbBackend::Sqlite,
            BulkConn::Postgres(_) => DbBackend::Postgres,
        };
        BulkTxn {
            backend,
            conn: Mutex::new(conn),
            _gate: gate,
        }
    }

    pub(crate) async fn lock(&self) -> MutexGuard<'_, BulkConn> {
        self.conn.lock().await
    }

    pub async fn commit(self) -> crate::Result<()> {
        match self.conn.into_inner() {
            BulkConn::Sqlite(t) => t.commit().await.map_err(exec_err)?,
            BulkConn::Postgres(t) => t.commit().await.map_err(exec_err)?,
        }
        Ok(())
    }
}

pub(crate) fn exec_err(e: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(e))
}

fn query_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(e))
}

fn values(stmt: &Statement) -> SqlxValues {
    SqlxValues(stmt.values.clone().unwrap_or(Values(Vec::new())))
}

#[async_trait::async_trait]
impl ConnectionTrait for BulkTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let v = values(&stmt);
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => sqlx::query_with(&stmt.sql, v)
                .execute(&mut **t)
                .await
                .map(Into::into)
                .map_err(exec_err),
            BulkConn::Postgres(t) => sqlx::query_with(&stmt.sql, v)
                .execute(&mut **t)
                .await
                .map(Into::into)
                .map_err(exec_err),
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        use sqlx::Executor;
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => t.execute(sql).await.map(Into::into).map_err(exec_err),
            BulkConn::Postgres(t) => t.execute(sql).await.map(Into::into).map_err(exec_err),
        }
    }

    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let v = values(&stmt);
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => sqlx::query_with(&stmt.sql, v)
                .fetch_optional(&mut **t)
                .await
                .map(|r| r.map(Into::into))
                .map_err(query_err),
            BulkConn::Postgres(t) => sqlx::query_with(&stmt.sql, v)
                .fetch_optional(&mut **t)
                .await
                .map(|r| r.map(Into::into))
                .map_err(query_err),
        }
    }

    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let v = values(&stmt);
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => sqlx::query_with(&stmt.sql, v)
                .fetch_all(&mut **t)
                .await
                .map(|rows| rows.into_iter().map(Into::into).collect())
                .map_err(query_err),
            BulkConn::Postgres(t) => sqlx::query_with(&stmt.sql, v)
                .fetch_all(&mut **t)
                .await
                .map(|rows| rows.into_iter().map(Into::into).collect())
                .map_err(query_err),
        }
    }
}

/// Runs a binary `COPY … FROM STDIN (FORMAT binary)` of `rows`, each written by `encode`,
/// sending the data in 256 KB pieces as it is encoded, so that the server stores rows
/// while the client encodes the next ones.
pub(crate) async fn copy_binary<T>(
    t: &mut Transaction<'static, Postgres>,
    statement: &str,
    rows: impl IntoIterator<Item = T>,
    mut encode: impl FnMut(&mut BinaryCopy, T),
) -> Result<(), DbErr> {
    const PIECE: usize = 256 * 1024;
    let mut copy = t.copy_in_raw(statement).await.map_err(exec_err)?;
    let mut out = BinaryCopy::new(PIECE + 4096);
    for row in rows {
        encode(&mut out, row);
        if out.len() >= PIECE {
            copy.send(out.bytes()).await.map_err(exec_err)?;
            out.clear();
        }
    }
    copy.send(out.finish()).await.map_err(exec_err)?;
    copy.finish().await.map_err(exec_err)?;
    Ok(())
}

/// Rows in PostgreSQL's binary `COPY … FROM STDIN (FORMAT binary)` format: the server
/// takes each value as it is stored, so it parses no text (timestamps cost most) and the
/// client formats none. The column types must be exactly the table's: `int8`, `int4`,
/// `text` and `timestamptz` here.
pub(crate) struct BinaryCopy {
    buf: Vec<u8>,
}

/// Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH: i64 = 946_684_800;

impl BinaryCopy {
    pub(crate) fn new(capacity: usize) -> BinaryCopy {
        let mut buf = Vec::with_capacity(capacity + 19);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension
        BinaryCopy { buf }
    }

    /// Starts a row of `fields` values.
    pub(crate) fn row(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    pub(crate) fn null(&mut self) {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
    }

    pub(crate) fn text(&mut self, s: &str) {
        self.buf.extend_from_slice(&(s.len() as i32).to_be_bytes());
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub(crate) fn int8(&mut self, v: i64) {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn opt_int8(&mut self, v: Option<i64>) {
        match v {
            Some(v) => self.int8(v),
            None => self.null(),
        }
    }

    pub(crate) fn int4(&mut self, v: i32) {
        self.buf.extend_from_slice(&4i32.to_be_bytes());
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub(crate) fn boolean(&mut self, v: bool) {
        self.buf.extend_from_slice(&1i32.to_be_bytes());
        self.buf.push(u8::from(v));
    }

    /// A `timestamptz`, to the second (as every stored time is).
    pub(crate) fn timestamp(&mut self, t: chrono::DateTime<chrono::Utc>) {
        self.int8((t.timestamp() - PG_EPOCH) * 1_000_000);
    }

    pub(crate) fn opt_timestamp(&mut self, t: Option<chrono::DateTime<chrono::Utc>>) {
        match t {
            Some(t) => self.timestamp(t),
            None => self.null(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// The bytes so far, to send before [`BinaryCopy::clear`].
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
    }

    /// Ends the data: the bytes left to send.
    pub(crate) fn finish(&mut self) -> &[u8] {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        &self.buf
    }
}

/// One row's values as a bulk insert takes them: bound to a multi-row statement on
/// SQLite, written as binary `COPY` on PostgreSQL. Times go in as the bulk-loaded table
/// stores them: Unix seconds on SQLite (shipments, migration m0006), `timestamptz` on
/// PostgreSQL; to the second on both.
pub(crate) enum RowOut<'q, 'b> {
    Bind(&'b mut Option<SqliteQuery<'q>>),
    Copy(&'b mut BinaryCopy),
}

fn push<'q, T>(q: &mut Option<SqliteQuery<'q>>, v: T)
where
    T: 'q + Send + sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite>,
{
    if let Some(x) = q.take() {
        *q = Some(x.bind(v));
    }
}

impl<'q> RowOut<'q, '_> {
    pub(crate) fn text(&mut self, v: &'q str) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.text(v),
        }
    }

    pub(crate) fn opt_text(&mut self, v: Option<&'q str>) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.opt_text(v),
        }
    }

    pub(crate) fn int8(&mut self, v: i64) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.int8(v),
        }
    }

    pub(crate) fn opt_int8(&mut self, v: Option<i64>) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.opt_int8(v),
        }
    }

    pub(crate) fn int4(&mut self, v: i32) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.int4(v),
        }
    }

    pub(crate) fn time(&mut self, t: chrono::DateTime<chrono::Utc>) {
        match self {
            RowOut::Bind(q) => push(q, t.timestamp()),
            RowOut::Copy(c) => c.timestamp(t),
        }
    }

    pub(crate) fn opt_time(&mut self, t: Option<chrono::DateTime<chrono::Utc>>) {
        match self {
            RowOut::Bind(q) => push(q, t.map(|t| t.timestamp())),
            RowOut::Copy(c) => c.opt_timestamp(t),
        }
    }

    pub(crate) fn boolean(&mut self, v: bool) {
        match self {
            RowOut::Bind(q) => push(q, v),
            RowOut::Copy(c) => c.boolean(v),
        }
    }

    /// A time in a column kept as every other table keeps times (text on SQLite, not
    /// the shipments' Unix seconds).
    pub(crate) fn opt_stamp(&mut self, t: Option<chrono::DateTime<chrono::Utc>>) {
        match self {
            RowOut::Bind(q) => push(q, t),
            RowOut::Copy(c) => c.opt_timestamp(t),
        }
    }
}

impl BulkTxn {
    /// Inserts new rows into `table`: `columns` names the `n_bound` values `encode` gives
    /// each row, then the constants. SQLite: multi-row statements of a few fixed sizes,
    /// each bound while the one before runs; PostgreSQL: one binary `COPY`.
    pub(crate) async fn insert_new<R: Sync>(
        &self,
        table: &str,
        columns: &str,
        n_bound: usize,
        constants: &[Constant],
        rows: &[&R],
        encode: impl for<'q> Fn(&'q R, &mut RowOut<'q, '_>),
    ) -> crate::Result<()> {
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => {
                let chunks = pieces(rows);
                let sqls = statement_texts(&chunks, |n| {
                    insert_sql(DbBackend::Sqlite, table, columns, n_bound, constants, n)
                });
                run_pipelined(&mut *t, chunks.len(), |i| {
                    let chunk = chunks[i];
                    let mut q = Some(sqlx::query(sqls[&chunk.len()].as_str()));
                    for w in chunk {
                        encode(w, &mut RowOut::Bind(&mut q));
                    }
                    q.expect("a query")
                })
                .await
            }
            BulkConn::Postgres(t) => {
                if rows.is_empty() {
                    return Ok(());
                }
                let fields = (n_bound + constants.len()) as i16;
                copy_binary(
                    t,
                    &format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)"),
                    rows,
                    |out, w| {
                        out.row(fields);
                        encode(w, &mut RowOut::Copy(out));
                        for c in constants {
                            match *c {
                                Constant::OptInt8(v) => out.opt_int8(v),
                                Constant::Time(t) => out.timestamp(t),
                            }
                        }
                    },
                )
                .await?;
                Ok(())
            }
        }
    }

    /// Adds per-(customer, day or month) figures to a rollup table (`key`: its day or
    /// month column): multi-row upserts with values bound directly (SQLite), or `COPY`
    /// into a temporary table and one upsert from it (PostgreSQL).
    pub(crate) async fn add_to_rollup(
        &self,
        table: &str,
        key: &str,
        rows: &[((i64, i32), &DayFigures)],
    ) -> crate::Result<()> {
        match &mut *self.lock().await {
            BulkConn::Sqlite(t) => sqlite_upsert_add(t, table, key, rows).await,
            BulkConn::Postgres(t) => pg_upsert_add(t, table, key, rows).await,
        }
    }

    /// `select` (a `SELECT` without `WHERE`) of the rows whose `column` is one of
    /// `values`, in one statement (`= ANY` of an array) on PostgreSQL; None on SQLite,
    /// where the caller reads them in pieces.
    pub(crate) async fn select_any(
        &self,
        select: &str,
        column: &str,
        values: &[&str],
    ) -> crate::Result<Option<Vec<QueryResult>>> {
        match &mut *self.lock().await {
            BulkConn::Postgres(t) => {
                let rows = sqlx::query(&format!("{select} WHERE {column} = ANY($1)"))
                    .bind(values)
                    .fetch_all(&mut **t)
                    .await
                    .map_err(exec_err)?;
                Ok(Some(rows.into_iter().map(QueryResult::from).collect()))
            }
            BulkConn::Sqlite(_) => Ok(None),
        }
    }
}

pub(crate) async fn sqlite_upsert_add(
    t: &mut sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Sqlite>,
    table: &str,
    key: &str,
    rows: &[((i64, i32), &DayFigures)],
) -> crate::Result<()> {
    let chunks = pieces(rows);
    let sqls = statement_texts(&chunks, |n| {
        rollup_upsert_sql(DbBackend::Sqlite, table, key, n)
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
) -> crate::Result<()> {
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
) -> crate::Result<()> {
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

/// The bulk writer's transaction under `conn`, if it is one (it then takes new rows by
/// `insert_new`: `COPY` on PostgreSQL, bound multi-row statements on SQLite).
pub fn bulk_of<C: ConnectionTrait + std::any::Any>(conn: &C) -> Option<&BulkTxn> {
    (conn as &dyn std::any::Any).downcast_ref::<BulkTxn>()
}

use crate::db::TAKE_WRITE_LOCK;
use crate::StoreError;
use sea_orm::DatabaseConnection;

impl crate::Db {
    /// Begins a bulk writer's transaction (see [`crate::bulk`]); call it on the handle
    /// [`Db::bulk`] returns.
    pub async fn begin_bulk(&self) -> crate::Result<BulkTxn> {
        let gate = self.write_turn().await;
        let conn = match &self.conn {
            DatabaseConnection::SqlxSqlitePoolConnection(_) => {
                let mut t = self
                    .conn
                    .get_sqlite_connection_pool()
                    .begin()
                    .await
                    .map_err(exec_err)?;
                sea_orm::sqlx::query(TAKE_WRITE_LOCK)
                    .execute(&mut *t)
                    .await
                    .map_err(exec_err)?;
                BulkConn::Sqlite(t)
            }
            DatabaseConnection::SqlxPostgresPoolConnection(_) => BulkConn::Postgres(
                self.conn
                    .get_postgres_connection_pool()
                    .begin()
                    .await
                    .map_err(exec_err)?,
            ),
            _ => {
                return Err(StoreError::Other(
                    "no bulk writes on this connection".into(),
                ))
            }
        };
        Ok(BulkTxn::new(conn, gate))
    }
}

#[cfg(test)]
mod tests {
    use super::BinaryCopy;
    use chrono::TimeZone;

    #[test]
    fn binary_copy_writes_the_header_values_and_trailer_postgresql_reads() {
        let mut c = BinaryCopy::new(0);
        c.row(4);
        c.text("上海");
        c.int8(-2);
        c.opt_int8(None);
        c.timestamp(chrono::Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 1).unwrap());
        let mut want = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0".to_vec();
        want.extend_from_slice(&[0, 4]);
        want.extend_from_slice(&[0, 0, 0, 6]);
        want.extend_from_slice("上海".as_bytes());
        want.extend_from_slice(&[0, 0, 0, 8, 255, 255, 255, 255, 255, 255, 255, 254]);
        want.extend_from_slice(&[255, 255, 255, 255]);
        want.extend_from_slice(&[0, 0, 0, 8, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40]);
        want.extend_from_slice(&[255, 255]);
        assert_eq!(c.finish(), want.as_slice());
    }
}
