//! User administration and organisation units (SPEC §13).

use crate::audit::{self, Entry};
use crate::auth::{self, Actor};
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::role::Role;
use consign_domain::validate::{self, required_text};
use consign_domain::FieldErrors;
use consign_store::entity::{org_unit, user};
use consign_store::users as repo;
use sea_orm::Set;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = User)]
pub struct UserView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub org_unit_id: i64,
    pub org_unit: String,
    pub disabled: bool,
    pub last_login_at: Option<chrono::DateTime<Utc>>,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub role: String,
    #[serde(default)]
    pub org_unit_id: Option<i64>,
    pub password: String,
}

fn user_json(u: &user::Model) -> serde_json::Value {
    serde_json::json!({
        "username": u.username, "display_name": u.display_name, "role": u.role,
        "org_unit_id": u.org_unit_id, "disabled": u.disabled,
    })
}

/// The organisation's units, for staff.
pub async fn units(app: &App, actor: &Actor) -> Result<Vec<org_unit::Model>> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    Ok(repo::units(&app.db.conn).await?)
}

/// The company root unit, created on first use.
pub async fn root_unit(app: &App, company_name: &str) -> Result<org_unit::Model> {
    let all = repo::units(&app.db.conn).await?;
    if let Some(root) = all.into_iter().find(|u| u.parent_id.is_none()) {
        return Ok(root);
    }
    Ok(repo::create_unit(&app.db.conn, None, company_name, "company").await?)
}

pub async fn create_unit(
    app: &App,
    actor: &Actor,
    parent_id: i64,
    name: &str,
    kind: &str,
) -> Result<org_unit::Model> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let name = errs.check("name", required_text(name, 80));
    if !matches!(kind, "branch" | "team") {
        errs.add("kind", "err.invalid_choice");
    }
    let parent = repo::unit(&app.db.conn, parent_id).await?;
    if parent.is_none() {
        errs.add("parent_id", "err.unknown_unit");
    }
    errs.clone().into_result()?;
    let (Some(name), Some(parent)) = (name, parent) else {
        return Err(AppError::Validation(errs));
    };
    Ok(repo::create_unit(&app.db.conn, Some(&parent), &name, kind).await?)
}

async fn to_view(app: &App, list: Vec<user::Model>) -> Result<Vec<UserView>> {
    let units = repo::units(&app.db.conn).await?;
    list.into_iter()
        .map(|u| {
            Ok(UserView {
                id: u.id,
                org_unit: units
                    .iter()
                    .find(|x| x.id == u.org_unit_id)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                role: AppError::stored("users.role", &u.role, Role::parse(&u.role))?,
                org_unit_id: u.org_unit_id,
                disabled: u.disabled,
                last_login_at: u.last_login_at,
                created_at: u.created_at,
            })
        })
        .collect()
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<UserView>> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let all = repo::all_users(&app.db.conn).await?;
    to_view(app, all).await
}

/// The user list's filters as the UI and the API send them (all text, all optional).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// part of the username, the name or the e-mail (any case)
    pub q: Option<String>,
    #[param(inline, value_type = Option<Role>)]
    pub role: Option<String>,
    /// users of this organisation unit and the units under it
    #[param(pattern = r"^\s*([+-]?[0-9]+)?\s*$")]
    pub unit: Option<String>,
    /// `active` or `disabled`
    #[param(inline, value_type = Option<UserState>)]
    pub state: Option<String>,
}

/// Whether a user may sign in (the user list's `state`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum UserState {
    Active,
    Disabled,
}

/// The users matching `q`, by username (admin). An organisation has hundreds of users at
/// most: they are filtered as read.
pub async fn find(app: &App, actor: &Actor, q: &UserQuery) -> Result<Vec<UserView>> {
    let all = list(app, actor).await?;
    let mut errs = consign_domain::FieldErrors::new();
    let given =
        |s: &Option<String>| consign_domain::params::given(s.as_deref()).map(str::to_string);
    let role = given(&q.role).and_then(|r| {
        let parsed = Role::parse(&r);
        if parsed.is_none() {
            errs.add("role", "err.invalid_choice");
        }
        parsed
    });
    let unit = given(&q.unit).and_then(|u| {
        let parsed = u.strip_prefix('+').unwrap_or(&u).parse::<i64>().ok();
        if parsed.is_none() {
            errs.add("unit", "err.invalid_choice");
        }
        parsed
    });
    let disabled = match given(&q.state).as_deref() {
        None => None,
        Some("active") => Some(false),
        Some("disabled") => Some(true),
        Some(_) => {
            errs.add("state", "err.invalid_choice");
            None
        }
    };
    errs.into_result()?;
    // Users of the unit and the units under it (a unit no one has lists nobody).
    let members: Option<Vec<i64>> = match unit {
        Some(id) => match repo::unit(&app.db.conn, id).await? {
            Some(u) => Some(repo::user_ids_in_subtree(&app.db.conn, &u.path).await?),
            None => Some(Vec::new()),
        },
        None => None,
    };
    let needle = given(&q.q).map(|s| s.to_lowercase());
    Ok(all
        .into_iter()
        .filter(|u| role.is_none_or(|r| u.role == r))
        .filter(|u| disabled.is_none_or(|d| u.disabled == d))
        .filter(|u| members.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .filter(|u| {
            needle.as_ref().is_none_or(|n| {
                u.username.to_lowercase().contains(n)
                    || u.display_name.to_lowercase().contains(n)
                    || u.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(n))
            })
        })
        .collect())
}

