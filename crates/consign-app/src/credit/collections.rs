//! Collections (欠账追收, SPEC §8): every day, a task for the owner of each customer
//! whose oldest unpaid invoice is `remind_after_days` past due, and one for the managers
//! of its unit at `escalate_after_days` (with a notification); promises to pay taken down
//! with their date and amount, kept when the customer's payments reach the amount by the
//! date, broken otherwise — counted on the customer's credit page.

use super::{may_see, policy_in_force};
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_domain::role::Role;
use consign_domain::FieldErrors;
use consign_store::credit as repo;
use serde::{Deserialize, Serialize};

/// A promise to pay as given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PromiseInput {
    pub amount_fen: Option<Fen>,
    /// YYYY-MM-DD, today or later.
    #[schema(value_type = chrono::NaiveDate)]
    pub promised_on: String,
    pub note: String,
}

/// Where a promise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromiseState {
    /// Its date has not passed and the payments do not reach it yet.
    Pending,
    Kept,
    Broken,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PromiseView {
    pub id: String,
    pub amount_fen: Fen,
    pub promised_on: String,
    pub note: String,
    pub taken_by: Option<String>,
    pub taken_at: DateTime<Utc>,
    /// Paid from when it was taken to the end of its day.
    pub paid_fen: Fen,
    pub state: PromiseState,
}

/// A customer's promises, latest first, and how many were broken.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Promises {
    pub items: Vec<PromiseView>,
    pub broken: u64,
    pub kept: u64,
}

