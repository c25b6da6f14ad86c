//! Webhooks and group bots (issue 22): admins register endpoints, read each one's
//! delivery log, and replay a delivery or every failed one.

#[allow(unused_imports)]
use super::*;
use consign_app::webhooks::{self as hooks, DeliveryQuery, WebhookInput};

/// The webhook routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(deliveries))
        .routes(routes!(delivery))
        .routes(routes!(replay))
        .routes(routes!(replay_failed))
}

/// Every endpoint: integration webhooks and the teams' WeCom and DingTalk robots (admins)
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = [hooks::WebhookView])))]
async fn list(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    Ok(Json(hooks::list(&app, &u.actor).await.or_api(&u)?).into_response())
}

/// Register an endpoint: `{"url", "events": [...], "secret"}` for an integration (each
/// delivery is signed `X-Consign-Signature: t=…,v1=HMAC-SHA256(secret, t.body)`), or
/// `{"kind": "wecom"|"dingtalk", "url", "events", "unit_id", "lang"}` for a team's robot
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = hooks::WebhookView)))]
async fn create(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<Response> {
    let v = hooks::create(&app, &u.actor, &input).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// An endpoint (never its secret; a robot's URL without its key)
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(IdPath),
    responses((status = 200, body = hooks::WebhookView)))]
async fn get_one(State(app): State<App>, u: ApiUser, Path(w): Path<String>) -> ApiResult<Response> {
    let w = id(&w, &u)?;
    Ok(Json(hooks::get(&app, &u.actor, w).await.or_api(&u)?).into_response())
}

/// Change an endpoint; a URL or secret left out stays as it is
#[utoipa::path(put, path = "/webhooks/{id}", tag = "webhooks", params(IdPath),
    request_body = WebhookInput, responses((status = 200, body = hooks::WebhookView)))]
async fn update(
    State(app): State<App>,
    u: ApiUser,
    Path(w): Path<String>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<Response> {
    let w = id(&w, &u)?;
    Ok(Json(hooks::update(&app, &u.actor, w, &input).await.or_api(&u)?).into_response())
}

/// Remove an endpoint and its delivery log
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(IdPath),
    responses((status = 204, description = "Done")))]
async fn delete(State(app): State<App>, u: ApiUser, Path(w): Path<String>) -> ApiResult<Response> {
    let w = id(&w, &u)?;
    hooks::delete(&app, &u.actor, w).await.or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An endpoint's deliveries, newest first: state, tries, the last status, latency and
/// the start of the receiver's answer
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks",
    params(IdPath, DeliveryQuery), responses((status = 200, body = hooks::DeliveryPage)))]
async fn deliveries(
    State(app): State<App>,
    u: ApiUser,
    Path(w): Path<String>,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Response> {
    let w = id(&w, &u)?;
    let (page, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let q = DeliveryQuery {
        page: Some(page),
        per_page: Some(per_page),
        ..q
    };
    Ok(Json(hooks::deliveries(&app, &u.actor, w, &q).await.or_api(&u)?).into_response())
}

/// A delivery with the JSON sent and each try
#[utoipa::path(get, path = "/webhooks/deliveries/{id}", tag = "webhooks", params(IdPath),
    responses((status = 200, body = hooks::DeliveryDetail)))]
async fn delivery(
    State(app): State<App>,
    u: ApiUser,
    Path(d): Path<String>,
) -> ApiResult<Response> {
    let d = id(&d, &u)?;
    Ok(Json(hooks::delivery(&app, &u.actor, d).await.or_api(&u)?).into_response())
}

/// Send a delivery again (same event id), for another day of tries from now
#[utoipa::path(post, path = "/webhooks/deliveries/{id}/replay", tag = "webhooks", params(IdPath),
    responses((status = 200, body = hooks::DeliveryView)))]
async fn replay(State(app): State<App>, u: ApiUser, Path(d): Path<String>) -> ApiResult<Response> {
    let d = id(&d, &u)?;
    Ok(Json(hooks::replay(&app, &u.actor, d).await.or_api(&u)?).into_response())
}

/// Send every failed delivery of an endpoint again
#[utoipa::path(post, path = "/webhooks/{id}/replay-failed", tag = "webhooks", params(IdPath),
    responses((status = 200, body = hooks::Replayed)))]
async fn replay_failed(
    State(app): State<App>,
    u: ApiUser,
    Path(w): Path<String>,
) -> ApiResult<Response> {
    let w = id(&w, &u)?;
    Ok(Json(hooks::replay_failed(&app, &u.actor, w).await.or_api(&u)?).into_response())
}
