//! Users, organisation units, sessions, API tokens and sign-in attempts.

use crate::dialect::stmt;
use crate::entity::{api_token, login_attempt, org_unit, session, user};
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

// ---- organisation units ----

pub async fn units<C: ConnectionTrait>(conn: &C) -> Result<Vec<org_unit::Model>> {
    Ok(org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Path)
        .all(conn)
        .await?)
}

pub async fn unit<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<org_unit::Model>> {
    Ok(org_unit::Entity::find_by_id(id).one(conn).await?)
}

/// Creates a unit under `parent` (None: the company root); its path is `/1/4/9/`.
pub async fn create_unit<C: ConnectionTrait>(
    conn: &C,
    parent: Option<&org_unit::Model>,
    name: &str,
    kind: &str,
) -> Result<org_unit::Model> {
    let created = org_unit::ActiveModel {
        parent_id: Set(parent.map(|p| p.id)),
        name: Set(name.to_string()),
        kind: Set(kind.to_string()),
        path: Set(String::new()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let path = match parent {
        Some(p) => format!("{}{}/", p.path, created.id),
        None => format!("/{}/", created.id),
    };
    let mut am: org_unit::ActiveModel = created.into();
    am.path = Set(path);
    Ok(am.update(conn).await?)
}

/// Ids of the users in a unit and every unit below it.
pub async fn user_ids_in_subtree<C: ConnectionTrait>(
    conn: &C,
    unit_path: &str,
) -> Result<Vec<i64>> {
    let units: Vec<i64> = org_unit::Entity::find()
        .filter(org_unit::Column::Path.starts_with(unit_path))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::OrgUnitId.is_in(units))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

// ---- users ----

pub async fn all_users<C: ConnectionTrait>(conn: &C) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .order_by_asc(user::Column::Username)
        .all(conn)
        .await?)
}

pub async fn count_users<C: ConnectionTrait>(conn: &C) -> Result<u64> {
    Ok(user::Entity::find().count(conn).await?)
}

pub async fn user<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(conn).await?)
}

pub async fn users_by_ids<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<user::Model>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?)
}

pub async fn user_by_name<C: ConnectionTrait>(
    conn: &C,
    username: &str,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(conn)
        .await?)
}

pub async fn insert_user<C: ConnectionTrait>(
    conn: &C,
    am: user::ActiveModel,
) -> Result<user::Model> {
    am.insert(conn).await.map_err(StoreError::from_db)
}

pub async fn update_user<C: ConnectionTrait>(
    conn: &C,
    am: user::ActiveModel,
) -> Result<user::Model> {
    am.update(conn).await.map_err(StoreError::from_db)
}

// ---- sessions ----

pub async fn insert_session<C: ConnectionTrait>(conn: &C, am: session::ActiveModel) -> Result<()> {
    am.insert(conn).await?;
    Ok(())
}

pub async fn extend_session<C: ConnectionTrait>(
    conn: &C,
    id_hash: &str,
    expires: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE sessions SET expires_at = ? WHERE id = ?",
        vec![expires.into(), id_hash.into()],
    ))
    .await?;
    Ok(())
}

pub async fn delete_session<C: ConnectionTrait>(conn: &C, id_hash: &str) -> Result<()> {
    session::Entity::delete_by_id(id_hash.to_string())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete_sessions_of<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64> {
    let r = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

// ---- API tokens ----

pub async fn insert_token<C: ConnectionTrait>(
    conn: &C,
    am: api_token::ActiveModel,
) -> Result<api_token::Model> {
    Ok(am.insert(conn).await?)
}

pub async fn tokens_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?)
}

pub async fn touch_token<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
        vec![now.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_tokens_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<u64> {
    let r = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            vec![now.into(), user_id.into()],
        ))
        .await?;
    Ok(r.rows_affected())
}

pub async fn revoke_token<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let r = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
            vec![now.into(), id.into(), user_id.into()],
        ))
        .await?;
    Ok(r.rows_affected() > 0)
}

// ---- sign-in attempts ----

