//! Sending queued deliveries: one HTTP client that refuses internal addresses (SSRF)
//! unless the operator allows them, follows no redirect and waits 10 s at most; each
//! integration delivery signed `X-Consign-Signature: t=…,v1=…`, each DingTalk message
//! signed in its query; a failure retried with backoff for a day, then given up.

use crate::{App, AppError, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use consign_domain::webhooks::{
    self as rules, backoff, is_internal, literal_ip, Kind, RESPONSE_SNIPPET, TIMEOUT_SECS,
};
use consign_store::webhooks::{self as repo, Attempt, Delivery, Webhook};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// The client outgoing requests share.
pub struct Outgoing {
    client: reqwest::Client,
    allow_private: bool,
}

/// Resolves names, keeping only addresses a request may reach: the check holds for the
/// address actually connected to, so a name that resolves to an internal address (or
/// changes to one after the endpoint was saved) is refused too.
struct Guarded {
    allow_private: bool,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::time::timeout(LOOKUP, tokio::net::lookup_host((host.as_str(), 0)))
                .await
                .map_err(|_| format!("{host}: no answer from DNS"))??;
            let addrs: Vec<SocketAddr> = found.filter(|a| allow || !is_internal(a.ip())).collect();
            if addrs.is_empty() {
                return Err(
                    format!("{host}: no public address (internal addresses are refused)").into(),
                );
            }
            let it: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(it)
        })
    }
}

impl Outgoing {
    pub fn new(allow_private: bool) -> Result<Outgoing> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(Guarded { allow_private }))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(TIMEOUT_SECS))
            .no_proxy()
            .user_agent(concat!("Consign-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AppError::caused("building the webhook client", e))?;
        Ok(Outgoing {
            client,
            allow_private,
        })
    }

    /// Why a URL may not be sent to, if it names an internal address literally (names
    /// are checked as they resolve).
    pub fn refused(&self, url: &str) -> Option<&'static str> {
        let host = rules::parse_url(url).ok()?;
        let ip = literal_ip(&host)?;
        (!self.allow_private && is_internal(ip)).then_some("err.webhook_internal")
    }

    /// Whether a host resolves to at least one address a request may reach (checked when
    /// an endpoint is saved, for an early and clear answer).
    pub async fn reachable(&self, host: &str) -> bool {
        if let Some(ip) = literal_ip(host) {
            return self.allow_private || !is_internal(ip);
        }
        match tokio::time::timeout(LOOKUP, tokio::net::lookup_host((host, 0))).await {
            Err(_) | Ok(Err(_)) => true,
            Ok(Ok(addrs)) => {
                let addrs: Vec<_> = addrs.collect();
                // A name that does not resolve from here may still be right (a split
                // DNS); only one that resolves to internal addresses alone is refused.
                addrs.is_empty() || self.allow_private || addrs.iter().any(|a| !is_internal(a.ip()))
            }
        }
    }
}

/// How long a name may take to resolve.
const LOOKUP: std::time::Duration = std::time::Duration::from_secs(5);

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The signature header of an integration delivery sent at `t` (Unix seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let v1 = hex::encode(hmac_sha256(
        secret.as_bytes(),
        rules::signed_text(t, body).as_bytes(),
    ));
    format!("t={t},v1={v1}")
}

/// A DingTalk robot's URL with its `timestamp` and `sign` (base64 of the HMAC, URL-encoded).
pub fn dingtalk_url(url: &str, secret: &str, t_ms: i64) -> String {
    let sign = STANDARD.encode(hmac_sha256(
        secret.as_bytes(),
        rules::dingtalk_text(t_ms, secret).as_bytes(),
    ));
    let q = serde_urlencoded::to_string([("timestamp", t_ms.to_string()), ("sign", sign)])
        .unwrap_or_default();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{q}")
}

/// How long a worker holds a delivery it is sending.
const LEASE: Duration = Duration::seconds(60);