/// Users who may own customers and whom `actor` may assign: account managers (and
/// managers) in the actor's scope.
pub async fn assignable_owners(app: &App, actor: &Actor) -> Result<Vec<UserView>> {
    let all = repo::all_users(&app.db.conn).await?;
    let visible: Vec<user::Model> = match actor.role.customer_scope() {
        consign_domain::role::Scope::All => all,
        consign_domain::role::Scope::Unit => {
            let ids = repo::user_ids_in_subtree(&app.db.conn, &actor.unit_path).await?;
            all.into_iter().filter(|u| ids.contains(&u.id)).collect()
        }
        _ => all.into_iter().filter(|u| Some(u.id) == actor.id).collect(),
    };
    let owners = visible
        .into_iter()
        .filter(|u| {
            !u.disabled
                && matches!(
                    Role::parse(&u.role),
                    Some(Role::AccountManager | Role::Manager)
                )
        })
        .collect();
    to_view(app, owners).await
}

pub async fn create(app: &App, actor: &Actor, n: &NewUser) -> Result<UserView> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut errs = FieldErrors::new();
    let username = n.username.trim().to_string();
    if username.is_empty() {
        errs.add("username", "err.required");
    } else if username.len() > 40
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        errs.add("username", "err.code_format");
    }
    let display = errs.check("display_name", required_text(&n.display_name, 40));
    let email = match n.email.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => errs.check("email", validate::email(e).map(Some)).flatten(),
        None => None,
    };
    let role = Role::parse(&n.role);
    if role.is_none() {
        errs.add("role", "err.invalid_choice");
    }
    errs.check("password", auth::validate_password(&n.password));
    let unit = match n.org_unit_id {
        Some(id) => {
            let u = repo::unit(&app.db.conn, id).await?;
            if u.is_none() {
                errs.add("org_unit_id", "err.unknown_unit");
            }
            u
        }
        None => Some(root_unit(app, "总公司").await?),
    };
    if repo::user_by_name(&app.db.conn, &username).await?.is_some() {
        return Err(AppError::Conflict {
            field: "username".into(),
            code: "err.duplicate_username",
        });
    }
    errs.clone().into_result()?;
    let (Some(display), Some(role), Some(unit)) = (display, role, unit) else {
        return Err(AppError::Validation(errs));
    };
    let hash = auth::hash_password(app, &n.password).await?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let u = repo::insert_user(
        &txn,
        user::ActiveModel {
            username: Set(username.clone()),
            display_name: Set(display),
            email: Set(email),
            password_hash: Set(hash),
            role: Set(role.as_str().to_string()),
            org_unit_id: Set(unit.id),
            disabled: Set(false),
            lang: Set(None),
            last_login_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| match e {
        consign_store::StoreError::Unique(_) => AppError::Conflict {
            field: "username".into(),
            code: "err.duplicate_username",
        },
        other => other.into(),
    })?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "user.create",
            entity_type: "user",
            entity_id: u.id.to_string(),
            customer_id: None,
            summary: Some(u.username.clone()),
            said: None,
            before: None,
            after: Some(user_json(&u)),
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(to_view(app, vec![u]).await?.remove(0))
}

