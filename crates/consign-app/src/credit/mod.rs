//! Credit management (SPEC §8): each customer's credit account — its terms, set by
//! credit staff and kept with their history; its exposure, kept by every write that
//! changes it; the status that exposure gives against the limit, told to the owner once
//! per crossing — and the shipments held for it.

mod aging;
mod assessments;
mod collections;
mod holds;
mod list;
pub mod statement_file;
mod terms;

pub use aging::*;
pub use assessments::*;
pub use collections::*;
pub use holds::*;
pub use list::*;
pub use terms::*;

use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::credit::{utilization, CreditPolicy, CreditStatus, HoldPolicy, Sums};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_store::credit as repo;
use consign_store::ConnectionTrait;
use serde::Serialize;

/// Where the company's credit policy is kept.
pub const POLICY_KEY: &str = "credit_policy";

pub(crate) async fn policy_in_force(app: &App) -> Result<CreditPolicy> {
    crate::policies::load(app, POLICY_KEY).await
}

pub async fn policy(app: &App, actor: &Actor) -> Result<CreditPolicy> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    policy_in_force(app).await
}

pub async fn set_policy(app: &App, actor: &Actor, p: &CreditPolicy) -> Result<CreditPolicy> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let bad = p.validate();
    if !bad.is_empty() {
        let mut e = consign_domain::FieldErrors::default();
        for f in bad {
            e.add(f, "err.credit_policy");
        }
        return Err(AppError::Validation(e));
    }
    let before = policy_in_force(app).await?;
    crate::policies::store(app, actor, POLICY_KEY, &before, p).await?;
    Ok(p.clone())
}

