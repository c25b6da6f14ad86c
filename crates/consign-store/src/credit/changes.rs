//! The history of an account's terms: each change set by a credit officer, and each
//! change an account manager asked for with its decision.

use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::credit::{HoldPolicy, Terms};
use consign_domain::ops::Fen;
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A change of terms as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub terms: Terms,
    pub reason: String,
    /// applied (set directly), pending, approved or rejected.
    pub state: String,
    pub requested_by: Option<i64>,
    pub requested_by_name: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decision_note: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    customer_id: i64,
    customer_name: String,
    monthly_settlement: bool,
    limit_fen: Option<i64>,
    term_days: i32,
    rating: String,
    policy: String,
    reason: String,
    state: String,
    requested_by: Option<i64>,
    requested_by_name: Option<String>,
    decided_by: Option<i64>,
    decided_by_name: Option<String>,
    decision_note: String,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
}

impl From<Row> for Change {
    fn from(r: Row) -> Change {
        Change {
            id: r.id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            terms: Terms {
                monthly_settlement: r.monthly_settlement,
                limit_fen: r.limit_fen.map(Fen),
                term_days: i64::from(r.term_days),
                rating: r.rating,
                policy: HoldPolicy::parse(&r.policy).unwrap_or_default(),
            },
            reason: r.reason,
            state: r.state,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            decided_by: r.decided_by,
            decided_by_name: r.decided_by_name,
            decision_note: r.decision_note,
            created_at: r.created_at,
            decided_at: r.decided_at,
        }
    }
}

const SELECT: &str = "SELECT x.id, x.customer_id, c.name AS customer_name, x.monthly_settlement, x.limit_fen, x.term_days, \
    x.rating, x.policy, x.reason, x.state, x.requested_by, r.display_name AS requested_by_name, \
    x.decided_by, d.display_name AS decided_by_name, x.decision_note, x.created_at, x.decided_at \
    FROM credit_changes x JOIN customers c ON c.id = x.customer_id \
    LEFT JOIN users r ON r.id = x.requested_by LEFT JOIN users d ON d.id = x.decided_by";

/// Records a change: `applied` (by `by`, now) or `pending` (asked by `by`).
pub async fn add_change<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    terms: &Terms,
    reason: &str,
    applied: bool,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let r = conn
        .query_one(stmt(
            conn.get_database_backend(),
            "INSERT INTO credit_changes (customer_id, monthly_settlement, limit_fen, term_days, \
             rating, policy, reason, state, requested_by, decided_by, created_at, decided_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                customer_id.into(),
                terms.monthly_settlement.into(),
                terms.limit_fen.map(Fen::get).into(),
                (terms.term_days as i32).into(),
                terms.rating.as_str().into(),
                terms.policy.as_str().into(),
                reason.into(),
                if applied { "applied" } else { "pending" }.into(),
                by.into(),
                if applied { by } else { None }.into(),
                now.into(),
                if applied { Some(now) } else { None }.into(),
            ],
        ))
        .await?;
    Ok(r.map(|r| r.try_get::<i64>("", "id"))
        .transpose()?
        .unwrap_or(0))
}

/// Decides a pending request; false when it was not pending any more.
pub async fn decide<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    approve: bool,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE credit_changes SET state = ?, decided_by = ?, decision_note = ?, decided_at = ? \
             WHERE id = ? AND state = 'pending'",
            vec![
                if approve { "approved" } else { "rejected" }.into(),
                by.into(),
                note.into(),
                now.into(),
                id.into(),
            ],
        ))
        .await?
        .rows_affected()
        > 0)
}

pub async fn change<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Change>> {
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE x.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?
    .map(Change::from))
}

/// A customer's changes, latest first.
pub async fn changes_of<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<Vec<Change>> {
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE x.customer_id = ? ORDER BY x.id DESC LIMIT 200"),
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(Change::from)
    .collect())
}

/// Requests waiting for a decision, of customers within `vis`, oldest first.
pub async fn pending<C: ConnectionTrait>(conn: &C, vis: &Visibility) -> Result<Vec<Change>> {
    let (cond, values) = vis.owner_condition("c.owner_id");
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE x.state = 'pending' AND {cond} ORDER BY x.id LIMIT 500"),
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(Change::from)
    .collect())
}

/// Marks a customer's open credit-review tasks done (its request was decided).
pub async fn close_reviews<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE tasks SET status = 'done', done_at = ? \
         WHERE customer_id = ? AND kind = 'credit_review' AND status = 'open' \
         AND title_key = 'task.title.credit_review'",
        vec![now.into(), customer_id.into()],
    ))
    .await?;
    Ok(())
}
