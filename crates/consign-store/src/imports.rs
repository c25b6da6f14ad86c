//! Import runs, their bad rows, and saved import profiles.

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult, Value};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ImportCounts)]
pub struct Counts {
    pub rows_read: i64,
    pub rows_new: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub rows_bad: i64,
    pub prospects_created: i64,
}

#[derive(Debug, Clone)]
pub struct ImportRun {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub user_id: Option<i64>,
    pub status: String,
    pub options: String,
    pub counts: Counts,
    pub message: String,
    /// What the run noticed but did not refuse, as JSON (the app's `RunNotes`).
    pub notes: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One bad row (or a whole-file problem, row 0), with the message key of its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row_no: i64,
    pub column: String,
    pub cell: String,
    pub reason_key: String,
    pub reason_arg: String,
}

fn parse_run(r: &QueryResult) -> Result<ImportRun> {
    Ok(ImportRun {
        id: r.try_get("", "id")?,
        kind: r.try_get("", "kind")?,
        file_name: r.try_get("", "file_name")?,
        user_id: r.try_get("", "user_id")?,
        status: r.try_get("", "status")?,
        options: r.try_get("", "options")?,
        counts: Counts {
            rows_read: r.try_get("", "rows_read")?,
            rows_new: r.try_get("", "rows_new")?,
            rows_updated: r.try_get("", "rows_updated")?,
            rows_unchanged: r.try_get("", "rows_unchanged")?,
            rows_bad: r.try_get("", "rows_bad")?,
            prospects_created: r.try_get("", "prospects_created")?,
        },
        message: r.try_get("", "message")?,
        notes: r.try_get("", "notes")?,
        started_at: r.try_get("", "started_at")?,
        updated_at: r.try_get("", "updated_at")?,
        finished_at: r.try_get("", "finished_at")?,
    })
}

pub async fn start<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
    file_name: &str,
    user_id: Option<i64>,
    options: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let backend = conn.get_database_backend();
    let r = conn
        .query_one(stmt(
            backend,
            "INSERT INTO import_runs (kind, file_name, user_id, status, options, started_at, updated_at) \
             VALUES (?, ?, ?, 'running', ?, ?, ?) RETURNING id",
            vec![
                kind.into(),
                file_name.into(),
                user_id.into(),
                options.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    Ok(r.try_get("", "id")?)
}

/// Records progress (call in the transaction that wrote the rows it counts, so that the
/// counts of a killed run match what it wrote).
pub async fn progress<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    c: &Counts,
    now: DateTime<Utc>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "UPDATE import_runs SET rows_read = ?, rows_new = ?, rows_updated = ?, rows_unchanged = ?, \
         rows_bad = ?, prospects_created = ?, updated_at = ? WHERE id = ?",
        vec![
            c.rows_read.into(),
            c.rows_new.into(),
            c.rows_updated.into(),
            c.rows_unchanged.into(),
            c.rows_bad.into(),
            c.prospects_created.into(),
            now.into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The arguments of a run's errors with one reason (for summing them up).
pub async fn error_args<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    reason_key: &str,
) -> Result<Vec<String>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT reason_arg FROM import_errors WHERE run_id = ? AND reason_key = ?",
        vec![run_id.into(), reason_key.into()],
    ))
    .await?
    .iter()
    .map(|r| Ok(r.try_get("", "reason_arg")?))
    .collect()
}

/// Stores what a run noticed but did not refuse (JSON).
pub async fn set_notes<C: ConnectionTrait>(conn: &C, id: i64, notes: &str) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "UPDATE import_runs SET notes = ? WHERE id = ?",
        vec![notes.into(), id.into()],
    ))
    .await?;
    Ok(())
}

pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "UPDATE import_runs SET status = ?, message = ?, updated_at = ?, finished_at = ? WHERE id = ?",
        vec![
            status.into(),
            message.into(),
            now.into(),
            now.into(),
            id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Marks runs that stopped reporting progress before `stale_before` as interrupted (their
/// process died); returns how many.
pub async fn mark_interrupted<C: ConnectionTrait>(
    conn: &C,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute(stmt(
            backend,
            "UPDATE import_runs SET status = 'interrupted', finished_at = ? \
             WHERE status = 'running' AND updated_at < ?",
            vec![now.into(), stale_before.into()],
        ))
        .await?;
    Ok(r.rows_affected())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<ImportRun>> {
    let backend = conn.get_database_backend();
    match conn
        .query_one(stmt(
            backend,
            "SELECT * FROM import_runs WHERE id = ?",
            vec![id.into()],
        ))
        .await?
    {
        Some(r) => Ok(Some(parse_run(&r)?)),
        None => Ok(None),
    }
}

pub async fn recent<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<ImportRun>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT * FROM import_runs ORDER BY id DESC LIMIT ?",
        vec![(limit as i64).into()],
    ))
    .await?
    .iter()
    .map(parse_run)
    .collect()
}

/// What the list of runs shows: a kind, a status, who started them; newest first.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub user_id: Option<i64>,
    pub offset: u64,
    pub limit: u64,
}