/// A customer's credit as the API and the credit tab show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Credit)]
pub struct CreditView {
    pub customer_id: String,
    /// Whether the customer has a credit account (terms set); without one the terms are
    /// the policy's defaults and exposure is still computed.
    pub has_account: bool,
    pub monthly_settlement: bool,
    /// None: no limit.
    pub limit_fen: Option<Fen>,
    pub term_days: i64,
    /// A to D, or empty.
    pub rating: String,
    pub policy: HoldPolicy,
    pub exposure_fen: Fen,
    pub unpaid_invoices_fen: Fen,
    pub uninvoiced_fen: Fen,
    /// Payments beyond the invoices (offsetting uninvoiced revenue).
    pub prepaid_fen: Fen,
    /// Exposure as a share of the limit (1.0 = at the limit); null without a limit.
    pub utilization: Option<f64>,
    pub status: CreditStatus,
    pub warn_percent: i64,
    pub on_hold_shipments: u64,
    /// The first order day no invoice covers yet (YYYY-MM-DD); null before any invoice.
    pub billed_from: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl CreditView {
    fn of(
        customer_id: i64,
        account: Option<&repo::Account>,
        scratch: Option<(Sums, i32)>,
        defaults: &CreditPolicy,
        held: u64,
    ) -> CreditView {
        let terms = account.map_or_else(|| defaults.default_terms(), |a| a.terms.clone());
        let (sums, from) = match (account, scratch) {
            (Some(a), _) => (a.sums, a.billed_from),
            (None, Some(s)) => s,
            (None, None) => (Sums::default(), 0),
        };
        let exposure = sums.exposure();
        CreditView {
            customer_id: customer_id.to_string(),
            has_account: account.is_some(),
            monthly_settlement: terms.monthly_settlement,
            limit_fen: terms.limit_fen,
            term_days: terms.term_days,
            rating: terms.rating.clone(),
            policy: terms.policy,
            exposure_fen: exposure,
            unpaid_invoices_fen: sums.unpaid(),
            uninvoiced_fen: sums.uninvoiced,
            prepaid_fen: sums.prepaid(),
            utilization: utilization(exposure, terms.limit_fen).map(|u| {
                if u.is_finite() {
                    (u * 10_000.0).round() / 10_000.0
                } else {
                    u
                }
            }),
            status: CreditStatus::of(exposure, terms.limit_fen, defaults.warn_percent),
            warn_percent: defaults.warn_percent,
            on_hold_shipments: held,
            billed_from: (from > 0).then(|| {
                consign_domain::classify::day_date(from)
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            }),
            updated_at: account.map(|a| a.updated_at),
        }
    }
}

/// May `actor` read credit at all (the customer's scope is checked on top).
pub(crate) fn may_see(actor: &Actor) -> Result<()> {
    if actor.role.can_see_credit() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A customer's credit: terms, exposure and status.
pub async fn get(app: &App, actor: &Actor, customer_id: CustomerId) -> Result<CreditView> {
    may_see(actor)?;
    visible_customer(app, actor, customer_id).await?;
    let id = customer_id.get();
    let conn = &app.db.conn;
    let account = repo::get(conn, id).await?;
    let scratch = match account {
        Some(_) => None,
        None => Some(repo::from_scratch(conn, id, app.tz()).await?),
    };
    let held = repo::held_count(conn, id).await?;
    let policy = policy_in_force(app).await?;
    Ok(CreditView::of(id, account.as_ref(), scratch, &policy, held))
}

/// Tells owners of the customers whose status crossed a level since they were last told
/// (up to warning or over: a notification; back down: nothing, so that the next crossing
/// is told again). Runs in the writer's transaction, after the writes, over the customers
/// they touched (`only`); housekeeping and a finished import look at every account.
pub async fn notify_crossings<C: ConnectionTrait>(
    app: &App,
    conn: &C,
    only: Option<&[i64]>,
) -> Result<usize> {
    if !repo::any(conn).await? {
        return Ok(0);
    }
    let policy = policy_in_force(app).await?;
    let now = Utc::now();
    let mut told = 0;
    for (customer_id, owner, level, notified) in
        repo::crossings(conn, policy.warn_percent, only).await?
    {
        if level >= 2 && notified < 2 {
            on_hold(app, conn, customer_id, owner).await?;
        }
        if level > notified {
            if let Some(owner) = owner {
                let kind = if level >= 2 {
                    "credit_over"
                } else {
                    "credit_warning"
                };
                let a = repo::get(conn, customer_id).await?;
                let (exposure, limit) = a
                    .map(|a| (a.sums.exposure(), a.terms.limit_fen.unwrap_or_default()))
                    .unwrap_or_default();
                let name = consign_store::customers::find(conn, CustomerId::trusted(customer_id))
                    .await?
                    .map(|c| c.name)
                    .unwrap_or_default();
                consign_store::service::notify(
                    conn,
                    owner,
                    kind,
                    None,
                    Some(customer_id),
                    &[name, exposure.yuan(), limit.yuan()],
                    now,
                )
                .await?;
                told += 1;
            }
        }
        repo::set_notified(conn, customer_id, level).await?;
    }
    Ok(told)
}

/// Tells integrations and the owner's team that a customer went over its limit (its new
/// shipments are held, or flagged, as its terms say).
async fn on_hold<C: ConnectionTrait>(
    app: &App,
    conn: &C,
    customer_id: i64,
    owner: Option<i64>,
) -> Result<()> {
    use crate::webhooks::{bots, emit, Event};
    let Some(a) = repo::get(conn, customer_id).await? else {
        return Ok(());
    };
    let Some(c) = consign_store::customers::find(conn, CustomerId::trusted(customer_id)).await?
    else {
        return Ok(());
    };
    let (exposure, limit) = (a.sums.exposure(), a.terms.limit_fen.unwrap_or_default());
    emit(
        conn,
        Event::customer(
            "credit.hold",
            customer_id,
            serde_json::json!({
                "customer_id": customer_id, "customer_code": c.code, "customer_name": c.name,
                "owner_id": owner, "exposure": exposure.to_string(), "limit": limit.to_string(),
                "policy": a.terms.policy.as_str(),
            }),
        ),
    )
    .await?;
    let team = bots::unit_path_of(conn, owner).await?;
    let block = a.terms.policy == HoldPolicy::Block;
    bots::post(
        conn,
        "credit.hold",
        team.as_deref(),
        &format!("customer:{customer_id}"),
        |lang| {
            bots::credit_hold(
                app,
                lang,
                customer_id,
                &c.name,
                &exposure.yuan(),
                &limit.yuan(),
                block,
            )
        },
    )
    .await?;
    Ok(())
}

/// Gives `assignee` a credit task of today on a customer, its title generated from `key`
/// and `args` (credit reviews, their answers, collections).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn credit_task<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    assignee: Option<i64>,
    kind: &str,
    key: &str,
    args: &[String],
    created_by: Option<i64>,
    due_on: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let args = serde_json::to_string(args).unwrap_or_default();
    consign_store::followups::add_task(
        conn,
        &consign_store::followups::NewTask {
            customer_id,
            assignee_id: assignee,
            kind,
            title: "",
            title_key: Some(key),
            title_args: Some(&args),
            due_on,
            ticket_id: None,
            created_by,
            now,
        },
    )
    .await?;
    Ok(())
}
