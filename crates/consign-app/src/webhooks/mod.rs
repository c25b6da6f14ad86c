//! Webhooks and group bots (issue 22, SPEC §12b), administered by admins: the endpoints,
//! their delivery log, and replaying deliveries. Events are queued by `events`, bot
//! messages by `bots`, and both are sent by `send` from the worker.

pub mod bots;
pub mod events;
pub mod send;

pub use events::{emit, emit_many, Event};

use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::webhooks::{self as rules, Kind, RETRY_FOR};
use consign_domain::{FieldErrors, Lang};
use consign_store::webhooks::{self as repo, Webhook, WebhookWrite};
use serde::{Deserialize, Serialize};

/// An endpoint as an admin sees it (never its secret; a robot's URL without its key).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: i64,
    /// `webhook` (an integration's receiver), `wecom` or `dingtalk` (a team's robot).
    pub kind: String,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    /// The team a robot posts for (and below); none: the whole company.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// The language a robot writes in.
    pub lang: String,
    pub active: bool,
    pub has_secret: bool,
    /// Deliveries waiting or being retried.
    pub pending: i64,
    /// Deliveries given up after a day of tries (replay them once the receiver is fixed).
    pub failed: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(w: Webhook) -> WebhookView {
    let shown = if w.kind == "webhook" {
        w.url.clone()
    } else {
        rules::shown_url(&w.url)
    };
    WebhookView {
        id: w.id,
        events: w
            .events
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        kind: w.kind,
        name: w.name,
        url: shown,
        unit_id: w.unit_id,
        unit_name: w.unit_name,
        lang: w.lang,
        active: w.active,
        has_secret: w.secret_enc.is_some(),
        pending: w.pending,
        failed: w.failed,
        created_at: w.created_at,
        updated_at: w.updated_at,
    }
}

/// An endpoint to register or change.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `webhook` (default), `wecom` or `dingtalk`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Where to POST. On a change, leaving it out keeps the stored one.
    #[serde(default)]
    pub url: Option<String>,
    /// Integration events (`customer.created` …) or robot topics (`ticket.escalated`,
    /// `customer.at_risk`, `credit.hold`).
    pub events: Vec<String>,
    /// The signing secret (16–200 characters; required for a webhook, optional for a
    /// DingTalk robot with 加签). On a change, leaving it out keeps the stored one.
    #[serde(default)]
    pub secret: Option<String>,
    /// A robot's team.
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// `zh-CN` (default) or `en`: the language of a robot's messages.
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

