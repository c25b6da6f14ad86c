//! Accounts and security (SPEC §13): argon2 password hashes, database sessions with a
//! CSRF token each, bearer API tokens, sign-in throttling.

pub use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::{App, AppError, Result};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use consign_domain::{role::Role, Lang};
use consign_store::entity::{api_token, session, user};
use consign_store::users as repo;
use rand::RngCore;
use sea_orm::Set;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How long a checked credential is trusted without asking the database again.
pub const CALLER_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const CALLER_CACHE_MAX: usize = 10_000;

/// Recently checked credentials (session cookies and API tokens, by hash), so that most
/// requests skip the caller query. Every change this process makes to users, units,
/// sessions or tokens empties it, so such a change takes effect at once; one made by
/// another process (the CLI, a second server on the same PostgreSQL) within
/// [`CALLER_TTL`].
#[derive(Default)]
pub struct CallerCache {
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    generation: u64,
    map: HashMap<String, (repo::Caller, Instant)>,
}

impl CallerCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh entry, or the generation to hand to [`CallerCache::put`] after reading.
    fn get(&self, key: &str) -> Result<repo::Caller, u64> {
        let g = self.lock();
        match g.map.get(key) {
            Some((c, at)) if at.elapsed() < CALLER_TTL => Ok(c.clone()),
            _ => Err(g.generation),
        }
    }

    /// Keeps what was read, unless something changed since the read began.
    fn put(&self, key: &str, c: &repo::Caller, generation: u64) {
        let mut g = self.lock();
        if g.generation != generation {
            return;
        }
        if g.map.len() >= CALLER_CACHE_MAX {
            g.map.retain(|_, (_, at)| at.elapsed() < CALLER_TTL);
            if g.map.len() >= CALLER_CACHE_MAX {
                g.map.clear();
            }
        }
        g.map.insert(key.to_string(), (c.clone(), Instant::now()));
    }

    /// Forgets one entry (its credential changed or ended). Reads already under way are
    /// not kept either, so none of them can put the old state back.
    fn forget(&self, key: &str) {
        let mut g = self.lock();
        g.generation += 1;
        g.map.remove(key);
    }

    /// Forgets everything (after a change to users, units, sessions or tokens).
    pub fn clear(&self) {
        let mut g = self.lock();
        g.generation += 1;
        g.map.clear();
    }
}

/// A session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub actor: Actor,
    pub csrf_token: String,
}

const LOCK_WINDOW_MINUTES: i64 = 15;
/// Failures of a username (within [`FAILURE_MEMORY_HOURS`]) before each further attempt
/// must wait: 15 s after the sixth failure, doubling with each one, at most
/// [`MAX_WAIT_MINUTES`] after the last failure. A name under attack is never locked for
/// longer than that: its owner signs in once the wait since the last failure is over.
const MAX_USER_FAILURES: u64 = 5;
const FAILURE_MEMORY_HOURS: i64 = 24;
const MAX_WAIT_MINUTES: i64 = 15;
/// Failures from one address (any usernames) within [`LOCK_WINDOW_MINUTES`].
const MAX_IP_FAILURES: u64 = 30;

/// Whether a username with `failures` (this attempt included) must still wait.
fn locked(failures: u64, last: Option<chrono::DateTime<Utc>>, now: chrono::DateTime<Utc>) -> bool {
    if failures <= MAX_USER_FAILURES {
        return false;
    }
    let Some(last) = last else { return false };
    now - last < wait_after(failures - 1)
}

/// The wait after `failures` failures.
fn wait_after(failures: u64) -> Duration {
    if failures < MAX_USER_FAILURES {
        return Duration::zero();
    }
    let doublings = (failures - MAX_USER_FAILURES).min(16) as u32;
    (Duration::seconds(15) * 2i32.pow(doublings)).min(Duration::minutes(MAX_WAIT_MINUTES))
}

