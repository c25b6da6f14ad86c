//! Policies kept as JSON in the settings table (the SLA and follow-up policies): read
//! with their defaults when absent, stored by admins with an audit entry of the change.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use serde::{de::DeserializeOwned, Serialize};

/// The stored policy under `key`, or its defaults.
pub async fn load<T: DeserializeOwned + Default>(app: &App, key: &str) -> Result<T> {
    match consign_store::settings::get(&app.db.conn, key).await? {
        Some(s) => {
            serde_json::from_str(&s).map_err(|e| AppError::caused(format!("stored {key}"), e))
        }
        None => Ok(T::default()),
    }
}

/// Stores `after` under `key` (already checked by the caller), audited with `before`.
pub async fn store<T: Serialize>(
    app: &App,
    actor: &Actor,
    key: &str,
    before: &T,
    after: &T,
) -> Result<()> {
    let json = serde_json::to_string(after).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    consign_store::settings::set(&txn, key, &json, actor.id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "settings.update",
            entity_type: "setting",
            entity_id: key.into(),
            customer_id: None,
            summary: None,
            said: None,
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
