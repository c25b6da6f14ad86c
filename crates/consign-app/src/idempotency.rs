//! Writes a client may retry (`Idempotency-Key`): the first request does the write and its
//! answer is kept for 24 hours; a retry with the same key and the same request gets that
//! answer again instead of a second write.

use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{Duration, Utc};
use consign_store::idempotency::{self as repo, Claim};
use sha2::{Digest, Sha256};

/// How long an answer is kept.
pub const KEEP: Duration = Duration::hours(24);

/// The header, as clients send it and as errors name it.
pub const HEADER: &str = "Idempotency-Key";

pub enum Begin {
    /// Do the write, then [`finish`] (or [`abandon`] when it fails).
    Proceed,
    /// Answer with what the first request got.
    Replay { status: u16, body: String },
}

/// Checks the key and claims it for this request (`operation` names the endpoint, so the
/// same key on two endpoints is two different requests).
pub async fn begin(
    app: &App,
    actor: &Actor,
    key: &str,
    operation: &str,
    request: &serde_json::Value,
) -> Result<Begin> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::field(HEADER, "err.idempotency_key_invalid"));
    }
    let Some(user_id) = actor.id else {
        return Ok(Begin::Proceed);
    };
    let mut h = Sha256::new();
    h.update(operation.as_bytes());
    h.update([0]);
    h.update(request.to_string().as_bytes());
    let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    match repo::claim(&app.db.conn, user_id, key, &hash, Utc::now()).await? {
        Claim::New => Ok(Begin::Proceed),
        Claim::Done { status, response } => Ok(Begin::Replay {
            status,
            body: response,
        }),
        Claim::InProgress => Err(AppError::Conflict {
            field: HEADER.into(),
            code: "err.idempotency_in_progress",
        }),
        Claim::Mismatch => Err(AppError::field(HEADER, "err.idempotency_mismatch")),
    }
}

/// Keeps the answer of a request that began with [`Begin::Proceed`].
pub async fn finish(app: &App, actor: &Actor, key: &str, status: u16, body: &str) -> Result<()> {
    if let Some(user_id) = actor.id {
        repo::complete(&app.db.conn, user_id, key, status, body).await?;
    }
    Ok(())
}

/// Frees the key of a request that failed, so that a corrected retry may use it.
pub async fn abandon(app: &App, actor: &Actor, key: &str) -> Result<()> {
    if let Some(user_id) = actor.id {
        repo::release(&app.db.conn, user_id, key).await?;
    }
    Ok(())
}

/// Forgets answers older than [`KEEP`] (a periodic job).
pub async fn purge(app: &App) -> Result<u64> {
    Ok(repo::purge(&app.db.conn, Utc::now() - KEEP).await?)
}