/// At most `max` characters of `s`.
fn clip(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn argon(cost: &str) -> Argon2<'static> {
    let params = if cost == "test" {
        Params::new(1024, 1, 1, None)
    } else {
        Params::new(19 * 1024, 2, 1, None)
    }
    .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Password hashes computed at once, at most: each takes 19 MiB, so a burst of sign-ins
/// waits its turn instead of exhausting memory.
pub const HASHING_AT_ONCE: usize = 4;
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_AT_ONCE);
static HASHING_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static HASHING_PEAK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `f` (a password hash or check) off the async threads, within [`HASHING_AT_ONCE`].
async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    use std::sync::atomic::Ordering::SeqCst;
    let _permit = HASHING.acquire().await.map_err(AppError::from_err)?;
    let now = HASHING_NOW.fetch_add(1, SeqCst) + 1;
    HASHING_PEAK.fetch_max(now, SeqCst);
    let r = tokio::task::spawn_blocking(f).await;
    HASHING_NOW.fetch_sub(1, SeqCst);
    r.map_err(AppError::from_err)
}

/// The most password hashes that ran at once since the process started (for tests).
pub fn hashing_peak() -> usize {
    HASHING_PEAK.load(std::sync::atomic::Ordering::SeqCst)
}

/// Hashes a password (argon2id); runs off the async threads.
pub async fn hash_password(app: &App, password: &str) -> Result<String> {
    let cost = app.settings.password_cost.clone();
    let pw = password.to_string();
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon(&cost)
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("password hashing: {e}")))
    })
    .await?
}

