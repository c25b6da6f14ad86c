//! Saved views and column choices of the lists.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};

/// A saved view as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub user_id: i64,
    pub owner_name: String,
    pub org_unit_id: i64,
    pub list: String,
    pub name: String,
    /// The list's query string (filters and sort), without a page.
    pub query: String,
    /// Column keys, comma-separated.
    pub columns: String,
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

/// A new view.
pub struct NewView<'a> {
    pub user_id: i64,
    pub org_unit_id: i64,
    pub list: &'a str,
    pub name: &'a str,
    pub query: &'a str,
    pub columns: &'a str,
    pub shared: bool,
    pub now: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT v.id, v.user_id, u.display_name AS owner_name, v.org_unit_id, v.list, \
    v.name, v.query, v.columns, v.shared, v.created_at \
    FROM saved_views v JOIN users u ON u.id = v.user_id";

fn row(r: &QueryResult) -> Result<SavedView> {
    Ok(SavedView {
        id: r.try_get("", "id")?,
        user_id: r.try_get("", "user_id")?,
        owner_name: r.try_get("", "owner_name")?,
        org_unit_id: r.try_get("", "org_unit_id")?,
        list: r.try_get("", "list")?,
        name: r.try_get("", "name")?,
        query: r.try_get("", "query")?,
        columns: r.try_get("", "columns")?,
        shared: r.try_get("", "shared")?,
        created_at: r.try_get("", "created_at")?,
    })
}

/// The views of a list a user sees: its own, then those its team shares, by name.
pub async fn visible<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    org_unit_id: i64,
    list: &str,
) -> Result<Vec<SavedView>> {
    let sql = format!(
        "{SELECT} WHERE v.list = ? AND (v.user_id = ? OR (v.shared = TRUE AND v.org_unit_id = ?)) \
         ORDER BY CASE WHEN v.user_id = ? THEN 0 ELSE 1 END, v.name, v.id"
    );
    conn.query_all(stmt(
        conn.get_database_backend(),
        &sql,
        vec![
            list.into(),
            user_id.into(),
            org_unit_id.into(),
            user_id.into(),
        ],
    ))
    .await?
    .iter()
    .map(row)
    .collect()
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<SavedView>> {
    let sql = format!("{SELECT} WHERE v.id = ?");
    conn.query_one(stmt(conn.get_database_backend(), &sql, vec![id.into()]))
        .await?
        .map(|r| row(&r))
        .transpose()
}

/// Stores a view; `StoreError::Unique` when its owner already has one of that name.
pub async fn insert<C: ConnectionTrait>(conn: &C, v: &NewView<'_>) -> Result<i64> {
    let r = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "INSERT INTO saved_views (user_id, org_unit_id, list, name, query, columns, shared, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                v.user_id.into(),
                v.org_unit_id.into(),
                v.list.into(),
                v.name.into(),
                v.query.into(),
                v.columns.into(),
                v.shared.into(),
                v.now.into(),
            ],
        ))
        .await
        .map_err(StoreError::from_db)?;
    match r {
        Some(r) => Ok(r.try_get("", "id")?),
        None => Err(StoreError::NotFound),
    }
}

pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "DELETE FROM saved_views WHERE id = ?",
            vec![id.into()],
        ))
        .await?
        .rows_affected()
        > 0)
}

/// A user's columns for a list (comma-separated keys), if it chose them.
pub async fn columns<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    list: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT columns FROM list_columns WHERE user_id = ? AND list = ?",
            vec![user_id.into(), list.into()],
        ))
        .await?
        .map(|r| r.try_get("", "columns"))
        .transpose()?)
}

pub async fn set_columns<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    list: &str,
    columns: &str,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "INSERT INTO list_columns (user_id, list, columns) VALUES (?, ?, ?) \
         ON CONFLICT (user_id, list) DO UPDATE SET columns = excluded.columns",
        vec![user_id.into(), list.into(), columns.into()],
    ))
    .await?;
    Ok(())
}
