//! Satisfaction surveys (issue 20): the surveys of the customers in scope, one made by
//! hand with its link, what the answers say, and the policy of who is asked.

#[allow(unused_imports)]
use super::*;
use consign_app::kpis::KpiQuery;
use consign_app::surveys::{self, SurveyInput, SurveyQuery};
use consign_domain::customer::CustomerId;
use consign_domain::surveys::SurveyPolicy;

/// The surveys' routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list))
        .routes(routes!(of_customer, create))
        .routes(routes!(stats))
        .routes(routes!(get_policy, put_policy))
}

/// Surveys of the customers you may see, newest first; open ones carry their link when
/// you may send it
#[utoipa::path(get, path = "/surveys", tag = "surveys", params(SurveyQuery),
    responses((status = 200, body = surveys::SurveyPage)))]
async fn list(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<SurveyQuery>,
) -> ApiResult<Response> {
    let p = surveys::list(&app, &u.actor, None, &q).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// A customer's surveys, newest first
#[utoipa::path(get, path = "/customers/{id}/surveys", tag = "surveys", params(IdPath, SurveyQuery),
    responses((status = 200, body = surveys::SurveyPage)))]
async fn of_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<SurveyQuery>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let p = surveys::list(&app, &u.actor, Some(cid), &q)
        .await
        .or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Make a survey for one of a customer's contacts (its primary one by default): the
/// answer holds the link to send; a contact with an e-mail address is also mailed
#[utoipa::path(post, path = "/customers/{id}/surveys", tag = "surveys", params(IdPath),
    request_body = SurveyInput, responses((status = 201, body = surveys::SurveyView)))]
async fn create(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<SurveyInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = surveys::create(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Response rate, CSAT and NPS by month, each dimension's SERVQUAL gap and the latest
/// comments over local days `[from, to)` (default: this month and the eleven before)
#[utoipa::path(get, path = "/surveys/stats", tag = "surveys", params(KpiQuery),
    responses((status = 200, body = surveys::SurveyStats)))]
async fn stats(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Response> {
    let s = surveys::stats(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(s).into_response())
}

/// The survey policy: the share of deliveries asked, the days between two surveys of one
/// contact, surveys after closed tickets, how long a link is valid
#[utoipa::path(get, path = "/policies/survey", tag = "surveys",
    responses((status = 200, body = SurveyPolicy)))]
async fn get_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = surveys::policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Replace the survey policy (admins)
#[utoipa::path(put, path = "/policies/survey", tag = "surveys", request_body = SurveyPolicy,
    responses((status = 200, body = SurveyPolicy)))]
async fn put_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<SurveyPolicy>,
) -> ApiResult<Response> {
    let p = surveys::set_policy(&app, &u.actor, &p).await.or_api(&u)?;
    Ok(Json(p).into_response())
}