fn admin(actor: &Actor) -> Result<()> {
    if actor.role.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<WebhookView>> {
    admin(actor)?;
    Ok(repo::list(&app.db.conn)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<WebhookView> {
    admin(actor)?;
    Ok(view(stored(app, id).await?))
}

async fn stored(app: &App, id: i64) -> Result<Webhook> {
    repo::get(&app.db.conn, id).await?.ok_or(AppError::NotFound)
}

/// Checks the input against the stored endpoint (for a change) and the network rules.
async fn checked(
    app: &App,
    input: &WebhookInput,
    old: Option<&Webhook>,
) -> Result<(rules::Endpoint, Option<i64>, String)> {
    let kind = input
        .kind
        .clone()
        .or_else(|| old.map(|o| o.kind.clone()))
        .unwrap_or_else(|| "webhook".into());
    let url = match (input.url.as_deref().map(str::trim), old) {
        (Some(u), _) if !u.is_empty() => u.to_string(),
        (_, Some(o)) => o.url.clone(),
        _ => String::new(),
    };
    // A change that leaves the secret out keeps it: check against a stand-in.
    let keeps_secret = old.is_some_and(|o| o.secret_enc.is_some())
        && input.secret.as_deref().is_none_or(|s| s.trim().is_empty());
    let secret = if keeps_secret {
        Some("x".repeat(*rules::SECRET_LEN.start()))
    } else {
        input.secret.clone()
    };
    let name = input.name.clone().unwrap_or_default();
    let mut ep = rules::check(&kind, &name, &url, &input.events, secret.as_deref())
        .map_err(AppError::Validation)?;
    if keeps_secret {
        ep.secret = None;
    }
    let mut e = FieldErrors::new();
    if !app.outgoing.reachable(&ep.host).await || app.outgoing.refused(&ep.url).is_some() {
        e.add("url", "err.webhook_internal");
    }
    let unit = match (ep.kind, input.unit_id) {
        (Kind::Webhook, _) | (_, None) => None,
        (_, Some(u)) => {
            if consign_store::users::unit(&app.db.conn, u).await?.is_none() {
                e.add("unit_id", "err.unknown_unit");
            }
            Some(u)
        }
    };
    let lang = match input.lang.as_deref().map(str::trim) {
        None | Some("") => old.map_or("zh-CN".into(), |o| o.lang.clone()),
        Some(l) => match Lang::parse(l) {
            Some(Lang::Zh) => "zh-CN".into(),
            Some(Lang::En) => "en".into(),
            None => {
                e.add("lang", "err.invalid_choice");
                String::new()
            }
        },
    };
    e.into_result().map_err(AppError::Validation)?;
    Ok((ep, unit, lang))
}

/// A checked endpoint as stored (its secret, when one is given, encrypted).
fn write<'a>(
    app: &App,
    ep: &'a rules::Endpoint,
    unit_id: Option<i64>,
    lang: &'a str,
    active: bool,
) -> WebhookWrite<'a> {
    WebhookWrite {
        kind: ep.kind.as_str(),
        name: &ep.name,
        url: &ep.url,
        secret_enc: ep.secret.as_deref().map(|s| app.vault.encrypt(s)),
        events: ep.events.join(" "),
        unit_id,
        lang,
        active,
    }
}

/// Registers an endpoint (admins).
pub async fn create(app: &App, actor: &Actor, input: &WebhookInput) -> Result<WebhookView> {
    admin(actor)?;
    let (ep, unit, lang) = checked(app, input, None).await?;
    let active = input.active.unwrap_or(true);
    let txn = app.db.begin_write().await?;
    let w = write(app, &ep, unit, &lang, active);
    let id = repo::add(&txn, &w, actor.id, Utc::now()).await?;
    record(&txn, actor, "webhook.create", id, None, Some((&ep, active))).await?;
    txn.commit().await?;
    get(app, actor, id).await
}

/// Changes an endpoint (admins); a secret or URL left out stays.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &WebhookInput,
) -> Result<WebhookView> {
    admin(actor)?;
    let old = stored(app, id).await?;
    let (ep, unit, lang) = checked(app, input, Some(&old)).await?;
    let active = input.active.unwrap_or(old.active);
    let txn = app.db.begin_write().await?;
    repo::update(&txn, id, &write(app, &ep, unit, &lang, active), Utc::now()).await?;
    record(
        &txn,
        actor,
        "webhook.update",
        id,
        Some(&old),
        Some((&ep, active)),
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}

/// Removes an endpoint and its delivery log (admins).
pub async fn delete(app: &App, actor: &Actor, id: i64) -> Result<()> {
    admin(actor)?;
    let old = stored(app, id).await?;
    let txn = app.db.begin_write().await?;
    repo::delete(&txn, id).await?;
    record(&txn, actor, "webhook.delete", id, Some(&old), None).await?;
    txn.commit().await?;
    Ok(())
}

async fn record<C: consign_store::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    action: &str,
    id: i64,
    before: Option<&Webhook>,
    after: Option<(&rules::Endpoint, bool)>,
) -> Result<()> {
    let shown = |kind: &str, url: &str| {
        if kind == "webhook" {
            url.to_string()
        } else {
            rules::shown_url(url)
        }
    };
    let summary = after
        .map(|(e, _)| shown(e.kind.as_str(), &e.url))
        .or_else(|| before.map(|b| shown(&b.kind, &b.url)));
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity_type: "webhook",
            entity_id: id.to_string(),
            customer_id: None,
            summary,
            said: None,
            before: before.map(|b| {
                serde_json::json!({"kind": b.kind, "url": shown(&b.kind, &b.url), "events": b.events,
                    "unit_id": b.unit_id, "active": b.active})
            }),
            after: after.map(|(e, active)| {
                serde_json::json!({"kind": e.kind.as_str(), "url": shown(e.kind.as_str(), &e.url),
                    "events": e.events.join(" "), "active": active, "secret_changed": e.secret.is_some()})
            }),
        },
    )
    .await
}

