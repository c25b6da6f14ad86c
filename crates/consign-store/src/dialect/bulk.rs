//! The bulk-load dialect (ARCHITECTURE: plain sqlx only here): a write transaction of a
//! bulk writer (an import) held as a plain sqlx transaction, so that its hot statements
//! skip SeaORM's value boxing and copying — shipments and rollups go in as multi-row
//! statements with borrowed values on SQLite and through `COPY … FROM STDIN` on
//! PostgreSQL — while everything else the writer does in the same transaction (customer
//! look-ups, prospects, bad rows, run counts) goes through [`ConnectionTrait`] as usual.

use sea_orm::sqlx::{self, postgres::Postgres, sqlite::Sqlite, Transaction};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement, Values,
};
use sea_query_binder::SqlxValues;
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

/// New search keys (customer, key) by binary `COPY` (PostgreSQL).
pub(crate) async fn copy_search_keys(txn: &BulkTxn, keys: &[(i64, &str)]) -> crate::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut conn = txn.lock().await;
    let BulkConn::Postgres(t) = &mut *conn else {
        return Err(crate::StoreError::Other("COPY is PostgreSQL's".into()));
    };
    copy_binary(
        t,
        "COPY search_keys (key, customer_id) FROM STDIN (FORMAT binary)",
        keys,
        |out, (id, k)| {
            out.row(2);
            out.text(k);
            out.int8(*id);
        },
    )
    .await?;
    Ok(())
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

/// The bulk writer's transaction under `conn` when it can take rows by `COPY`
/// (PostgreSQL); None otherwise (another connection, or SQLite).
pub fn copying<C: ConnectionTrait + std::any::Any>(conn: &C) -> Option<&BulkTxn> {
    (conn as &dyn std::any::Any)
        .downcast_ref::<BulkTxn>()
        .filter(|t| t.get_database_backend() == DbBackend::Postgres)
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
