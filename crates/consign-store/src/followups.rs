//! Follow-up storage: the interaction log and follow-up tasks.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use consign_domain::customer::CustomerId;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct InteractionRow {
    pub id: i64,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub summary: String,
    pub next_step: Option<String>,
    pub ticket_id: Option<i64>,
    pub task_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

pub struct NewInteraction<'a> {
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
    pub kind: &'a str,
    pub at: DateTime<Utc>,
    pub summary: &'a str,
    pub next_step: Option<&'a str>,
    pub ticket_id: Option<i64>,
    pub task_id: Option<i64>,
    pub now: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

pub async fn add_interaction<C: ConnectionTrait>(conn: &C, i: &NewInteraction<'_>) -> Result<i64> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO interactions (customer_id, contact_id, user_id, kind, at, summary, next_step, \
         ticket_id, task_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            i.customer_id.into(),
            i.contact_id.into(),
            i.user_id.into(),
            i.kind.into(),
            i.at.into(),
            i.summary.into(),
            i.next_step.into(),
            i.ticket_id.into(),
            i.task_id.into(),
            i.now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id)
}

/// A customer's interactions, newest first, and how many there are.
pub async fn interactions_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    page: u64,
    per_page: u64,
) -> Result<(Vec<InteractionRow>, u64)> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    let n = Count::find_by_statement(stmt(
        backend,
        "SELECT COUNT(*) AS n FROM interactions WHERE customer_id = ?",
        vec![customer_id.into()],
    ))
    .one(conn)
    .await?
    .map(|c| c.n)
    .unwrap_or(0);
    let per = per_page.clamp(1, 500);
    let offset = consign_domain::params::offset(page, per);
    let rows = InteractionRow::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT i.id, i.customer_id, i.contact_id, k.name AS contact_name, i.user_id, \
             u.display_name AS user_name, i.kind, i.at, i.summary, i.next_step, i.ticket_id, \
             i.task_id, i.created_at FROM interactions i \
             LEFT JOIN contacts k ON k.id = i.contact_id LEFT JOIN users u ON u.id = i.user_id \
             WHERE i.customer_id = ? ORDER BY i.at DESC, i.id DESC LIMIT {per} OFFSET {offset}"
        ),
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?;
    Ok((rows, n.max(0) as u64))
}

/// Marks the customer as followed up by its owner at `at` (what the pool's reclaim reads).
pub async fn touch_customer<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    at: DateTime<Utc>,
) -> Result<()> {
    let customer_id = customer_id.get();
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE customers SET last_interaction_at = ? WHERE id = ? \
         AND (last_interaction_at IS NULL OR last_interaction_at < ?)",
        vec![at.into(), customer_id.into(), at.into()],
    ))
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct TaskRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub owner_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub kind: String,
    pub title: String,
    /// A generated title's message key and its parameters (a JSON array of text).
    pub title_key: Option<String>,
    pub title_args: Option<String>,
    pub due_on: i32,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub interaction_id: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const TASK_SELECT: &str = "SELECT t.id, t.customer_id, c.code AS customer_code, \
    c.name AS customer_name, c.owner_id, t.assignee_id, u.display_name AS assignee_name, t.kind, \
    t.title, t.title_key, t.title_args, t.due_on, t.status, t.ticket_id, t.interaction_id, t.done_at, t.created_at \
    FROM tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN users u ON u.id = t.assignee_id";

pub struct NewTask<'a> {
    pub customer_id: i64,
    pub assignee_id: Option<i64>,
    pub kind: &'a str,
    pub title: &'a str,
    /// A generated title: its message key and parameters (JSON array), else None.
    pub title_key: Option<&'a str>,
    pub title_args: Option<&'a str>,
    /// Company day as YYYYMMDD.
    pub due_on: i32,
    pub ticket_id: Option<i64>,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

pub async fn add_task<C: ConnectionTrait>(conn: &C, t: &NewTask<'_>) -> Result<i64> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO tasks (customer_id, assignee_id, kind, title, title_key, title_args, due_on, \
         status, ticket_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        vec![
            t.customer_id.into(),
            t.assignee_id.into(),
            t.kind.into(),
            t.title.into(),
            t.title_key.into(),
            t.title_args.into(),
            t.due_on.into(),
            t.ticket_id.into(),
            t.created_by.into(),
            t.now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id)
}

pub async fn task<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<TaskRow>> {
    Ok(TaskRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{TASK_SELECT} WHERE t.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// Customers (ids) with an open task of this kind, among `ids`.
pub async fn with_open<C: ConnectionTrait>(conn: &C, kind: &str) -> Result<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct C {
        customer_id: i64,
    }
    Ok(C::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT DISTINCT customer_id FROM tasks WHERE kind = ? AND status = 'open'",
        vec![kind.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|c| c.customer_id)
    .collect())
}

/// Closes an open task: done with the interaction that did it, or cancelled.
pub async fn finish_task<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: &str,
    interaction_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE tasks SET status = ?, interaction_id = ?, done_at = ? WHERE id = ? AND status = 'open'",
            vec![status.into(), interaction_id.into(), now.into(), id.into()],
        ))
        .await?
        .rows_affected()
        == 1)
}