/// Who may take down a promise: whoever works the customer's account or its credit.
fn may_log(actor: &Actor) -> Result<()> {
    if actor.role.can_set_credit() || actor.role == Role::AccountManager {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn add_promise(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &PromiseInput,
) -> Result<Promises> {
    may_log(actor)?;
    visible_customer(app, actor, customer_id).await?;
    let mut e = FieldErrors::default();
    if input
        .amount_fen
        .is_none_or(|a| a <= Fen::ZERO || a > consign_domain::credit::MAX_LIMIT)
    {
        e.add("amount_fen", "err.amount_positive");
    }
    let day = consign_domain::validate::required_day(&input.promised_on);
    match day {
        Ok(d) if d < app.today() => e.add("promised_on", "err.promise_past"),
        Ok(_) => {}
        Err(k) => e.add("promised_on", k),
    }
    if input.note.chars().count() > 500 {
        e.add("note", "err.too_long");
    }
    let (Ok(day), Some(amount)) = (day, input.amount_fen) else {
        return Err(AppError::Validation(e));
    };
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let id = customer_id.get();
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    repo::add_promise(
        &txn,
        id,
        amount.get(),
        consign_domain::classify::day_num(day),
        input.note.trim(),
        actor.id,
        now,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "credit.promise",
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(format!("¥{} · {day}", amount.yuan())),
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    promises(app, actor, customer_id).await
}

pub async fn promises(app: &App, actor: &Actor, customer_id: CustomerId) -> Result<Promises> {
    may_see(actor)?;
    visible_customer(app, actor, customer_id).await?;
    let conn = &app.db.conn;
    let today = consign_domain::classify::day_num(app.today());
    let mut out = Promises {
        items: Vec::new(),
        broken: 0,
        kept: 0,
    };
    for p in repo::promises_of(conn, customer_id.get()).await? {
        let day = consign_domain::classify::day_date(p.promised_on).unwrap_or_default();
        let end = app.midnight(day.succ_opt().unwrap_or(day));
        let paid = repo::paid_between(conn, p.customer_id, p.created_at, end).await?;
        let state = if paid >= p.amount_fen {
            PromiseState::Kept
        } else if p.promised_on < today {
            PromiseState::Broken
        } else {
            PromiseState::Pending
        };
        match state {
            PromiseState::Kept => out.kept += 1,
            PromiseState::Broken => out.broken += 1,
            PromiseState::Pending => {}
        }
        out.items.push(PromiseView {
            id: p.id.to_string(),
            amount_fen: Fen(p.amount_fen),
            promised_on: day.to_string(),
            note: p.note,
            taken_by: p.created_by_name,
            taken_at: p.created_at,
            paid_fen: Fen(paid),
            state,
        });
    }
    Ok(out)
}

/// The day's collection tasks: a reminder for the owner of each overdue customer past
/// the first threshold (the credit officers for customers in the pool), and an
/// escalation to its unit's managers past the second, each once while one is open.
/// Returns (reminders, escalations).
pub async fn sweep(app: &App) -> Result<(usize, usize)> {
    let policy = policy_in_force(app).await?;
    let users = consign_store::users::all_users(&app.db.conn).await?;
    let units: std::collections::HashMap<i64, String> = consign_store::users::units(&app.db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.path))
        .collect();
    let now = Utc::now();
    let today = consign_domain::classify::day_num(app.today());
    let (mut reminded, mut escalated) = (0, 0);
    for (cid, owner, overdue, days, name) in super::overdue_customers(app).await? {
        let txn = app.db.begin_write().await?;
        let mut wrote = false;
        if days >= policy.remind_after_days && !repo::open_collection(&txn, cid, false).await? {
            let assignee = owner.or_else(|| {
                users
                    .iter()
                    .find(|u| !u.disabled && Role::parse(&u.role) == Some(Role::CreditOfficer))
                    .map(|u| u.id)
            });
            task(
                &txn,
                cid,
                assignee,
                "task.title.collection",
                &name,
                overdue,
                days,
                today,
                now,
            )
            .await?;
            reminded += 1;
            wrote = true;
        }
        if days >= policy.escalate_after_days && !repo::open_collection(&txn, cid, true).await? {
            let managers = managers_over(&users, &units, owner);
            for m in &managers {
                consign_store::service::notify(
                    &txn,
                    *m,
                    "collection_escalated",
                    None,
                    Some(cid),
                    &[name.clone(), overdue.yuan(), days.to_string()],
                    now,
                )
                .await?;
            }
            task(
                &txn,
                cid,
                managers.first().copied(),
                "task.title.collection_escalated",
                &name,
                overdue,
                days,
                today,
                now,
            )
            .await?;
            escalated += 1;
            wrote = true;
        }
        if wrote {
            txn.commit().await?;
        }
    }
    Ok((reminded, escalated))
}

/// The managers nearest above an owner: those of its unit, else of the unit above, and
/// so on (every manager for a customer in the pool).
fn managers_over(
    users: &[consign_store::entity::user::Model],
    units: &std::collections::HashMap<i64, String>,
    owner: Option<i64>,
) -> Vec<i64> {
    let managers: Vec<(&consign_store::entity::user::Model, &str)> = users
        .iter()
        .filter(|u| !u.disabled && Role::parse(&u.role) == Some(Role::Manager))
        .map(|u| (u, units.get(&u.org_unit_id).map_or("", String::as_str)))
        .collect();
    let path = owner
        .and_then(|o| users.iter().find(|u| u.id == o))
        .and_then(|u| units.get(&u.org_unit_id))
        .map_or("", String::as_str);
    let above: Vec<&(&consign_store::entity::user::Model, &str)> = managers
        .iter()
        .filter(|(_, p)| path.starts_with(p))
        .collect();
    let nearest = above.iter().map(|(_, p)| p.len()).max();
    match nearest {
        Some(n) => above
            .iter()
            .filter(|(_, p)| p.len() == n)
            .map(|(u, _)| u.id)
            .collect(),
        None => managers.iter().map(|(u, _)| u.id).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn task<C: consign_store::ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    assignee: Option<i64>,
    key: &str,
    name: &str,
    overdue: Fen,
    days: i64,
    today: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let args = [name.to_string(), overdue.yuan(), days.to_string()];
    super::credit_task(
        conn,
        customer_id,
        assignee,
        "collection",
        key,
        &args,
        None,
        today,
        now,
    )
    .await
}