async fn find_by_name(app: &App, username: &str) -> Result<user::Model> {
    repo::user_by_name(&app.db.conn, username.trim())
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the actor's own password: the current one must be given (a session left
/// open on a shared computer cannot take the account over).
pub async fn change_own_password(
    app: &App,
    actor: &Actor,
    current: &str,
    password: &str,
) -> Result<u64> {
    let id = actor.id.ok_or(AppError::Forbidden)?;
    if !auth::password_matches(app, id, current).await? {
        return Err(AppError::field(
            "current_password",
            "err.current_password_wrong",
        ));
    }
    write_password(app, actor, id, password).await
}

/// Sets a user's password (an admin's reset, or the CLI). Returns how many API tokens
/// were revoked with it.
pub async fn set_password(app: &App, actor: &Actor, username: &str, password: &str) -> Result<u64> {
    let u = find_by_name(app, username).await?;
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    write_password(app, actor, u.id, password).await
}

/// A new password ends the user's sessions and revokes its API tokens: whoever had the
/// old password may have made one.
async fn write_password(app: &App, actor: &Actor, id: i64, password: &str) -> Result<u64> {
    let u = repo::user(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    auth::validate_password(password).map_err(|c| AppError::field("password", c))?;
    let hash = auth::hash_password(app, password).await?;
    let txn = app.db.begin_write().await?;
    let id = u.id;
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(hash);
    am.updated_at = Set(Utc::now());
    repo::update_user(&txn, am).await?;
    // A new password ends every session of the user and revokes its tokens.
    repo::delete_sessions_of(&txn, id).await?;
    let revoked = repo::revoke_tokens_of(&txn, id, Utc::now()).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "user.password",
            entity_type: "user",
            entity_id: id.to_string(),
            customer_id: None,
            summary: None,
            said: crate::audit::said(
                "audit.summary.tokens_revoked",
                vec![consign_domain::i18n::Arg::text(revoked)],
            ),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(revoked)
}

pub async fn set_disabled(app: &App, actor: &Actor, username: &str, disabled: bool) -> Result<()> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let u = find_by_name(app, username).await?;
    let before = user_json(&u);
    let txn = app.db.begin_write().await?;
    let id = u.id;
    let mut am: user::ActiveModel = u.into();
    am.disabled = Set(disabled);
    am.updated_at = Set(Utc::now());
    let after = repo::update_user(&txn, am).await?;
    if disabled {
        repo::delete_sessions_of(&txn, id).await?;
    }
    audit::record(
        &txn,
        actor,
        Entry {
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            entity_type: "user",
            entity_id: id.to_string(),
            customer_id: None,
            summary: Some(after.username.clone()),
            said: None,
            before: Some(before),
            after: Some(user_json(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(())
}

/// Changes role, unit or name of a user.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    role: Option<&str>,
    org_unit_id: Option<i64>,
    display_name: Option<&str>,
) -> Result<UserView> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let u = repo::user(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = user_json(&u);
    let mut errs = FieldErrors::new();
    let mut am: user::ActiveModel = u.clone().into();
    if let Some(r) = role {
        match Role::parse(r) {
            Some(r) => am.role = Set(r.as_str().into()),
            None => errs.add("role", "err.invalid_choice"),
        }
    }
    if let Some(unit) = org_unit_id {
        if repo::unit(&app.db.conn, unit).await?.is_none() {
            errs.add("org_unit_id", "err.unknown_unit");
        }
        am.org_unit_id = Set(unit);
    }
    if let Some(d) = display_name {
        if let Some(d) = errs.check("display_name", required_text(d, 40)) {
            am.display_name = Set(d);
        }
    }
    errs.into_result()?;
    am.updated_at = Set(Utc::now());
    let txn = app.db.begin_write().await?;
    let after = repo::update_user(&txn, am).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "user.update",
            entity_type: "user",
            entity_id: id.to_string(),
            customer_id: None,
            summary: Some(after.username.clone()),
            said: None,
            before: Some(before),
            after: Some(user_json(&after)),
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(to_view(app, vec![after]).await?.remove(0))
}

/// An API token as its owner sees it (never the secret, which is shown once).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Token)]
pub struct TokenView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn tokens(app: &App, actor: &Actor, user_id: i64) -> Result<Vec<TokenView>> {
    if actor.id != Some(user_id) && !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    Ok(repo::tokens_of(&app.db.conn, user_id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        })
        .collect())
}

/// Every user's display name by id, for naming people in a history the actor may read
/// (staff only: a portal user sees no colleagues).
pub async fn display_names(app: &App, actor: &Actor) -> Result<HashMap<i64, String>> {
    if actor.role == Role::PortalUser {
        return Err(AppError::Forbidden);
    }
    Ok(repo::all_users(&app.db.conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

/// How many users exist (the CLI offers to create the first admin when none does).
pub async fn count(app: &App) -> Result<u64> {
    Ok(repo::count_users(&app.db.conn).await?)
}

/// Used by the CLI: the id of a user by name.
pub async fn id_of(app: &App, username: &str) -> Result<i64> {
    Ok(find_by_name(app, username).await?.id)
}

/// A user a ticket can be given to.
#[derive(Debug, Clone, Serialize)]
pub struct Assignee {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// The users a ticket can be given to, for staff.
pub async fn assignees(app: &App, actor: &Actor) -> Result<Vec<Assignee>> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    ticket_handlers(app).await
}

/// Active users who handle tickets, by name.
pub(crate) async fn ticket_handlers(app: &App) -> Result<Vec<Assignee>> {
    let mut out: Vec<Assignee> = consign_store::users::all_users(&app.db.conn)
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .filter_map(|u| {
            let role = Role::parse(&u.role)?;
            role.handles_tickets().then_some(Assignee {
                id: u.id,
                name: u.display_name,
                role,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