/// Sends every due delivery (the first pending one per endpoint and customer, several
/// at once); returns how many were tried.
pub async fn deliver_due(app: &App) -> Result<usize> {
    let mut tried = 0;
    let mut hooks: HashMap<i64, Option<Webhook>> = HashMap::new();
    for _ in 0..20 {
        let now = Utc::now();
        let due = repo::due(&app.db.conn, now, 32).await?;
        if due.is_empty() {
            break;
        }
        let mut batch = Vec::new();
        for d in due {
            if repo::claim(&app.db.conn, d.id, now, now + LEASE).await? {
                if let std::collections::hash_map::Entry::Vacant(v) = hooks.entry(d.webhook_id) {
                    v.insert(repo::plain(&app.db.conn, d.webhook_id).await?);
                }
                batch.push(d);
            }
        }
        tried += batch.len();
        let sends = batch.iter().map(|d| {
            let hook = hooks.get(&d.webhook_id).cloned().flatten();
            send_one(app, d, hook)
        });
        for r in futures_util::future::join_all(sends).await {
            r?;
        }
    }
    Ok(tried)
}

/// What came back from one try.
struct Outcome {
    status: Option<i32>,
    error: Option<String>,
    response: Option<String>,
    ok: bool,
}

async fn send_one(app: &App, d: &Delivery, hook: Option<Webhook>) -> Result<()> {
    let started = std::time::Instant::now();
    let at = Utc::now();
    let out = match &hook {
        Some(h) if h.active => attempt(app, h, d).await,
        _ => Outcome {
            status: None,
            error: Some("endpoint disabled".into()),
            response: None,
            ok: false,
        },
    };
    let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (state, retry) = next_state(d, out.ok, at);
    repo::record(
        &app.db.conn,
        d.id,
        &Attempt {
            at,
            status: out.status,
            latency_ms,
            error: out.error.as_deref(),
            response: out.response.as_deref(),
        },
        state,
        retry,
    )
    .await?;
    if !out.ok {
        tracing::info!(delivery = d.id, webhook = d.webhook_id, status = ?out.status, error = ?out.error, state, "webhook delivery failed");
    }
    Ok(())
}

/// Delivered; or pending again after the backoff while within the day; or failed.
fn next_state(d: &Delivery, ok: bool, at: DateTime<Utc>) -> (&'static str, Option<DateTime<Utc>>) {
    if ok {
        return (repo::DELIVERED, None);
    }
    let next = at + backoff(d.attempts + 1);
    if next <= d.give_up_at {
        (repo::PENDING, Some(next))
    } else {
        (repo::FAILED, None)
    }
}

async fn attempt(app: &App, h: &Webhook, d: &Delivery) -> Outcome {
    let fail = |e: String| Outcome {
        status: None,
        error: Some(e),
        response: None,
        ok: false,
    };
    let out = &app.outgoing;
    if let Some(code) = out.refused(&h.url) {
        return fail(code.to_string());
    }
    let secret = match app.vault.decrypt_opt(h.secret_enc.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(format!("secret: {e}")),
    };
    let kind = Kind::parse(&h.kind).unwrap_or(Kind::Webhook);
    let now = Utc::now();
    let mut req = match (kind, &secret) {
        (Kind::DingTalk, Some(s)) => {
            out.client
                .post(dingtalk_url(&h.url, s, now.timestamp_millis()))
        }
        _ => out.client.post(&h.url),
    }
    .header(reqwest::header::CONTENT_TYPE, "application/json")
    .body(d.body.clone());
    if kind == Kind::Webhook {
        req = req
            .header("X-Consign-Event", &d.event)
            .header("X-Consign-Delivery", &d.event_id);
        if let Some(s) = &secret {
            req = req.header(
                "X-Consign-Signature",
                signature(s, now.timestamp(), &d.body),
            );
        }
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return fail(describe(&e)),
    };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let snippet: String = text.chars().take(RESPONSE_SNIPPET).collect();
    // The robots answer 200 with an error code in the body (a bad key, a bad signature,
    // a keyword the robot does not allow).
    let bot_error = (kind != Kind::Webhook)
        .then(|| serde_json::from_str::<serde_json::Value>(&text).ok())
        .flatten()
        .and_then(|v| v["errcode"].as_i64())
        .filter(|c| *c != 0);
    let ok = status.is_success() && bot_error.is_none();
    Outcome {
        status: Some(i32::from(status.as_u16())),
        error: match (ok, bot_error) {
            (true, _) => None,
            (false, Some(c)) => Some(format!("errcode {c}")),
            (false, None) => Some(format!("HTTP {}", status.as_u16())),
        },
        response: (!snippet.is_empty()).then_some(snippet),
        ok,
    }
}

/// A transport error without the request's URL (a robot's key is in it).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "redirect not followed"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let text = if cause.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {cause}")
    };
    text.chars().take(RESPONSE_SNIPPET).collect()
}
