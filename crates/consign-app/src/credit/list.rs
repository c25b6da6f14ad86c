//! The credit list: the accounts of the customers in scope with limit, exposure, use of
//! the limit, status, rating and what is overdue.

use super::{may_see, policy_in_force};
use crate::auth::Actor;
use crate::scope::visibility;
use crate::{App, AppError, Page, Result};
use chrono::{DateTime, Utc};
use consign_domain::credit::{utilization, CreditStatus, HoldPolicy};
use consign_domain::ops::Fen;
use consign_store::credit::{self as repo, Filter, Order};
use serde::{Deserialize, Serialize};

/// Which accounts to list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreditQuery {
    /// `ok`, `warning` or `over`.
    pub status: Option<String>,
    /// `true`: monthly-settlement accounts only; `false`: the others.
    pub monthly_settlement: Option<bool>,
    /// A, B, C or D.
    pub rating: Option<String>,
    /// `utilization` (default: most of the limit used first), `exposure` or `code`.
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// An account in the credit list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditListed)]
pub struct CreditRow {
    pub customer_id: String,
    pub code: String,
    pub name: String,
    pub owner: Option<String>,
    pub monthly_settlement: bool,
    pub limit_fen: Option<Fen>,
    pub term_days: i64,
    pub rating: String,
    pub policy: HoldPolicy,
    pub exposure_fen: Fen,
    pub utilization: Option<f64>,
    pub status: CreditStatus,
    pub overdue_fen: Fen,
    pub oldest_overdue_days: i64,
    pub updated_at: DateTime<Utc>,
}

pub async fn list(app: &App, actor: &Actor, q: &CreditQuery) -> Result<Page<CreditRow>> {
    may_see(actor)?;
    let mut e = consign_domain::FieldErrors::default();
    let level = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match CreditStatus::parse(s) {
            Some(st) => Some(st.level()),
            None => {
                e.add("status", "err.credit_status");
                None
            }
        },
    };
    let rating = q
        .rating
        .as_deref()
        .map(|r| r.trim().to_uppercase())
        .filter(|r| !r.is_empty());
    if rating
        .as_deref()
        .is_some_and(|r| !consign_domain::credit::RATINGS.contains(&r))
    {
        e.add("rating", "err.credit_rating");
    }
    let order = match q.sort.as_deref().unwrap_or("") {
        "" | "utilization" => Order::Utilization,
        "exposure" => Order::Exposure,
        "code" => Order::Code,
        _ => {
            e.add("sort", "err.credit_sort");
            Order::Utilization
        }
    };
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let policy = policy_in_force(app).await?;
    let vis = visibility(app, actor).await?;
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let (rows, total) = repo::list(
        &app.db.conn,
        &vis,
        &Filter {
            level,
            monthly_settlement: q.monthly_settlement,
            rating,
        },
        order,
        policy.warn_percent,
        page,
        per_page,
    )
    .await?;
    // Every row's overdue amount in two queries.
    let ids: Vec<i64> = rows.iter().map(|r| r.customer_id).collect();
    let agings = super::agings(app, &vis, Some(&ids)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let limit = r.limit_fen.map(Fen);
        let exposure = Fen(r.exposure_fen);
        let (overdue, days) = agings
            .get(&r.customer_id)
            .map_or((Fen::ZERO, 0), |(_, a, oldest)| (a.overdue(), *oldest));
        items.push(CreditRow {
            customer_id: r.customer_id.to_string(),
            code: r.code,
            name: r.name,
            owner: r.owner_name,
            monthly_settlement: r.monthly_settlement,
            limit_fen: limit,
            term_days: i64::from(r.term_days),
            rating: r.rating,
            policy: HoldPolicy::parse(&r.policy).unwrap_or_default(),
            exposure_fen: exposure,
            utilization: utilization(exposure, limit),
            status: CreditStatus::of(exposure, limit, policy.warn_percent),
            overdue_fen: overdue,
            oldest_overdue_days: days,
            updated_at: r.updated_at,
        });
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}