/// One delivery in the log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: String,
    pub event: String,
    /// `pending` (waiting or being retried), `delivered` or `failed` (given up).
    pub state: String,
    pub attempts: i32,
    /// When the next try is due (pending ones).
    pub next_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    /// The start of the receiver's last answer.
    pub last_response: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

fn delivery_view(d: &repo::Delivery) -> DeliveryView {
    DeliveryView {
        id: d.id,
        webhook_id: d.webhook_id,
        event_id: d.event_id.clone(),
        event: d.event.clone(),
        state: d.state.clone(),
        attempts: d.attempts,
        next_at: d.next_at,
        last_status: d.last_status,
        last_latency_ms: d.last_latency_ms,
        last_error: d.last_error.clone(),
        last_response: d.last_response.clone(),
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    pub state: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl DeliveryPage {
    pub fn pages(&self) -> u64 {
        consign_domain::params::pages(self.total, self.per_page)
    }
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    app: &App,
    actor: &Actor,
    webhook_id: i64,
    q: &DeliveryQuery,
) -> Result<DeliveryPage> {
    admin(actor)?;
    stored(app, webhook_id).await?;
    let state = match q.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s @ (repo::PENDING | repo::DELIVERED | repo::FAILED)) => Some(s),
        Some(_) => {
            let mut e = FieldErrors::new();
            e.add("state", "err.invalid_choice");
            return Err(AppError::Validation(e));
        }
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = repo::deliveries(
        &app.db.conn,
        webhook_id,
        state,
        (page - 1) * per_page,
        per_page,
    )
    .await?;
    Ok(DeliveryPage {
        items: rows.iter().map(delivery_view).collect(),
        total,
        page,
        per_page,
    })
}

/// One try of a delivery.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub at: DateTime<Utc>,
    pub status: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
    pub response: Option<String>,
}

/// A delivery with what was sent and each try (the last 50).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryDetail {
    pub delivery: DeliveryView,
    /// The JSON sent.
    pub body: String,
    pub attempts: Vec<AttemptView>,
}

pub async fn delivery(app: &App, actor: &Actor, id: i64) -> Result<DeliveryDetail> {
    admin(actor)?;
    let d = repo::delivery(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempts = repo::attempts(&app.db.conn, id)
        .await?
        .into_iter()
        .map(|a| AttemptView {
            at: a.at,
            status: a.status,
            latency_ms: a.latency_ms,
            error: a.error,
            response: a.response,
        })
        .collect();
    Ok(DeliveryDetail {
        delivery: delivery_view(&d),
        body: d.body,
        attempts,
    })
}

/// Sends one delivery again, whatever its state (with the same event id, so a receiver
/// that had it can tell): for another day of tries, from now.
pub async fn replay(app: &App, actor: &Actor, id: i64) -> Result<DeliveryView> {
    admin(actor)?;
    let d = repo::delivery(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    if repo::replay(&txn, Some(id), None, now, now + RETRY_FOR).await? == 0 {
        return Err(AppError::Refused {
            code: "err.webhook_busy",
            args: vec![],
        });
    }
    replayed(&txn, actor, d.webhook_id, 1, Some(&d.event_id)).await?;
    txn.commit().await?;
    let d = repo::delivery(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(delivery_view(&d))
}

/// How many deliveries a replay queued again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Replayed {
    pub replayed: u64,
}

/// Sends every failed delivery of an endpoint again.
pub async fn replay_failed(app: &App, actor: &Actor, webhook_id: i64) -> Result<Replayed> {
    admin(actor)?;
    stored(app, webhook_id).await?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let n = repo::replay(&txn, None, Some(webhook_id), now, now + RETRY_FOR).await?;
    if n > 0 {
        replayed(&txn, actor, webhook_id, n, None).await?;
    }
    txn.commit().await?;
    Ok(Replayed { replayed: n })
}

async fn replayed<C: consign_store::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    webhook_id: i64,
    n: u64,
    event_id: Option<&str>,
) -> Result<()> {
    audit::record(
        conn,
        actor,
        Entry {
            action: "webhook.replay",
            entity_type: "webhook",
            entity_id: webhook_id.to_string(),
            customer_id: None,
            summary: Some(event_id.map_or_else(|| n.to_string(), str::to_string)),
            said: None,
            before: None,
            after: Some(serde_json::json!({"replayed": n, "event_id": event_id})),
        },
    )
    .await
}
