//! What differs between SQLite and PostgreSQL, reached through methods on [`Db`] so that
//! no code above the store branches on the backend (scripts/layout-check.sh keeps it so).

use crate::db::{Backend, Db};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use consign_domain::shipment::DayFigures;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use std::path::{Path, PathBuf};

pub mod bulk;
pub mod db;

/// Rows per multi-row statement: 23 values a row stays well under SQLite's 32,766 and
/// PostgreSQL's 65,535 bound parameters.
pub const ROWS_PER_STATEMENT: usize = 500;

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

/// `sql` written with `?` placeholders, in the backend's spelling: PostgreSQL numbers
/// them (`$1`, `$2`, …). The SQL must hold no `?` of its own (no string literal with one).
pub fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds a statement from SQL written with `?` placeholders. The one place where
/// hand-written SQL meets values.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// A condition written in SQL with `?` placeholders and its values, for a query built
/// with sea-query: the values stay bound parameters.
pub fn cust(backend: DbBackend, sql: &str, values: Vec<Value>) -> SimpleExpr {
    Expr::cust_with_values(placeholders(backend, sql), values)
}

/// The file of an SQLite database URL (`sqlite://path?mode=rwc`, `sqlite:path`, or a
/// plain path); None for PostgreSQL.
pub fn sqlite_file(url: &str) -> Option<&str> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    Some(path.split('?').next().unwrap_or(path))
}

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

/// A shipment's time as its table stores it: Unix seconds on SQLite (see migration
/// m0006), TIMESTAMPTZ on PostgreSQL; to the second on both.
pub(crate) fn shipment_ts(backend: sea_orm::DbBackend, t: Option<DateTime<Utc>>) -> Value {
    if backend == sea_orm::DbBackend::Sqlite {
        Value::BigInt(t.map(|t| t.timestamp()))
    } else {
        Value::ChronoDateTimeUtc(t.map(|t| Box::new(consign_domain::shipment::whole_seconds(t))))
    }
}

/// A scalar subquery: the values of `expr` over the rows of `from` (a table and its
/// condition), ordered by `order`, joined by U+001F (which no user text holds).
pub(crate) fn separated_list(backend: DbBackend, expr: &str, from: &str, order: &str) -> String {
    if backend == DbBackend::Postgres {
        format!("(SELECT string_agg({expr}, chr(31) ORDER BY {order}) FROM {from})")
    } else {
        format!(
            "(SELECT group_concat(v, char(31)) FROM (SELECT {expr} AS v FROM {from} ORDER BY {order}))"
        )
    }
}

/// A scalar subquery: a JSON array (as text) of one object per row of `from` (a table,
/// its condition and its own order or limit, read as `k`), built from `fields` (`'key',
/// k.column, …`) in the order `order`.
pub(crate) fn json_objects(backend: DbBackend, fields: &str, from: &str, order: &str) -> String {
    if backend == DbBackend::Postgres {
        format!(
            "(SELECT json_agg(json_build_object({fields}) ORDER BY {order})::text FROM (SELECT * FROM {from}) k)"
        )
    } else {
        format!("(SELECT json_group_array(json_object({fields})) FROM (SELECT * FROM {from}) k)")
    }
}

/// What a `SELECT` of one row ends with to lock that row until the transaction ends
/// (PostgreSQL); SQLite's write transaction holds the whole database already.
pub(crate) fn lock_row(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => " FOR UPDATE",
        _ => "",
    }
}

/// The statement that keeps a table's rows from changing until the transaction ends
/// (PostgreSQL: other writers wait; SQLite's write transaction holds the whole database
/// already, so nothing).
pub(crate) fn hold_table(backend: DbBackend, table: &str) -> Option<String> {
    match backend {
        DbBackend::Postgres => Some(format!("LOCK TABLE {table} IN SHARE MODE")),
        _ => None,
    }
}

/// Spells a migration's portable placeholders (see [`crate::migrations`]) for one backend.
pub fn schema_sql(sql: &str, backend: DbBackend) -> String {
    let (id, ts, boolean, bin, without_rowid, blob) = match backend {
        DbBackend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "TIMESTAMPTZ",
            "BOOLEAN",
            "COLLATE \"C\"",
            "",
            "BYTEA",
        ),
        _ => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "TEXT",
            "BOOLEAN",
            "",
            " WITHOUT ROWID",
            "BLOB",
        ),
    };
    // A plain rowid key (no AUTOINCREMENT bookkeeping on every insert) for tables that
    // take bulk loads.
    let rowid = match backend {
        DbBackend::Postgres => id,
        _ => "INTEGER PRIMARY KEY",
    };
    sql.replace("{without_rowid}", without_rowid)
        .replace("{rowid}", rowid)
        .replace("{id}", id)
        .replace("{ts}", ts)
        .replace("{bool}", boolean)
        .replace("{bin}", bin)
        .replace("{blob}", blob)
}

/// The script of a migration written once per database (see [`crate::migrations`]) that
/// runs on this backend.
pub(crate) fn script<'a>(backend: DbBackend, sqlite: &'a str, postgres: &'a str) -> &'a str {
    if backend == DbBackend::Postgres {
        postgres
    } else {
        sqlite
    }
}

