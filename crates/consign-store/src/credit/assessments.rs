//! Credit assessments and financial statements as stored.

use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// An assessment as stored.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AssessmentRow {
    pub id: i64,
    pub customer_id: i64,
    pub method: String,
    /// JSON array of the factors' scores.
    pub scores: String,
    pub score: f64,
    pub rating: String,
    pub suggested_limit_fen: i64,
    pub revenue_12m_fen: i64,
    pub notes: String,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct NewAssessment<'a> {
    pub customer_id: i64,
    pub method: &'a str,
    pub scores: &'a str,
    pub score: f64,
    pub rating: &'a str,
    pub suggested_limit_fen: i64,
    pub revenue_12m_fen: i64,
    pub notes: &'a str,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

pub async fn add_assessment<C: ConnectionTrait>(conn: &C, a: &NewAssessment<'_>) -> Result<i64> {
    let r = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "INSERT INTO credit_assessments (customer_id, method, scores, score, rating, \
             suggested_limit_fen, revenue_12m_fen, notes, created_by, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                a.customer_id.into(),
                a.method.into(),
                a.scores.into(),
                a.score.into(),
                a.rating.into(),
                a.suggested_limit_fen.into(),
                a.revenue_12m_fen.into(),
                a.notes.into(),
                a.created_by.into(),
                a.now.into(),
            ],
        ))
        .await?;
    Ok(r.map(|r| r.try_get::<i64>("", "id"))
        .transpose()?
        .unwrap_or(0))
}

/// A customer's assessments, latest first (at most 100).
pub async fn assessments_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
) -> Result<Vec<AssessmentRow>> {
    Ok(AssessmentRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT a.id, a.customer_id, a.method, a.scores, a.score, a.rating, a.suggested_limit_fen, \
         a.revenue_12m_fen, a.notes, a.created_by, u.display_name AS created_by_name, a.created_at \
         FROM credit_assessments a LEFT JOIN users u ON u.id = a.created_by \
         WHERE a.customer_id = ? ORDER BY a.id DESC LIMIT 100",
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?)
}

/// A customer's revenue over the months from `first_month` (`YYYYMM`) on.
pub async fn revenue_since<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    first_month: i32,
) -> Result<i64> {
    Ok(conn
        .query_one(stmt(
            conn.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(revenue_fen), 0) AS BIGINT) AS s FROM customer_months \
             WHERE customer_id = ? AND month >= ?",
            vec![customer_id.into(), first_month.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "s"))
        .transpose()?
        .unwrap_or(0))
}

/// A statement as stored: its items as JSON.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StatementRow {
    pub id: i64,
    pub customer_id: i64,
    pub period: String,
    pub items: String,
    pub created_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

/// Stores a customer's statement of a period (replacing the one it had); whether it was
/// new.
pub async fn put_statement<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    period: &str,
    items: &str,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let backend = conn.get_database_backend();
    let existed = conn
        .query_one(stmt(
            backend,
            "SELECT id FROM credit_statements WHERE customer_id = ? AND period = ?",
            vec![customer_id.into(), period.into()],
        ))
        .await?
        .is_some();
    conn.execute(stmt(
        backend,
        "INSERT INTO credit_statements (customer_id, period, items, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id, period) DO UPDATE SET \
         items = excluded.items, created_by = excluded.created_by, updated_at = excluded.updated_at",
        vec![
            customer_id.into(),
            period.into(),
            items.into(),
            by.into(),
            now.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(!existed)
}

/// A customer's statements, oldest period first.
pub async fn statements_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
) -> Result<Vec<StatementRow>> {
    Ok(StatementRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, customer_id, period, items, created_by, updated_at FROM credit_statements \
         WHERE customer_id = ? ORDER BY period",
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?)
}

/// Moves a merged customer's statements to the one it joined (its own period's statement
/// standing where both have one).
pub(crate) async fn merge_statements<C: ConnectionTrait>(
    conn: &C,
    from: i64,
    into: i64,
) -> Result<()> {
    let backend = conn.get_database_backend();
    conn.execute(stmt(
        backend,
        "UPDATE credit_statements SET customer_id = ? WHERE customer_id = ? AND period NOT IN \
         (SELECT period FROM credit_statements WHERE customer_id = ?)",
        vec![into.into(), from.into(), into.into()],
    ))
    .await?;
    conn.execute(stmt(
        backend,
        "DELETE FROM credit_statements WHERE customer_id = ?",
        vec![from.into()],
    ))
    .await?;
    Ok(())
}
