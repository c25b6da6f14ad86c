//! The customer pool (公海): its policy and the nightly reclaim.

#[allow(unused_imports)]
use super::*;
use consign_domain::i18n::Arg;

pub const POLICY_RECLAIM_DAYS: &str = "policy.pool_reclaim_days";

/// Days after which an untouched customer goes back to the pool, for staff.
pub async fn reclaim_days(app: &App, actor: &Actor) -> Result<i64> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    reclaim_days_in_force(app).await
}

pub(crate) async fn reclaim_days_in_force(app: &App) -> Result<i64> {
    Ok(
        consign_store::settings::get(&app.db.conn, POLICY_RECLAIM_DAYS)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(app.settings.pool_reclaim_days),
    )
}

pub async fn set_reclaim_days(app: &App, actor: &Actor, days: &str) -> Result<i64> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let d: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| AppError::field("pool_reclaim_days", "err.invalid_number"))?;
    let before = reclaim_days_in_force(app).await?;
    let txn = app.db.begin_write().await?;
    consign_store::settings::set(&txn, POLICY_RECLAIM_DAYS, &d.to_string(), actor.id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "settings.update",
            entity_type: "setting",
            entity_id: POLICY_RECLAIM_DAYS.into(),
            customer_id: None,
            summary: None,
            said: None,
            before: Some(serde_json::json!({"pool_reclaim_days": before})),
            after: Some(serde_json::json!({"pool_reclaim_days": d})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}

/// Returns to the pool every customer whose owner logged no interaction for the policy's
/// number of days. Idempotent; run by the background job.
pub async fn reclaim_stale(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let days = reclaim_days_in_force(app).await?;
    let actor = Actor::system("pool-reclaim");
    let stale = repo::stale_owned(&app.db.conn, now - Duration::days(days), 500).await?;
    let n = stale.len();
    let ids: Vec<i64> = stale.iter().map(|c| c.id).collect();
    let mut all_tags = repo::tags_of(&app.db.conn, &ids).await?;
    for c in stale {
        let tags = all_tags.remove(&c.id).unwrap_or_default();
        let before = audit_json(&c, &tags);
        let txn = app.db.begin_write().await?;
        let mut am: customer::ActiveModel = c.clone().into();
        am.owner_id = Set(None);
        am.pool_since = Set(Some(now));
        am.updated_at = Set(now);
        let m = repo::update(&txn, am).await?;
        audit::record(
            &txn,
            &actor,
            Entry {
                action: "customer.reclaim",
                entity_type: "customer",
                entity_id: c.id.to_string(),
                customer_id: Some(c.id),
                summary: None,
                said: audit::said(
                    "audit.summary.reclaim",
                    vec![Arg::text(&m.code), Arg::text(&m.name), Arg::text(days)],
                ),
                before: Some(before),
                after: Some(audit_json(&m, &tags)),
            },
        )
        .await?;
        txn.commit().await?;
    }
    Ok(n)
}

/// A contact with its personal data decrypted, for comparisons inside the application
/// (imports deciding whether a row changes anything); never shown as such.
pub(crate) struct ContactFull {
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
}

pub(crate) async fn contact_in_full(
    app: &App,
    customer_id: CustomerId,
    contact_id: i64,
) -> Result<ContactFull> {
    let k = load_contact(app, customer_id, contact_id).await?;
    Ok(ContactFull {
        phone: app.vault.decrypt_opt(k.phone_enc.as_deref())?,
        email: app.vault.decrypt_opt(k.email_enc.as_deref())?,
        title: k.title,
        wechat: k.wechat,
        is_primary: k.is_primary,
    })
}