async fn verify_password(hash: String, password: &str) -> bool {
    let pw = password.to_string();
    hashing(move || {
        PasswordHash::new(&hash)
            .map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Whether `password` is the user's (for a change of one's own password).
pub async fn password_matches(app: &App, user_id: i64, password: &str) -> Result<bool> {
    let u = repo::user(&app.db.conn, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(verify_password(u.password_hash, password).await)
}

pub fn validate_password(pw: &str) -> Result<(), &'static str> {
    if pw.chars().count() < 8 {
        Err("err.password_short")
    } else {
        Ok(())
    }
}

/// A random secret for a one-time link (an invitation).
pub fn random_secret() -> String {
    random_token()
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 of a secret token, hex; only this is stored.
pub fn token_hash(raw: &str) -> String {
    let d = Sha256::digest(raw.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn actor_for(app: &App, u: &user::Model, ip: Option<String>) -> Result<Actor> {
    let unit = repo::unit(&app.db.conn, u.org_unit_id).await?;
    Ok(Actor {
        id: Some(u.id),
        username: u.username.clone(),
        name: u.display_name.clone(),
        role: AppError::stored("users.role", &u.role, Role::parse(&u.role))?,
        unit_id: u.org_unit_id,
        unit_path: unit.map(|x| x.path).unwrap_or_else(|| "/".into()),
        lang: u.lang.as_deref().and_then(Lang::parse),
        ip,
    })
}

/// The outcome of a successful sign-in: the cookie value and the session.
pub struct LoginOk {
    pub cookie: String,
    pub session: SessionInfo,
}

/// Why a sign-in failed (each maps to its own message).
#[derive(Debug, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    Disabled,
    Throttled,
}

/// A staff sign-in (a portal user's account does not sign in here).
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<Result<LoginOk, LoginError>> {
    login_for(app, username, password, ip, false).await
}

/// A sign-in at the staff login (`portal` false) or the customer portal's (`portal` true),
/// with the same throttling: an account of the other side fails as a wrong password
/// would, so staff and portal sessions never cross.
pub async fn login_for(
    app: &App,
    username: &str,
    password: &str,
    ip: &str,
    portal: bool,
) -> Result<Result<LoginOk, LoginError>> {
    let conn = &app.db.conn;
    let now = Utc::now();
    let username = clip(username.trim(), 64);
    let ip = clip(ip, 64);
    // The attempt counts as failed from the start, before its password is checked: of
    // many attempts sent at once, each sees those before it, so no more than the limit
    // are checked however many run in parallel.
    let attempt = repo::record_attempt(conn, username, ip, false, now).await?;
    let f = repo::failures_since(
        conn,
        (username, now - Duration::hours(FAILURE_MEMORY_HOURS)),
        (ip, now - Duration::minutes(LOCK_WINDOW_MINUTES)),
        attempt,
    )
    .await?;
    if f.by_ip > MAX_IP_FAILURES || locked(f.by_user, f.last_before, now) {
        // Refused unchecked: not counted, so that hammering a locked name does not keep
        // its owner out (the wait grows with failures, not with refused tries).
        repo::forget_attempt(conn, attempt).await?;
        return Ok(Err(LoginError::Throttled));
    }
    let found = repo::user_by_name(conn, username).await?;
    let Some(u) = found else {
        // Spend the same time as a real check so usernames cannot be probed by timing.
        let _ = verify_password(dummy_hash(app).await, password).await;
        return Ok(Err(LoginError::BadCredentials));
    };
    let side_ok = (u.role == Role::PortalUser.as_str()) == portal;
    if !verify_password(u.password_hash.clone(), password).await || !side_ok {
        let actor = actor_for(app, &u, Some(ip.to_string())).await?;
        audit::record(
            conn,
            &actor,
            Entry {
                action: "auth.login_failed",
                entity_type: "user",
                entity_id: u.id.to_string(),
                customer_id: None,
                summary: None,
                said: None,
                before: None,
                after: None,
            },
        )
        .await?;
        return Ok(Err(LoginError::BadCredentials));
    }
    // Only the right password learns that the account is disabled.
    if u.disabled {
        return Ok(Err(LoginError::Disabled));
    }
    repo::attempt_succeeded(conn, attempt).await?;
    repo::clear_failures(conn, username).await?;
    let mut am: user::ActiveModel = u.clone().into();
    am.last_login_at = Set(Some(now));
    repo::update_user(conn, am).await?;
    let raw = random_token();
    let csrf = random_token();
    repo::insert_session(
        conn,
        session::ActiveModel {
            id: Set(token_hash(&raw)),
            user_id: Set(u.id),
            csrf_token: Set(csrf.clone()),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(app.settings.session_hours)),
            ip: Set(Some(ip.to_string())),
        },
    )
    .await?;
    let actor = actor_for(app, &u, Some(ip.to_string())).await?;
    audit::record(
        conn,
        &actor,
        Entry {
            action: "auth.login",
            entity_type: "user",
            entity_id: u.id.to_string(),
            customer_id: None,
            summary: None,
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(Ok(LoginOk {
        cookie: raw,
        session: SessionInfo {
            actor,
            csrf_token: csrf,
        },
    }))
}

/// A hash of a random password with the configured cost, made once, used to equalize
/// timing for unknown usernames.
async fn dummy_hash(app: &App) -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password(app, &random_token())
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

fn caller_actor(c: &repo::Caller, ip: Option<String>) -> Result<Actor> {
    Ok(Actor {
        id: Some(c.user_id),
        username: c.username.clone(),
        name: c.display_name.clone(),
        role: AppError::stored("users.role", &c.role, Role::parse(&c.role))?,
        unit_id: c.org_unit_id,
        unit_path: c.unit_path.clone(),
        lang: c.lang.as_deref().and_then(Lang::parse),
        ip,
    })
}

/// The caller under `key` from the cache, or from `lookup` (then kept). The lookup is a
/// future that only runs when awaited, so a cache hit costs no query.
async fn cached_caller(
    app: &App,
    key: &str,
    lookup: impl std::future::Future<Output = consign_store::Result<Option<repo::Caller>>>,
) -> Result<Option<repo::Caller>> {
    match app.callers.get(key) {
        Ok(c) => Ok(Some(c)),
        Err(generation) => {
            let c = lookup.await?;
            if let Some(c) = &c {
                app.callers.put(key, c, generation);
            }
            Ok(c)
        }
    }
}

/// The session behind a cookie value, extending it while in use (one query when fresh).
pub async fn session(app: &App, raw: &str, ip: Option<String>) -> Result<Option<SessionInfo>> {
    let now = Utc::now();
    let h = token_hash(raw);
    let key = format!("s:{h}");
    let Some(c) = cached_caller(app, &key, repo::caller_by_session(&app.db.conn, &h)).await? else {
        return Ok(None);
    };
    let expires = c.stamp.unwrap_or(now);
    // However busy, a session ends `session_max_hours` after its sign-in.
    let end = c.since.unwrap_or(now) + Duration::hours(app.settings.session_max_hours);
    if expires <= now || end <= now || c.disabled {
        repo::delete_session(&app.db.conn, &h).await?;
        app.callers.forget(&key);
        return Ok(None);
    }
    let life = Duration::hours(app.settings.session_hours);
    if expires - now < life / 2 && expires < end {
        repo::extend_session(&app.db.conn, &h, (now + life).min(end)).await?;
        app.callers.forget(&key);
    }
    Ok(Some(SessionInfo {
        actor: caller_actor(&c, ip)?,
        csrf_token: c.csrf_token,
    }))
}

pub async fn logout(app: &App, raw: &str) -> Result<()> {
    let h = token_hash(raw);
    repo::delete_session(&app.db.conn, &h).await?;
    app.callers.forget(&format!("s:{h}"));
    Ok(())
}

/// The user behind a bearer token (one query, or none when checked a moment ago; the
/// last-use time is written at most once a minute).
pub async fn token_actor(app: &App, raw: &str, ip: Option<String>) -> Result<Option<Actor>> {
    let h = token_hash(raw);
    let key = format!("t:{h}");
    let Some(c) = cached_caller(app, &key, repo::caller_by_token(&app.db.conn, &h)).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if c.disabled || c.until.is_some_and(|u| u <= now) {
        return Ok(None);
    }
    if c.stamp.is_none_or(|l| now - l > Duration::minutes(1)) {
        repo::touch_token(&app.db.conn, c.credential_id, now).await?;
        // Other entries stay; this one is read again with its new stamp.
        app.callers.forget(&key);
    }
    Ok(Some(caller_actor(&c, ip)?))
}

/// A new token for `user_id`; the secret is returned once and only its hash kept.
pub async fn create_token(
    app: &App,
    actor: &Actor,
    user_id: i64,
    name: &str,
    expires_days: Option<i64>,
) -> Result<(api_token::Model, String)> {
    if actor.id != Some(user_id) && !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let name = consign_domain::validate::required_text(name, 80)
        .map_err(|c| AppError::field("name", c))?;
    if expires_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(AppError::field("expires_days", "err.token_expiry"));
    }
    let now = Utc::now();
    if repo::user(&app.db.conn, user_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let raw = format!("csk_{}", random_token());
    let txn = app.db.begin_write().await?;
    let t = repo::insert_token(
        &txn,
        api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.clone()),
            token_hash: Set(token_hash(&raw)),
            prefix: Set(raw.chars().take(8).collect()),
            created_at: Set(now),
            expires_at: Set(expires_days.map(|d| now + Duration::days(d))),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "token.create",
            entity_type: "api_token",
            entity_id: t.id.to_string(),
            customer_id: None,
            summary: Some(name),
            said: None,
            before: None,
            after: Some(
                serde_json::json!({"user_id": user_id, "name": t.name, "prefix": t.prefix, "expires_at": t.expires_at}),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((t, raw))
}

pub async fn revoke_token(app: &App, actor: &Actor, user_id: i64, token_id: i64) -> Result<()> {
    if actor.id != Some(user_id) && !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let txn = app.db.begin_write().await?;
    if !repo::revoke_token(&txn, user_id, token_id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: "token.revoke",
            entity_type: "api_token",
            entity_id: token_id.to_string(),
            customer_id: None,
            summary: None,
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(())
}
