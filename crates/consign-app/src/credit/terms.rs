//! Setting a customer's credit terms: directly by credit staff (admin, manager, credit
//! officer), or asked for by an account manager and approved or rejected by them with a
//! reason — a task and a notification each way. Every change is kept in the account's
//! history and audited in its transaction.

use super::{may_see, CreditView};
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::credit::{HoldPolicy, Terms};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_domain::role::Role;
use consign_domain::FieldErrors;
use consign_store::credit as repo;
use serde::{Deserialize, Deserializer, Serialize};

fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<Fen>>, D::Error> {
    Option::<Fen>::deserialize(d).map(Some)
}

/// Terms as given: fields left out keep their current value; `limit_fen: null` removes
/// the limit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = CreditTerms)]
#[serde(default, deny_unknown_fields)]
pub struct TermsInput {
    pub monthly_settlement: Option<bool>,
    /// In fen; null: no limit.
    #[serde(deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, nullable)]
    pub limit_fen: Option<Option<Fen>>,
    /// Credit period in days (0 to 365).
    pub term_days: Option<i64>,
    /// A, B, C or D; empty: not rated.
    pub rating: Option<String>,
    /// `warn` or `block`.
    pub policy: Option<String>,
    /// Why (kept in the history; required for a request).
    pub reason: Option<String>,
}

impl TermsInput {
    /// The terms this gives over `current`, or the broken fields.
    fn apply(&self, current: &Terms) -> Result<Terms> {
        let mut e = FieldErrors::default();
        let mut t = current.clone();
        if let Some(m) = self.monthly_settlement {
            t.monthly_settlement = m;
        }
        if let Some(l) = self.limit_fen {
            t.limit_fen = l;
        }
        if let Some(d) = self.term_days {
            t.term_days = d;
        }
        if let Some(r) = &self.rating {
            t.rating = r.trim().to_uppercase();
        }
        if let Some(p) = &self.policy {
            match HoldPolicy::parse(p) {
                Some(p) => t.policy = p,
                None => e.add("policy", "err.credit_policy_kind"),
            }
        }
        for (f, k) in t.check() {
            e.add(f, k);
        }
        if let Some(r) = &self.reason {
            if r.chars().count() > 500 {
                e.add("reason", "err.too_long");
            }
        }
        if e.is_empty() {
            Ok(t)
        } else {
            Err(AppError::Validation(e))
        }
    }

    fn reason(&self) -> String {
        self.reason.as_deref().unwrap_or("").trim().to_string()
    }
}

async fn current_terms(app: &App, customer_id: i64) -> Result<Terms> {
    let p = super::policy_in_force(app).await?;
    Ok(repo::get(&app.db.conn, customer_id)
        .await?
        .map_or_else(|| p.default_terms(), |a| a.terms))
}

/// Sets a customer's terms (credit staff only), with their history and audit.
pub async fn set(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &TermsInput,
) -> Result<CreditView> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    visible_customer(app, actor, customer_id).await?;
    let id = customer_id.get();
    let terms = input.apply(&current_terms(app, id).await?)?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    apply(app, &txn, actor, id, &terms, &input.reason(), now).await?;
    txn.commit().await?;
    super::get(app, actor, customer_id).await
}

async fn apply<C: consign_store::ConnectionTrait>(
    app: &App,
    conn: &C,
    actor: &Actor,
    id: i64,
    terms: &Terms,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let before = repo::set_terms(conn, id, terms, actor.id, now, app.tz()).await?;
    repo::add_change(conn, id, terms, reason, true, actor.id, now).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "credit.set",
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(summary(terms)),
            said: None,
            before: before.as_ref().and_then(|t| serde_json::to_value(t).ok()),
            after: serde_json::to_value(terms).ok(),
        },
    )
    .await?;
    super::notify_crossings(app, conn, Some(&[id])).await?;
    Ok(())
}

fn summary(t: &Terms) -> String {
    format!(
        "{} · {} · {}d · {} · {}",
        if t.monthly_settlement {
            "月结"
        } else {
            "现结"
        },
        t.limit_fen
            .map_or("—".to_string(), |l| format!("¥{}", l.yuan())),
        t.term_days,
        if t.rating.is_empty() {
            "—"
        } else {
            &t.rating
        },
        t.policy.as_str()
    )
}

/// A change in an account's history, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditChange)]
pub struct ChangeView {
    pub id: String,
    pub customer_id: String,
    pub customer_name: String,
    pub monthly_settlement: bool,
    pub limit_fen: Option<Fen>,
    pub term_days: i64,
    pub rating: String,
    pub policy: HoldPolicy,
    pub reason: String,
    /// applied, pending, approved or rejected.
    pub state: String,
    pub requested_by: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<repo::Change> for ChangeView {
    fn from(c: repo::Change) -> ChangeView {
        ChangeView {
            id: c.id.to_string(),
            customer_id: c.customer_id.to_string(),
            customer_name: c.customer_name,
            monthly_settlement: c.terms.monthly_settlement,
            limit_fen: c.terms.limit_fen,
            term_days: c.terms.term_days,
            rating: c.terms.rating,
            policy: c.terms.policy,
            reason: c.reason,
            state: c.state,
            requested_by: c.requested_by_name,
            decided_by: c.decided_by_name,
            decision_note: c.decision_note,
            created_at: c.created_at,
            decided_at: c.decided_at,
        }
    }
}

/// A customer's history of terms, latest first.
pub async fn history(app: &App, actor: &Actor, customer_id: CustomerId) -> Result<Vec<ChangeView>> {
    may_see(actor)?;
    visible_customer(app, actor, customer_id).await?;
    Ok(repo::changes_of(&app.db.conn, customer_id.get())
        .await?
        .into_iter()
        .map(ChangeView::from)
        .collect())
}

/// Requests waiting for a decision, of customers in the caller's scope.
pub async fn pending(app: &App, actor: &Actor) -> Result<Vec<ChangeView>> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let vis = crate::scope::visibility(app, actor).await?;
    Ok(repo::pending(&app.db.conn, &vis)
        .await?
        .into_iter()
        .map(ChangeView::from)
        .collect())
}