/// A task list: one assignee's (or, with `owners`, those of the customers owned by
/// these users), open ones due on or before `due_before` (exclusive), oldest due first.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub assignee_id: Option<i64>,
    pub owners: Option<Vec<i64>>,
    pub customer_id: Option<i64>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub due_from: Option<i32>,
    pub due_before: Option<i32>,
    pub page: u64,
    /// Rows a page; 0 for the total alone.
    pub per_page: u64,
}

pub async fn tasks<C: ConnectionTrait>(conn: &C, f: &TaskFilter) -> Result<(Vec<TaskRow>, u64)> {
    let backend = conn.get_database_backend();
    let mut w: Vec<String> = Vec::new();
    let mut v: Vec<Value> = Vec::new();
    if let Some(a) = f.assignee_id {
        w.push("t.assignee_id = ?".into());
        v.push(a.into());
    }
    if let Some(o) = &f.owners {
        if o.is_empty() {
            w.push("1 = 0".into());
        } else {
            w.push(format!(
                "c.owner_id IN ({})",
                o.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
    }
    if let Some(c) = f.customer_id {
        w.push("t.customer_id = ?".into());
        v.push(c.into());
    }
    if let Some(s) = &f.status {
        w.push("t.status = ?".into());
        v.push(s.clone().into());
    }
    if let Some(k) = &f.kind {
        w.push("t.kind = ?".into());
        v.push(k.clone().into());
    }
    if let Some(d) = f.due_from {
        w.push("t.due_on >= ?".into());
        v.push(d.into());
    }
    if let Some(d) = f.due_before {
        w.push("t.due_on < ?".into());
        v.push(d.into());
    }
    let wh = if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    };
    // The customers are joined for the count only when their owner is a filter: an
    // assignee's list is then counted inside its index.
    let from = if f.owners.is_some() {
        "tasks t JOIN customers c ON c.id = t.customer_id"
    } else {
        "tasks t"
    };
    let n = Count::find_by_statement(stmt(
        backend,
        &format!("SELECT COUNT(*) AS n FROM {from}{wh}"),
        v.clone(),
    ))
    .one(conn)
    .await?
    .map(|c| c.n)
    .unwrap_or(0);
    if f.per_page == 0 {
        return Ok((Vec::new(), n.max(0) as u64));
    }
    let per = f.per_page.clamp(1, 500);
    let offset = consign_domain::params::offset(f.page, per);
    let rows = TaskRow::find_by_statement(stmt(
        backend,
        &format!("{TASK_SELECT}{wh} ORDER BY t.due_on, t.id LIMIT {per} OFFSET {offset}"),
        v,
    ))
    .all(conn)
    .await?;
    Ok((rows, n.max(0) as u64))
}

/// Owned customers in use with their owner and last interaction, for the plan.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub owner_id: i64,
    pub last_interaction_at: Option<DateTime<Utc>>,
}

/// The live customers a run flags at risk, with their owners (None: the pool).
pub async fn at_risk_of_run<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
) -> Result<Vec<(i64, Option<i64>)>> {
    #[derive(FromQueryResult)]
    struct R {
        id: i64,
        owner_id: Option<i64>,
    }
    Ok(R::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT c.id, c.owner_id FROM classifications k JOIN customers c ON c.id = k.customer_id \
         WHERE k.run_id = ? AND k.at_risk = ? AND c.archived_at IS NULL AND c.merged_into_id IS NULL \
         ORDER BY c.id",
        vec![run_id.into(), true.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.owner_id))
    .collect())
}

pub async fn owned_customers<C: ConnectionTrait>(conn: &C) -> Result<Vec<PlanRow>> {
    Ok(PlanRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, name, owner_id, last_interaction_at FROM customers \
         WHERE owner_id IS NOT NULL AND archived_at IS NULL AND merged_into_id IS NULL",
        vec![],
    ))
    .all(conn)
    .await?)
}

/// Open tasks due on or before `today` whose assignee was not reminded since
/// `since` (the day's start): (task, assignee, due day).
pub async fn due_unreminded<C: ConnectionTrait>(
    conn: &C,
    today: i32,
    since: DateTime<Utc>,
) -> Result<Vec<(i64, i64, i32)>> {
    #[derive(FromQueryResult)]
    struct R {
        id: i64,
        assignee_id: i64,
        due_on: i32,
    }
    Ok(R::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, assignee_id, due_on FROM tasks WHERE status = 'open' AND assignee_id IS NOT NULL \
         AND due_on <= ? AND (reminded_at IS NULL OR reminded_at < ?)",
        vec![today.into(), since.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.assignee_id, r.due_on))
    .collect())
}

pub async fn mark_reminded<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in ids.chunks(500) {
        conn.execute(stmt(
            conn.get_database_backend(),
            &format!(
                "UPDATE tasks SET reminded_at = ? WHERE id IN ({})",
                chunk
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            vec![now.into()],
        ))
        .await?;
    }
    Ok(())
}