/// Records an attempt; returns its id.
pub async fn record_attempt<C: ConnectionTrait>(
    conn: &C,
    username: &str,
    ip: &str,
    success: bool,
    at: DateTime<Utc>,
) -> Result<i64> {
    let m = login_attempt::ActiveModel {
        username: Set(username.to_string()),
        ip: Set(ip.to_string()),
        at: Set(at),
        success: Set(success),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(m.id)
}

/// Drops one attempt (one that was refused before its password was checked).
pub async fn forget_attempt<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    login_attempt::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Deletes attempts older than `before` (the nightly housekeeping).
pub async fn purge_attempts<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64> {
    Ok(login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Failed attempts up to attempt `upto` (itself included): of a username since one time,
/// of an address since another.
#[derive(Debug, Clone, Copy)]
pub struct Failures {
    /// Of the username, from any address.
    pub by_user: u64,
    /// From the address, for any username.
    pub by_ip: u64,
    /// When the username's last failure before `upto` happened.
    pub last_before: Option<DateTime<Utc>>,
}

pub async fn failures_since<C: ConnectionTrait>(
    conn: &C,
    (username, user_since): (&str, DateTime<Utc>),
    (ip, ip_since): (&str, DateTime<Utc>),
    upto: i64,
) -> Result<Failures> {
    let failed = |since: DateTime<Utc>| {
        login_attempt::Entity::find()
            .filter(login_attempt::Column::At.gte(since))
            .filter(login_attempt::Column::Success.eq(false))
            .filter(login_attempt::Column::Id.lte(upto))
    };
    let by_user = failed(user_since)
        .filter(login_attempt::Column::Username.eq(username))
        .count(conn)
        .await?;
    let by_ip = failed(ip_since)
        .filter(login_attempt::Column::Ip.eq(ip))
        .count(conn)
        .await?;
    let last_before = failed(user_since)
        .filter(login_attempt::Column::Username.eq(username))
        .filter(login_attempt::Column::Id.lt(upto))
        .order_by_desc(login_attempt::Column::Id)
        .one(conn)
        .await?
        .map(|a| a.at);
    Ok(Failures {
        by_user,
        by_ip,
        last_before,
    })
}

/// Marks an attempt as the successful one.
pub async fn attempt_succeeded<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    login_attempt::Entity::update_many()
        .col_expr(
            login_attempt::Column::Success,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(login_attempt::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets failures of a username after a successful sign-in.
pub async fn clear_failures<C: ConnectionTrait>(conn: &C, username: &str) -> Result<()> {
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::Username.eq(username))
        .filter(login_attempt::Column::Success.eq(false))
        .exec(conn)
        .await?;
    Ok(())
}

/// A caller resolved in one query: the user, its unit's path, and the credential's state.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_unit_id: i64,
    pub disabled: bool,
    pub lang: Option<String>,
    pub unit_path: String,
    /// Session: its CSRF token; token: empty.
    pub csrf_token: String,
    /// Session: its expiry; token: when last used.
    pub stamp: Option<DateTime<Utc>>,
    /// Token id (0 for sessions).
    pub credential_id: i64,
    /// When the session or token was made.
    pub since: Option<DateTime<Utc>>,
    /// Token: when it expires, if it does.
    pub until: Option<DateTime<Utc>>,
}

pub async fn caller_by_session<C: ConnectionTrait>(
    conn: &C,
    id_hash: &str,
) -> Result<Option<Caller>> {
    Ok(<Caller as sea_orm::FromQueryResult>::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT u.id AS user_id, u.username, u.display_name, u.role, u.org_unit_id, u.disabled, u.lang, \
         o.path AS unit_path, s.csrf_token, s.expires_at AS stamp, CAST(0 AS BIGINT) AS credential_id, \
         s.created_at AS since, CASE WHEN 1 = 0 THEN s.expires_at END AS until \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN org_units o ON o.id = u.org_unit_id WHERE s.id = ?",
        vec![id_hash.into()],
    ))
    .one(conn)
    .await?)
}

pub async fn caller_by_token<C: ConnectionTrait>(conn: &C, hash: &str) -> Result<Option<Caller>> {
    Ok(<Caller as sea_orm::FromQueryResult>::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT u.id AS user_id, u.username, u.display_name, u.role, u.org_unit_id, u.disabled, u.lang, \
         o.path AS unit_path, CAST('' AS TEXT) AS csrf_token, t.last_used_at AS stamp, t.id AS credential_id, \
         t.created_at AS since, t.expires_at AS until \
         FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN org_units o ON o.id = u.org_unit_id \
         WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        vec![hash.into()],
    ))
    .one(conn)
    .await?)
}
