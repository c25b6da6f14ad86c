//! Users, organisation units, API tokens and the audit log.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The user, unit, token and audit routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", axum::routing::patch(update_user))
        .route("/org-units", get(list_units).post(create_unit))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/audit", get(audit_log))
}

pub(crate) async fn list_users(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::list(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(json!({"items": list, "total": list.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    pub(crate) username: String,
    pub(crate) display_name: String,
    #[serde(default)]
    pub(crate) email: Option<String>,
    pub(crate) role: String,
    #[serde(default)]
    pub(crate) org_unit_id: Option<String>,
    pub(crate) password: String,
}

pub(crate) async fn create_user(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<Response> {
    let org_unit_id = match b
        .org_unit_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(s.parse().map_err(|_| {
            WebError::api(AppError::field("org_unit_id", "err.unknown_unit"), u.lang)
        })?),
        None => None,
    };
    let n = users::NewUser {
        username: b.username,
        display_name: b.display_name,
        email: b.email,
        role: b.role,
        org_unit_id,
        password: b.password,
    };
    let v = users::create(&app, &u.actor, &n).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserPatch {
    #[serde(default)]
    pub(crate) role: Option<String>,
    #[serde(default)]
    pub(crate) org_unit_id: Option<String>,
    #[serde(default)]
    pub(crate) display_name: Option<String>,
    #[serde(default)]
    pub(crate) disabled: Option<bool>,
    #[serde(default)]
    pub(crate) password: Option<String>,
}

pub(crate) async fn update_user(
    State(app): State<App>,
    u: ApiUser,
    Path(uid): Path<String>,
    ApiJson(b): ApiJson<UserPatch>,
) -> ApiResult<Response> {
    let uid = id(&uid, &u)?;
    let e = |e| WebError::api(e, u.lang);
    let unit = match b.org_unit_id.as_deref() {
        Some(s) => Some(
            s.trim()
                .parse()
                .map_err(|_| e(AppError::field("org_unit_id", "err.unknown_unit")))?,
        ),
        None => None,
    };
    let mut v = users::update(
        &app,
        &u.actor,
        uid,
        b.role.as_deref(),
        unit,
        b.display_name.as_deref(),
    )
    .await
    .map_err(e)?;
    if let Some(d) = b.disabled {
        users::set_disabled(&app, &u.actor, &v.username, d)
            .await
            .map_err(e)?;
        v.disabled = d;
    }
    if let Some(p) = b.password {
        users::set_password(&app, &u.actor, &v.username, &p)
            .await
            .map_err(e)?;
        // The user's sessions end and its API tokens are revoked with the old password.
    }
    Ok(Json(v).into_response())
}

pub(crate) async fn list_units(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::units(&app, &u.actor).await.or_api(&u)?;
    let items: Vec<_> = list
        .iter()
        .map(|x| json!({"id": x.id.to_string(), "parent_id": x.parent_id.map(|p| p.to_string()), "name": x.name, "kind": x.kind, "path": x.path}))
        .collect();
    Ok(Json(json!({"items": items, "total": items.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUnit {
    pub(crate) parent_id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
}

pub(crate) async fn create_unit(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewUnit>,
) -> ApiResult<Response> {
    let parent = b
        .parent_id
        .trim()
        .parse()
        .map_err(|_| WebError::api(AppError::field("parent_id", "err.unknown_unit"), u.lang))?;
    let x = users::create_unit(&app, &u.actor, parent, &b.name, &b.kind)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(json!({"id": x.id.to_string(), "parent_id": x.parent_id.map(|p| p.to_string()), "name": x.name, "kind": x.kind, "path": x.path}))).into_response())
}

pub(crate) async fn list_tokens(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::tokens(&app, &u.actor, u.actor.user_id())
        .await
        .or_api(&u)?;
    let items: Vec<_> = list
        .iter()
        .map(|t| json!({"id": t.id.to_string(), "name": t.name, "prefix": t.prefix, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at, "expires_at": t.expires_at}))
        .collect();
    Ok(Json(json!({"items": items, "total": items.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    pub(crate) name: String,
    /// Days the token is valid (1–3650); without it, until revoked.
    #[serde(default)]
    pub(crate) expires_days: Option<i64>,
}

pub(crate) async fn create_token(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let (t, raw) = auth::create_token(&app, &u.actor, u.actor.user_id(), &b.name, b.expires_days)
        .await
        .or_api(&u)?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": t.id.to_string(), "name": t.name, "token": raw, "prefix": t.prefix, "expires_at": t.expires_at}),
        ),
    )
        .into_response())
}

pub(crate) async fn revoke_token(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
) -> ApiResult<Response> {
    auth::revoke_token(&app, &u.actor, u.actor.user_id(), id(&tid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub(crate) struct AuditQ {
    pub(crate) actor_id: Option<i64>,
    pub(crate) action: Option<String>,
    pub(crate) entity_type: Option<String>,
    pub(crate) customer_id: Option<i64>,
    pub(crate) page: Option<u64>,
    pub(crate) per_page: Option<u64>,
}

pub(crate) async fn audit_log(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<AuditQ>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 500, &u)?;
    let aq = AuditQuery {
        actor_id: q.actor_id,
        action: q.action,
        entity_type: q.entity_type,
        customer_id: q.customer_id,
        page: page_no,
        per_page,
    };
    let (items, total) = consign_app::audit::list(&app, &u.actor, &aq)
        .await
        .or_api(&u)?;
    Ok(
        Json(json!({"items": items, "total": total, "page": aq.page, "per_page": aq.per_page}))
            .into_response(),
    )
}
