//! The credit list: accounts of the customers a user sees, with their exposure against
//! the limit, filtered by status and sorted by use of the limit.

use super::level_sql;
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A row of the credit list.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Listed {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub monthly_settlement: bool,
    pub limit_fen: Option<i64>,
    pub term_days: i32,
    pub rating: String,
    pub policy: String,
    pub exposure_fen: i64,
    pub invoiced_fen: i64,
    pub paid_fen: i64,
    pub uninvoiced_fen: i64,
    pub level: i32,
    pub updated_at: DateTime<Utc>,
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Highest share of the limit used first (accounts without a limit last).
    Utilization,
    Exposure,
    Code,
}

/// Filters of the credit list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// 0 ok, 1 warning, 2 over.
    pub level: Option<i32>,
    pub monthly_settlement: Option<bool>,
    pub rating: Option<String>,
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    filter: &Filter,
    order: Order,
    warn_percent: i64,
    page: u64,
    per_page: u64,
) -> Result<(Vec<Listed>, u64)> {
    let level = level_sql(warn_percent);
    let (mut cond, mut values) = vis.owner_condition("c.owner_id");
    if let Some(l) = filter.level {
        cond.push_str(&format!(" AND {level} = ?"));
        values.push(l.into());
    }
    if let Some(m) = filter.monthly_settlement {
        cond.push_str(" AND a.monthly_settlement = ?");
        values.push(m.into());
    }
    if let Some(r) = &filter.rating {
        cond.push_str(" AND a.rating = ?");
        values.push(r.as_str().into());
    }
    let order = match order {
        Order::Utilization => {
            "CASE WHEN a.limit_fen IS NULL THEN 1 ELSE 0 END, \
             CASE WHEN a.limit_fen > 0 THEN a.exposure_fen * 1.0 / a.limit_fen \
             WHEN a.exposure_fen > 0 THEN 1e18 ELSE 0 END DESC, a.exposure_fen DESC, c.code"
        }
        Order::Exposure => "a.exposure_fen DESC, c.code",
        Order::Code => "c.code",
    };
    crate::paged::page(
        conn,
        &format!(
            "SELECT a.customer_id, c.code, c.name, c.owner_id, u.display_name AS owner_name, \
             a.monthly_settlement, a.limit_fen, a.term_days, a.rating, a.policy, a.exposure_fen, \
             a.invoiced_fen, a.paid_fen, a.uninvoiced_fen, CAST({level} AS INTEGER) AS level, \
             a.updated_at FROM credit_accounts a JOIN customers c ON c.id = a.customer_id \
             LEFT JOIN users u ON u.id = c.owner_id"
        ),
        &cond,
        order,
        values,
        page,
        per_page,
    )
    .await
}
