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
    let mut own: Vec<String> = Vec::new();
    let mut own_values: Vec<sea_orm::Value> = Vec::new();
    if let Some(l) = filter.level {
        // The share in basis points narrows by index; the level itself decides.
        let floor = match l {
            2 => Some(10_000),
            1 => Some(warn_percent * 100 - 1),
            _ => None,
        };
        if let Some(f) = floor {
            own.push("a.utilization_bp >= ?".into());
            own_values.push(f.into());
        }
        own.push(format!("{level} = ?"));
        own_values.push(l.into());
    }
    if let Some(m) = filter.monthly_settlement {
        own.push("a.monthly_settlement = ?".into());
        own_values.push(m.into());
    }
    if let Some(r) = &filter.rating {
        own.push("a.rating = ?".into());
        own_values.push(r.as_str().into());
    }
    for c in &own {
        cond.push_str(" AND ");
        cond.push_str(c);
    }
    values.extend(own_values.iter().cloned());
    let order = match order {
        Order::Utilization => "a.utilization_bp DESC, a.exposure_fen DESC, a.customer_id DESC",
        Order::Exposure => "a.exposure_fen DESC, a.customer_id DESC",
        Order::Code => "c.code",
    };
    let backend = conn.get_database_backend();
    // Everyone's accounts are counted without the customers (every account has one).
    let total = if matches!(vis, Visibility::All) {
        let own_cond = if own.is_empty() {
            "1=1".to_string()
        } else {
            own.join(" AND ")
        };
        conn.query_one(crate::dialect::stmt(
            backend,
            &format!("SELECT COUNT(*) AS n FROM credit_accounts a WHERE {own_cond}"),
            own_values,
        ))
        .await?
    } else {
        // The pool's and the owners' accounts counted apart, each from the customers'
        // owner index (one OR over both made SQLite walk every account).
        let Visibility::OwnersAndPool(ids) = vis else {
            unreachable!("All is counted above")
        };
        let own_cond = own.iter().map(|c| format!(" AND {c}")).collect::<String>();
        let mut v: Vec<sea_orm::Value> = own_values.clone();
        let owners = if ids.is_empty() {
            String::new()
        } else {
            v.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
            v.extend(own_values.iter().cloned());
            format!(
                " UNION ALL SELECT COUNT(*) AS n FROM customers c JOIN credit_accounts a \
                 ON a.customer_id = c.id WHERE c.owner_id IN ({}){own_cond}",
                vec!["?"; ids.len()].join(",")
            )
        };
        conn.query_one(crate::dialect::stmt(
            backend,
            &format!(
                "SELECT CAST(SUM(n) AS BIGINT) AS n FROM (SELECT COUNT(*) AS n FROM customers c \
                 JOIN credit_accounts a ON a.customer_id = c.id WHERE c.owner_id IS NULL{own_cond}{owners}) k"
            ),
            v,
        ))
        .await?
    }
    .map(|r| r.try_get::<i64>("", "n"))
    .transpose()?
    .unwrap_or(0);
    let per = per_page.clamp(1, 500);
    let offset = consign_domain::params::offset(page, per);
    let rows = Listed::find_by_statement(crate::dialect::stmt(
        backend,
        &format!(
            "SELECT a.customer_id, c.code, c.name, c.owner_id, u.display_name AS owner_name, \
             a.monthly_settlement, a.limit_fen, a.term_days, a.rating, a.policy, a.exposure_fen, \
             a.invoiced_fen, a.paid_fen, a.uninvoiced_fen, CAST({level} AS INTEGER) AS level, \
             a.updated_at FROM credit_accounts a JOIN customers c ON c.id = a.customer_id \
             LEFT JOIN users u ON u.id = c.owner_id WHERE {cond} ORDER BY {order} \
             LIMIT {per} OFFSET {offset}"
        ),
        values,
    ))
    .all(conn)
    .await?;
    Ok((rows, total.max(0) as u64))
}