/// The users who decide credit requests for a customer: the credit officers who see it,
/// else its managers, else the admins.
async fn deciders(app: &App, owner: Option<i64>) -> Result<Vec<i64>> {
    let users = consign_store::users::all_users(&app.db.conn).await?;
    for role in [Role::CreditOfficer, Role::Manager, Role::Admin] {
        let mut ids = Vec::new();
        for u in users
            .iter()
            .filter(|u| !u.disabled && Role::parse(&u.role) == Some(role))
        {
            let actor = crate::auth::actor_for(app, u, None).await?;
            let vis = crate::scope::visibility(app, &actor).await?;
            if crate::scope::owner_visible(&vis, owner) {
                ids.push(u.id);
            }
        }
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    Ok(Vec::new())
}

/// An account manager asks for a change of terms, with a reason: kept as pending, a task
/// for a credit officer and a notification to each who decides.
pub async fn request(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &TermsInput,
) -> Result<ChangeView> {
    if !matches!(actor.role, Role::AccountManager) && !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let c = visible_customer(app, actor, customer_id).await?;
    let id = customer_id.get();
    let terms = input.apply(&current_terms(app, id).await?)?;
    let reason = input.reason();
    if reason.is_empty() {
        let mut e = FieldErrors::default();
        e.add("reason", "err.required");
        return Err(AppError::Validation(e));
    }
    let deciders = deciders(app, c.owner_id).await?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let change_id = repo::add_change(&txn, id, &terms, &reason, false, actor.id, now).await?;
    if let Some(first) = deciders.first() {
        super::credit_task(
            &txn,
            id,
            Some(*first),
            "credit_review",
            "task.title.credit_review",
            &[c.name.clone(), summary(&terms)],
            actor.id,
            consign_domain::classify::day_num(app.today()),
            now,
        )
        .await?;
    }
    for u in &deciders {
        consign_store::service::notify(
            &txn,
            *u,
            "credit_request",
            None,
            Some(id),
            &[c.name.clone(), actor.name.clone(), summary(&terms)],
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "credit.request",
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(format!("{} — {}", summary(&terms), reason)),
            said: None,
            before: None,
            after: serde_json::to_value(&terms).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    let ch = repo::change(&app.db.conn, change_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ch.into())
}

/// Approves (the terms take effect) or rejects a pending request, with a reason; the
/// requester is notified either way and their task closed.
pub async fn decide(
    app: &App,
    actor: &Actor,
    change_id: i64,
    approve: bool,
    note: &str,
) -> Result<ChangeView> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let ch = repo::change(&app.db.conn, change_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = visible_customer(app, actor, CustomerId::trusted(ch.customer_id)).await?;
    let note = note.trim();
    if !approve && note.is_empty() {
        let mut e = FieldErrors::default();
        e.add("note", "err.required");
        return Err(AppError::Validation(e));
    }
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    if !repo::decide(&txn, change_id, approve, actor.user_id(), note, now).await? {
        return Err(AppError::Conflict {
            field: "id".into(),
            code: "err.credit_decided",
        });
    }
    if approve {
        let before =
            repo::set_terms(&txn, ch.customer_id, &ch.terms, actor.id, now, app.tz()).await?;
        audit::record(
            &txn,
            actor,
            Entry {
                action: "credit.set",
                entity_type: "customer",
                entity_id: ch.customer_id.to_string(),
                customer_id: Some(ch.customer_id),
                summary: Some(summary(&ch.terms)),
                said: None,
                before: before.as_ref().and_then(|t| serde_json::to_value(t).ok()),
                after: serde_json::to_value(&ch.terms).ok(),
            },
        )
        .await?;
        super::notify_crossings(app, &txn, Some(&[ch.customer_id])).await?;
    }
    repo::close_reviews(&txn, ch.customer_id, now).await?;
    if let Some(requester) = ch.requested_by {
        // The requester's turn: tell the customer what was decided.
        let key = if approve {
            "task.title.credit_approved"
        } else {
            "task.title.credit_rejected"
        };
        super::credit_task(
            &txn,
            ch.customer_id,
            Some(requester),
            "credit_review",
            key,
            &[c.name.clone(), summary(&ch.terms), note.to_string()],
            actor.id,
            consign_domain::classify::day_num(app.today()),
            now,
        )
        .await?;
        consign_store::service::notify(
            &txn,
            requester,
            if approve {
                "credit_approved"
            } else {
                "credit_rejected"
            },
            None,
            Some(ch.customer_id),
            &[c.name.clone(), summary(&ch.terms), note.to_string()],
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: if approve {
                "credit.approve"
            } else {
                "credit.reject"
            },
            entity_type: "customer",
            entity_id: ch.customer_id.to_string(),
            customer_id: Some(ch.customer_id),
            summary: Some(format!("{} — {}", summary(&ch.terms), note)),
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    let ch = repo::change(&app.db.conn, change_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ch.into())
}
