//! Telling integrations of a change: each event becomes one delivery per subscribed
//! endpoint, written in the transaction of the change (so it is sent if and only if the
//! change commits, and survives a restart), and sent by the worker later.

use crate::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use consign_domain::webhooks::RETRY_FOR;
use consign_store::webhooks::{self as repo, NewDelivery};
use consign_store::ConnectionTrait;
use rand::RngCore;
use serde_json::Value;

/// Something that happened, about a customer or not.
pub struct Event {
    /// One of [`consign_domain::webhooks::EVENTS`].
    pub kind: &'static str,
    /// The customer it concerns: deliveries about one customer reach each endpoint in
    /// the order they happened.
    pub customer_id: Option<i64>,
    pub data: Value,
}

impl Event {
    /// An event about no one customer: `data` with its id under `key`.
    pub fn general(kind: &'static str, mut data: Value, key: &str, id: i64) -> Event {
        data[key] = id.into();
        Event {
            kind,
            customer_id: None,
            data,
        }
    }

    pub fn customer(kind: &'static str, customer_id: i64, data: Value) -> Event {
        Event {
            kind,
            customer_id: Some(customer_id),
            data,
        }
    }
}

/// A new event id: `evt_` and 24 hex digits. Receivers deduplicate by it (a replay
/// sends the same id).
pub fn event_id() -> String {
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("evt_{}", hex::encode(b))
}

/// The JSON a receiver gets.
pub fn body(id: &str, kind: &str, at: DateTime<Utc>, data: &Value) -> String {
    serde_json::json!({
        "id": id,
        "type": kind,
        "created_at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// Queues an event for every active integration endpoint that takes it.
pub async fn emit<C: ConnectionTrait>(conn: &C, e: Event) -> Result<()> {
    emit_many(conn, vec![e]).await
}

/// Queues several events (one read of the endpoints; batched inserts).
pub async fn emit_many<C: ConnectionTrait>(conn: &C, events: Vec<Event>) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let hooks = repo::active(conn, false).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::new();
    for e in &events {
        let takers: Vec<_> = hooks.iter().filter(|h| h.takes(e.kind)).collect();
        if takers.is_empty() {
            continue;
        }
        let id = event_id();
        let body = body(&id, e.kind, now, &e.data);
        let order_key = match e.customer_id {
            Some(c) => format!("customer:{c}"),
            None => format!("event:{id}"),
        };
        for h in takers {
            rows.push(NewDelivery {
                webhook_id: h.id,
                event_id: id.clone(),
                event: e.kind.to_string(),
                order_key: order_key.clone(),
                body: body.clone(),
            });
        }
    }
    repo::enqueue(conn, &rows, now, now + RETRY_FOR).await?;
    Ok(())
}
