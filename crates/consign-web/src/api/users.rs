//! Users, organisation units, API tokens and the audit log.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The caller, user, unit, token and audit routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(me))
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(audit_log))
}

/// Who is calling.
#[derive(Serialize, ToSchema)]
pub(crate) struct Me {
    id: Option<String>,
    username: String,
    display_name: String,
    role: consign_domain::role::Role,
    org_unit_id: String,
    /// The language answers are in (`zh-CN` or `en`).
    lang: &'static str,
}

/// The caller
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = Me)))]
pub(crate) async fn me(u: ApiUser) -> Json<Me> {
    Json(Me {
        id: u.actor.id.map(|i| i.to_string()),
        username: u.actor.username,
        display_name: u.actor.name,
        role: u.actor.role,
        org_unit_id: u.actor.unit_id.to_string(),
        lang: u.lang.code(),
    })
}

/// Users (admin): by name, role, unit and whether they may sign in
#[utoipa::path(get, path = "/users", tag = "users", params(users::UserQuery),
    responses((status = 200, body = Listed<users::UserView>)))]
pub(crate) async fn list_users(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<users::UserQuery>,
) -> ApiResult<Response> {
    let list = users::find(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(Listed::from(list)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewUser)]
pub(crate) struct NewUserBody {
    pub(crate) username: String,
    pub(crate) display_name: String,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[schema(value_type = consign_domain::role::Role)]
    pub(crate) role: String,
    #[serde(default)]
    pub(crate) org_unit_id: Option<String>,
    /// at least 10 characters
    pub(crate) password: String,
}

/// Create a user (admin)
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = users::UserView)))]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserPatch {
    #[serde(default)]
    #[schema(value_type = Option<consign_domain::role::Role>)]
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

/// Change role, unit, name, password or disable (admin)
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = String, Path)),
    request_body = UserPatch, responses((status = 200, body = users::UserView)))]
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

/// An organisation unit: the company, a branch or a team.
#[derive(Serialize, ToSchema)]
pub(crate) struct Unit {
    id: String,
    parent_id: Option<String>,
    name: String,
    /// company, branch or team
    kind: String,
    path: String,
}

/// A unit as the API shows it (the use cases answer the stored row).
macro_rules! unit {
    ($x:expr) => {
        Unit {
            id: $x.id.to_string(),
            parent_id: $x.parent_id.map(|p| p.to_string()),
            name: $x.name.clone(),
            kind: $x.kind.clone(),
            path: $x.path.clone(),
        }
    };
}

/// Organisation units
#[utoipa::path(get, path = "/org-units", tag = "users", responses((status = 200, body = Listed<Unit>)))]
pub(crate) async fn list_units(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::units(&app, &u.actor).await.or_api(&u)?;
    let items: Vec<Unit> = list.iter().map(|x| unit!(x)).collect();
    Ok(Json(Listed::from(items)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUnit {
    /// an existing unit's id
    pub(crate) parent_id: String,
    pub(crate) name: String,
    #[schema(value_type = NewUnitKind)]
    pub(crate) kind: String,
}

/// What a new unit can be.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum NewUnitKind {
    Branch,
    Team,
}

/// Create a branch or team (admin)
#[utoipa::path(post, path = "/org-units", tag = "users", request_body = NewUnit,
    responses((status = 201, body = Unit)))]
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
    Ok((StatusCode::CREATED, Json(unit!(x))).into_response())
}

/// The caller's API tokens
#[utoipa::path(get, path = "/tokens", tag = "auth",
    responses((status = 200, body = Listed<users::TokenView>)))]
pub(crate) async fn list_tokens(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::tokens(&app, &u.actor, u.actor.user_id())
        .await
        .or_api(&u)?;
    Ok(Json(Listed::from(list)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewToken {
    pub(crate) name: String,
    /// 1–3650 days; absent or null: until revoked
    #[serde(default)]
    pub(crate) expires_days: Option<i64>,
}

/// A new API token with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct NewTokenResult {
    id: String,
    name: String,
    token: String,
    prefix: String,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Create an API token (shown once)
#[utoipa::path(post, path = "/tokens", tag = "auth", request_body = NewToken,
    responses((status = 201, body = NewTokenResult)))]
pub(crate) async fn create_token(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let (t, raw) = auth::create_token(&app, &u.actor, u.actor.user_id(), &b.name, b.expires_days)
        .await
        .or_api(&u)?;
    let answer = NewTokenResult {
        id: t.id.to_string(),
        name: t.name,
        token: raw,
        prefix: t.prefix,
        expires_at: t.expires_at,
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Revoke an API token
#[utoipa::path(delete, path = "/tokens/{id}", tag = "auth", params(("id" = String, Path)),
    responses((status = 204, description = "Done")))]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQ {
    pub(crate) actor_id: Option<i64>,
    pub(crate) action: Option<String>,
    pub(crate) entity_type: Option<String>,
    pub(crate) customer_id: Option<i64>,
    #[param(minimum = 1, maximum = 100000)]
    pub(crate) page: Option<u64>,
    #[param(minimum = 1, maximum = 500)]
    pub(crate) per_page: Option<u64>,
}

/// Audit log (admin)
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQ),
    responses((status = 200, body = Page<consign_app::audit::AuditView>)))]
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
    let page = Page {
        items,
        total,
        page: aq.page,
        per_page: aq.per_page,
    };
    Ok(Json(page).into_response())
}
