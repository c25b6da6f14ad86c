//! Improvement-action storage: the actions and their steps through the PDCA cycle.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub struct NewImprovement<'a> {
    pub title: &'a str,
    pub metric: &'a str,
    pub scope_kind: &'a str,
    pub scope_key: Option<&'a str>,
    pub customer_id: Option<i64>,
    pub source: &'a str,
    pub survey_id: Option<i64>,
    pub baseline: Option<f64>,
    pub baseline_from: i32,
    pub baseline_to: i32,
    pub goal: Option<f64>,
    pub owner_id: i64,
    pub plan: &'a str,
    pub started_on: i32,
    pub due_on: i32,
    pub check_on: i32,
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

pub async fn add<C: ConnectionTrait>(conn: &C, n: &NewImprovement<'_>) -> Result<i64> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO improvements (title, metric, scope_kind, scope_key, customer_id, source, \
         survey_id, baseline, baseline_from, baseline_to, goal, owner_id, plan, stage, started_on, \
         due_on, check_on, created_by, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'plan', ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            n.title.into(),
            n.metric.into(),
            n.scope_kind.into(),
            n.scope_key.into(),
            n.customer_id.into(),
            n.source.into(),
            n.survey_id.into(),
            n.baseline.into(),
            n.baseline_from.into(),
            n.baseline_to.into(),
            n.goal.into(),
            n.owner_id.into(),
            n.plan.into(),
            n.started_on.into(),
            n.due_on.into(),
            n.check_on.into(),
            n.created_by.into(),
            n.now.into(),
            n.now.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct ImprovementRow {
    pub id: i64,
    pub title: String,
    pub metric: String,
    pub scope_kind: String,
    pub scope_key: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The customer's owner (who sees a customer's action).
    pub customer_owner: Option<i64>,
    pub source: String,
    pub survey_id: Option<i64>,
    pub baseline: Option<f64>,
    pub baseline_from: i32,
    pub baseline_to: i32,
    pub goal: Option<f64>,
    pub owner_id: i64,
    pub owner_name: Option<String>,
    pub plan: String,
    pub stage: String,
    pub started_on: i32,
    pub due_on: i32,
    pub check_on: i32,
    pub check_value: Option<f64>,
    pub result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "SELECT i.id, i.title, i.metric, i.scope_kind, i.scope_key, i.customer_id, \
     c.name AS customer_name, c.owner_id AS customer_owner, i.source, i.survey_id, i.baseline, \
     i.baseline_from, i.baseline_to, i.goal, i.owner_id, u.display_name AS owner_name, i.plan, \
     i.stage, i.started_on, i.due_on, i.check_on, i.check_value, i.result, i.created_at, \
     i.updated_at, i.closed_at FROM improvements i LEFT JOIN customers c ON c.id = i.customer_id \
     LEFT JOIN users u ON u.id = i.owner_id";

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<ImprovementRow>> {
    Ok(ImprovementRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE i.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// Which actions a list shows. `visible`: an SQL condition on `i` and `c` (the caller's
/// scope) with its values.
#[derive(Debug, Clone, Default)]
pub struct ImprovementFilter {
    pub owner_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// `open` (not closed), `overdue` (open, due before `today`), or a stage.
    pub stage: Option<String>,
    pub today: i32,
    pub page: u64,
    pub per_page: u64,
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    visible: (&str, Vec<Value>),
    f: &ImprovementFilter,
) -> Result<(Vec<ImprovementRow>, u64)> {
    let mut w = vec![format!("({})", visible.0)];
    let mut values = visible.1;
    if let Some(o) = f.owner_id {
        w.push("i.owner_id = ?".into());
        values.push(o.into());
    }
    if let Some(c) = f.customer_id {
        w.push("i.customer_id = ?".into());
        values.push(c.into());
    }
    match f.stage.as_deref() {
        None | Some("") => {}
        Some("open") => w.push("i.stage <> 'closed'".into()),
        Some("overdue") => {
            w.push("i.stage <> 'closed' AND i.due_on < ?".into());
            values.push(f.today.into());
        }
        Some(s) => {
            w.push("i.stage = ?".into());
            values.push(s.into());
        }
    }
    crate::paged::page(
        conn,
        SELECT,
        &w.join(" AND "),
        "CASE WHEN i.stage = 'closed' THEN 1 ELSE 0 END, i.due_on, i.id",
        values,
        f.page,
        f.per_page,
    )
    .await
}

/// Moves an action from `from` to `to` (false when it was no longer at `from`), with what
/// the step sets.
pub struct Move<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub started_on: Option<i32>,
    pub check_value: Option<Option<f64>>,
    pub result: Option<&'a str>,
    pub now: DateTime<Utc>,
}

pub async fn move_stage<C: ConnectionTrait>(conn: &C, id: i64, m: &Move<'_>) -> Result<bool> {
    let mut sets = vec!["stage = ?".to_string(), "updated_at = ?".to_string()];
    let mut values: Vec<Value> = vec![m.to.into(), m.now.into()];
    if let Some(d) = m.started_on {
        sets.push("started_on = ?".into());
        values.push(d.into());
    }
    if let Some(v) = m.check_value {
        sets.push("check_value = ?".into());
        values.push(v.into());
    }
    if let Some(r) = m.result {
        sets.push("result = ?".into());
        values.push(r.into());
    }
    if m.to == "closed" {
        sets.push("closed_at = ?".into());
        values.push(m.now.into());
    }
    values.extend([id.into(), m.from.into()]);
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            &format!(
                "UPDATE improvements SET {} WHERE id = ? AND stage = ?",
                sets.join(", ")
            ),
            values,
        ))
        .await?
        .rows_affected()
        == 1)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct StepRow {
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub note: String,
    pub value: Option<f64>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_step<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    from: Option<&str>,
    to: &str,
    note: &str,
    value: Option<f64>,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "INSERT INTO improvement_steps (improvement_id, from_stage, to_stage, note, value, user_id, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            id.into(),
            from.into(),
            to.into(),
            note.into(),
            value.into(),
            user_id.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub async fn steps<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<StepRow>> {
    Ok(StepRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT s.from_stage, s.to_stage, s.note, s.value, u.display_name AS user_name, s.at \
         FROM improvement_steps s LEFT JOIN users u ON u.id = s.user_id \
         WHERE s.improvement_id = ? ORDER BY s.at, s.id",
        vec![id.into()],
    ))
    .all(conn)
    .await?)
}
