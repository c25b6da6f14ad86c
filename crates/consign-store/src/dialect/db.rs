//! Connecting: an SQLite file (WAL, foreign keys on) or PostgreSQL from the URL.

use crate::{Result, StoreError};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, Statement, TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The application's database handle.
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    pub backend: Backend,
    /// The SQLite file, when the backend is SQLite (for backups).
    pub sqlite_path: Option<std::path::PathBuf>,
    /// SQLite has one writer: write transactions of this process queue here instead of
    /// failing with SQLITE_BUSY when two deferred transactions try to upgrade at once.
    write_gate: Option<Arc<Mutex<()>>>,
}

/// A write transaction (holding the SQLite write gate while it lives).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<()> {
        self.txn.commit().await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one(stmt).await
    }
    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all(stmt).await
    }
}

impl Db {
    /// Connects to `url`: `postgres://…`, `sqlite://path` or a plain file path.
    /// `schema` selects a PostgreSQL schema (tests use one per test).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Db> {
        Self::connect_mapped(url, schema, SERVING_MMAP_BYTES).await
    }

    /// As [`Db::connect`], with up to `mmap_bytes` of an SQLite file read through a
    /// memory map by the shared connections (0: none).
    pub async fn connect_mapped(url: &str, schema: Option<&str>, mmap_bytes: u64) -> Result<Db> {
        let Some(path) = crate::dialect::sqlite_file(url) else {
            let mut opt = ConnectOptions::new(url.to_string());
            opt.max_connections(16)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            if let Some(s) = schema {
                opt.set_schema_search_path(s.to_string());
            }
            let conn = Database::connect(opt).await?;
            return Ok(Db {
                conn,
                backend: Backend::Postgres,
                sqlite_path: None,
                write_gate: None,
            });
        };
        if path.is_empty() {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| StoreError::Other(format!("{}: {e}", parent.display())))?;
            }
        }
        let conn =
            Database::connect(sqlite_options(path, 4, 4_000, 4_000, true, mmap_bytes)).await?;
        Ok(Db {
            conn,
            backend: Backend::Sqlite,
            sqlite_path: Some(std::path::PathBuf::from(path)),
            write_gate: Some(Arc::new(Mutex::new(()))),
        })
    }

    /// This process's turn to write (SQLite; nothing to wait for on PostgreSQL).
    pub(crate) async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        }
    }

    /// Begins a transaction that will write.
    pub async fn begin_write(&self) -> Result<WriteTxn> {
        let gate = self.write_turn().await;
        let txn = self.conn.begin().await?;
        if gate.is_some() {
            txn.execute_unprepared(TAKE_WRITE_LOCK).await?;
        }
        Ok(WriteTxn { txn, _gate: gate })
    }

    /// A handle for one bulk writer (an import): on SQLite, one connection of its own with
    /// a 16 MB page cache (the indexes a large import touches) and a checkpoint only every
    /// 50,000 pages of log (about 200 MB; each checkpoint copies and syncs the pages just
    /// written; see [`Db::checkpoint`]), sharing this handle's write gate; dropped, it
    /// frees its cache.
    /// Foreign keys are not checked on it: a bulk writer resolves every reference itself
    /// under the write gate (an import looks up each customer code), and the checks were
    /// a tenth of an import's time.
    /// On PostgreSQL, this handle.
    pub async fn bulk(&self) -> Result<Db> {
        let Some(path) = &self.sqlite_path else {
            return Ok(self.clone());
        };
        let path = path.to_string_lossy().into_owned();
        let conn = Database::connect(sqlite_options(&path, 1, 16_000, 50_000, false, 0)).await?;
        Ok(Db {
            conn,
            backend: self.backend,
            sqlite_path: self.sqlite_path.clone(),
            write_gate: self.write_gate.clone(),
        })
    }

    pub fn db_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }
}

/// Takes SQLite's write lock at the start of a transaction, before its first read (as
/// `BEGIN IMMEDIATE` would): a deferred transaction that reads and then writes fails at
/// once with SQLITE_BUSY when a write outside the gate (a token's last-use stamp, say)
/// landed in between; taking the lock first waits for it instead.
pub(crate) const TAKE_WRITE_LOCK: &str = "DELETE FROM settings WHERE 0";

/// How much of the database file the shared connections read through a memory map
/// (SQLite's `mmap_size`): the pages a list visits are then the operating system's cached
/// file pages, shared by every connection, instead of a `pread` into each connection's
/// own small cache. Measured on a million tickets: a scoped ticket count took 25 ms with
/// reads (most of it in the system calls), about a quarter of that mapped. The bulk writer
/// does not map (its pages are written, and its memory stays what it is measured as).
/// The default of `sqlite_mmap_mib`.
pub const SERVING_MMAP_BYTES: u64 = 2 << 30;

/// SQLite connection options: WAL, foreign keys, a page cache of `cache_kib` per
/// connection, a checkpoint every `checkpoint_pages` pages of log (0: never by itself),
/// up to `mmap_bytes` of the file read through a memory map.
fn sqlite_options(
    path: &str,
    connections: u32,
    cache_kib: u32,
    checkpoint_pages: u32,
    foreign_keys: bool,
    mmap_bytes: u64,
) -> ConnectOptions {
    let mut opt = ConnectOptions::new(format!("sqlite://{path}?mode=rwc"));
    opt.max_connections(connections)
        .min_connections(1)
        // A local file cannot drop a connection: skip the ping round trip to the
        // connection's worker thread that sqlx otherwise makes on every acquire.
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(foreign_keys)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", format!("-{cache_kib}"))
                .pragma("temp_store", "memory")
                .pragma("mmap_size", mmap_bytes.to_string())
                .pragma("wal_autocheckpoint", checkpoint_pages.to_string())
                // Searches inline their keys and batch inserts vary in length, so
                // most statement texts are seen once: a small cache keeps the hot
                // ones without holding hundreds of prepared statements per connection.
                .statement_cache_capacity(24)
        });
    opt
}
