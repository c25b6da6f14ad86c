//! Improvement actions (issue 20, PDCA): the actions you may see, one with its figure
//! since the start against the baseline, opening one, and moving it to the next stage.

#[allow(unused_imports)]
use super::*;
use consign_app::improvements::{self as imp, ImprovementInput, ImprovementQuery, StageInput};

/// The improvement actions' routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(get_one))
        .routes(routes!(move_stage))
}

/// Improvement actions you may see (those of customers in your scope, your own, and —
/// for admins, managers and read-only users — those of segments and the company), open
/// ones first by due date
#[utoipa::path(get, path = "/improvements", tag = "improvements", params(ImprovementQuery),
    responses((status = 200, body = imp::ImprovementPage)))]
async fn list(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<ImprovementQuery>,
) -> ApiResult<Response> {
    let p = imp::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Open an improvement action on a figure of a customer (`scope=customer:<id>`), a
/// segment (`value_class:A` …; managers and admins) or the company (`company`); its
/// baseline over the 90 days before is measured and kept
#[utoipa::path(post, path = "/improvements", tag = "improvements", request_body = ImprovementInput,
    responses((status = 201, body = imp::ImprovementView)))]
async fn create(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(input): ApiJson<ImprovementInput>,
) -> ApiResult<Response> {
    let v = imp::create(&app, &u.actor, &input).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// An improvement action with its figure since the start (to the check date) against the
/// baseline, its steps, and the stages you may move it to
#[utoipa::path(get, path = "/improvements/{id}", tag = "improvements", params(IdPath),
    responses((status = 200, body = imp::ImprovementDetail)))]
async fn get_one(
    State(app): State<App>,
    u: ApiUser,
    Path(iid): Path<String>,
) -> ApiResult<Response> {
    let iid = id(&iid, &u)?;
    let d = imp::get(&app, &u.actor, iid).await.or_api(&u)?;
    Ok(Json(d).into_response())
}

/// Move an improvement action to its next stage (plan → do → check → act → closed; act →
/// plan for another round; check → do to carry on): its owner, managers and admins
#[utoipa::path(post, path = "/improvements/{id}/stage", tag = "improvements", params(IdPath),
    request_body = StageInput, responses((status = 200, body = imp::ImprovementDetail)))]
async fn move_stage(
    State(app): State<App>,
    u: ApiUser,
    Path(iid): Path<String>,
    ApiJson(input): ApiJson<StageInput>,
) -> ApiResult<Response> {
    let iid = id(&iid, &u)?;
    let d = imp::move_to(&app, &u.actor, iid, &input).await.or_api(&u)?;
    Ok(Json(d).into_response())
}
