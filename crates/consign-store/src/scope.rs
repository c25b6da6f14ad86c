//! Which records a user may see, as the store filters them.

use sea_orm::Value;

/// Which customers a user may see.
#[derive(Debug, Clone)]
pub enum Visibility {
    All,
    /// Customers owned by these users, and the pool.
    OwnersAndPool(Vec<i64>),
}

impl Visibility {
    /// The condition that a customer's owner column `col` is within this visibility,
    /// with `?` placeholders and its values (`1=1` for all).
    pub fn owner_condition(&self, col: &str) -> (String, Vec<Value>) {
        match self {
            Visibility::All => ("1=1".into(), vec![]),
            Visibility::OwnersAndPool(ids) if ids.is_empty() => (format!("{col} IS NULL"), vec![]),
            Visibility::OwnersAndPool(ids) => (
                format!(
                    "({col} IS NULL OR {col} IN ({}))",
                    vec!["?"; ids.len()].join(",")
                ),
                ids.iter().map(|i| (*i).into()).collect(),
            ),
        }
    }
}