/// A page of runs with the name of who started each, and how many match.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &RunFilter,
) -> Result<(Vec<(ImportRun, Option<String>)>, u64)> {
    let backend = conn.get_database_backend();
    let mut cond = String::from(" WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    if let Some(k) = &f.kind {
        cond.push_str(" AND r.kind = ?");
        values.push(k.clone().into());
    }
    if let Some(s) = &f.status {
        cond.push_str(" AND r.status = ?");
        values.push(s.clone().into());
    }
    if let Some(u) = f.user_id {
        cond.push_str(" AND r.user_id = ?");
        values.push(u.into());
    }
    let total: i64 = conn
        .query_one(stmt(
            backend,
            &format!("SELECT COUNT(*) AS n FROM import_runs r{cond}"),
            values.clone(),
        ))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    values.push((f.limit as i64).into());
    values.push((f.offset as i64).into());
    let rows = conn
        .query_all(stmt(
            backend,
            &format!(
                "SELECT r.*, u.display_name AS user_name FROM import_runs r \
                 LEFT JOIN users u ON u.id = r.user_id{cond} ORDER BY r.id DESC LIMIT ? OFFSET ?"
            ),
            values,
        ))
        .await?
        .iter()
        .map(|r| Ok((parse_run(r)?, r.try_get("", "user_name")?)))
        .collect::<Result<Vec<_>>>()?;
    Ok((rows, total.max(0) as u64))
}

pub async fn add_errors<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    errs: &[RowError],
) -> Result<()> {
    let backend = conn.get_database_backend();
    for chunk in crate::dialect::pieces(errs) {
        let mut sql = String::from(
            "INSERT INTO import_errors (run_id, row_no, column_name, cell, reason_key, reason_arg) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
        for (i, e) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?)");
            values.extend([
                run_id.into(),
                e.row_no.into(),
                e.column.as_str().into(),
                e.cell.as_str().into(),
                e.reason_key.as_str().into(),
                e.reason_arg.as_str().into(),
            ]);
        }
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    Ok(())
}

/// A page of a run's bad rows in file order, after row `after_row`.
pub async fn errors<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    after_id: i64,
    limit: u64,
) -> Result<Vec<(i64, RowError)>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT id, row_no, column_name, cell, reason_key, reason_arg FROM import_errors \
         WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
        vec![run_id.into(), after_id.into(), (limit as i64).into()],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("", "id")?,
            RowError {
                row_no: r.try_get("", "row_no")?,
                column: r.try_get("", "column_name")?,
                cell: r.try_get("", "cell")?,
                reason_key: r.try_get("", "reason_key")?,
                reason_arg: r.try_get("", "reason_arg")?,
            },
        ))
    })
    .collect()
}

/// A saved import profile's spec (JSON), by name.
pub async fn profile<C: ConnectionTrait>(conn: &C, name: &str) -> Result<Option<(String, String)>> {
    let backend = conn.get_database_backend();
    match conn
        .query_one(stmt(
            backend,
            "SELECT kind, spec FROM import_profiles WHERE name = ?",
            vec![name.into()],
        ))
        .await?
    {
        Some(r) => Ok(Some((r.try_get("", "kind")?, r.try_get("", "spec")?))),
        None => Ok(None),
    }
}

pub async fn save_profile<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    kind: &str,
    spec: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "INSERT INTO import_profiles (name, kind, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, spec = excluded.spec, updated_at = excluded.updated_at",
        vec![name.into(), kind.into(), spec.into(), now.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// The saved profiles of one kind, with their specs, by name.
pub async fn profile_specs<C: ConnectionTrait>(
    conn: &C,
    kind: &str,
) -> Result<Vec<(String, String)>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT name, spec FROM import_profiles WHERE kind = ? ORDER BY name",
        vec![kind.into()],
    ))
    .await?
    .iter()
    .map(|r| Ok((r.try_get("", "name")?, r.try_get("", "spec")?)))
    .collect()
}

pub async fn profiles<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, String)>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT name, kind FROM import_profiles ORDER BY name",
        vec![],
    ))
    .await?
    .iter()
    .map(|r| Ok((r.try_get("", "name")?, r.try_get("", "kind")?)))
    .collect()
}

/// Deletes the bad rows of runs that ended before `before` (the runs themselves, with
/// their counts, stay); returns how many rows went.
pub async fn purge_errors<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    let backend = conn.get_database_backend();
    let r = conn
        .execute(stmt(
            backend,
            "DELETE FROM import_errors WHERE run_id IN \
             (SELECT id FROM import_runs WHERE finished_at IS NOT NULL AND finished_at < ?)",
            vec![before.into()],
        ))
        .await?;
    Ok(r.rows_affected())
}

/// The latest refusal of each of these customer codes by a customers import as a likely
/// duplicate: code → (run id, the refusal's argument).
pub async fn refused_as_duplicates<C: ConnectionTrait>(
    conn: &C,
    codes: &[&str],
) -> Result<std::collections::HashMap<String, (i64, String)>> {
    let backend = conn.get_database_backend();
    let mut out = std::collections::HashMap::new();
    for chunk in crate::dialect::pieces(codes) {
        let sql = format!(
            "SELECT e.cell, e.run_id, e.reason_arg FROM import_errors e \
             JOIN import_runs r ON r.id = e.run_id \
             WHERE e.reason_key = 'err.import_duplicate' AND e.cell IN ({}) AND r.kind = 'customers' \
             ORDER BY e.id",
            vec!["?"; chunk.len()].join(",")
        );
        let values = chunk.iter().map(|c| (*c).into()).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            out.insert(
                r.try_get::<String>("", "cell")?,
                (
                    r.try_get::<i64>("", "run_id")?,
                    r.try_get::<String>("", "reason_arg")?,
                ),
            );
        }
    }
    Ok(out)
}
