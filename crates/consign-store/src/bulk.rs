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

/// Text of one `COPY … FROM STDIN` field (PostgreSQL's text format): backslash, tab and
/// line breaks escaped.
pub(crate) fn copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        let mut s = String::new();
        super::copy_text(&mut s, "a\tb\\c\nd\re 上海");
        assert_eq!(s, "a\\tb\\\\c\\nd\\re 上海");
    }
}