/// A value the same for every row of a multi-row insert (the import run, the time of
/// the write): spelled once in the statement's text on SQLite, written with every row by
/// `COPY` on PostgreSQL.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Constant {
    OptInt8(Option<i64>),
    /// A time in a table that stores times as Unix seconds on SQLite (shipments, m0006).
    Time(DateTime<Utc>),
}

impl Constant {
    fn literal(self, backend: DbBackend) -> String {
        match self {
            Constant::OptInt8(v) => v.map_or_else(|| "NULL".to_string(), |v| v.to_string()),
            Constant::Time(t) if backend == DbBackend::Sqlite => t.timestamp().to_string(),
            Constant::Time(t) => format!("'{}'", t.format("%Y-%m-%dT%H:%M:%SZ")),
        }
    }
}

/// `INSERT … INTO table (columns) VALUES` for `n` rows: `n_bound` values bound a row,
/// then the constants as literals (`columns` names both, in that order).
pub(crate) fn insert_sql(
    backend: DbBackend,
    table: &str,
    columns: &str,
    n_bound: usize,
    constants: &[Constant],
    n: usize,
) -> String {
    let mut row = String::from("(");
    row.push_str(&vec!["?"; n_bound].join(","));
    for c in constants {
        row.push(',');
        row.push_str(&c.literal(backend));
    }
    row.push(')');
    let mut sql = String::with_capacity(64 + n * (row.len() + 1));
    sql.push_str(insert_into(backend));
    sql.push(' ');
    sql.push_str(table);
    sql.push_str(" (");
    sql.push_str(columns);
    sql.push_str(") VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql
}

/// `col = table.col + excluded.col, …` for every figure.
pub(crate) fn add_set(table: &str) -> String {
    DayFigures::COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
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

impl Db {
    /// SQLite's `PRAGMA integrity_check` answer ("ok" when sound); PostgreSQL checks its
    /// pages itself and answers "ok".
    pub async fn integrity_check(&self) -> Result<String> {
        if self.backend != Backend::Sqlite {
            return Ok("ok".into());
        }
        let row = self
            .conn
            .query_one(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await?;
        Ok(row
            .and_then(|r| r.try_get_by_index(0).ok())
            .unwrap_or_default())
    }

    /// Moves what the write-ahead log holds into the database file and empties the log
    /// (after a bulk write; SQLite).
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            self.conn
                .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
        }
        Ok(())
    }

    /// Refreshes the planner's statistics where they are stale (SQLite: a bounded
    /// `PRAGMA optimize`; PostgreSQL's autovacuum does this by itself). Without them
    /// SQLite picks poor indexes for filtered lists.
    pub async fn optimize(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            self.conn
                .execute_unprepared("PRAGMA analysis_limit=1000")
                .await?;
            self.conn
                .execute_unprepared("PRAGMA optimize=0x10002")
                .await?;
        }
        Ok(())
    }

    /// A consistent online copy of an SQLite database (`VACUUM INTO`).
    pub async fn sqlite_backup_to(&self, dest: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Other("not an SQLite database".into()));
        }
        let d = dest.to_string_lossy().replace('\'', "''");
        self.conn
            .execute_unprepared(&format!("VACUUM INTO '{d}'"))
            .await?;
        Ok(())
    }

    /// Whether write transactions can commit side by side: on PostgreSQL each has a
    /// connection of its own; SQLite has one writer.
    pub fn parallel_writers(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// A consistent copy of the live database in `dir`, named after `stamp`: SQLite
    /// `VACUUM INTO` (`.db`); PostgreSQL `pg_dump --format=custom` of `url` (`.pgdump`,
    /// the client must be installed).
    pub async fn dump_into(&self, url: &str, dir: &Path, stamp: &str) -> Result<PathBuf> {
        match self.backend {
            Backend::Postgres => {
                let out = dir.join(format!("consign-{stamp}.pgdump"));
                let status = tokio::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg(format!("--file={}", out.display()))
                    .arg(url)
                    .status()
                    .await
                    .map_err(|e| {
                        StoreError::Other(format!(
                            "pg_dump: {e} (is the PostgreSQL client installed?)"
                        ))
                    })?;
                if !status.success() {
                    return Err(StoreError::Other(format!("pg_dump failed: {status}")));
                }
                Ok(out)
            }
            Backend::Sqlite => {
                let out = dir.join(format!("consign-{stamp}.db"));
                if out.exists() {
                    return Err(StoreError::Other(format!("{} exists", out.display())));
                }
                self.sqlite_backup_to(&out).await?;
                Ok(out)
            }
        }
    }
}

/// PostgreSQL: refreshes the planner's statistics of `tables` inside the caller's
/// transaction (they then count its own new rows). A bulk writer that has grown a table
/// from nearly empty calls it: planned from the old statistics, the look-ups of its next
/// batch walked whole tables (17 s instead of 20 ms for a customers import's name keys).
/// A no-op on SQLite, whose queries that need it say their join order.
pub async fn refresh_statistics<C: ConnectionTrait>(
    conn: &C,
    tables: &[&str],
) -> crate::Result<()> {
    if conn.get_database_backend() == DbBackend::Postgres && !tables.is_empty() {
        conn.execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_of_urls() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/consign/consign.db?mode=rwc"),
            Some("/var/lib/consign/consign.db")
        );
        assert_eq!(sqlite_file("sqlite:data/c.db"), Some("data/c.db"));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
        assert_eq!(sqlite_file("postgresql://u@h/db"), None);
    }
}
