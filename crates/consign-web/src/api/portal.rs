//! The portal's staff side in the API (issue 22): inviting a customer's contact and
//! listing a customer's portal accounts.

#[allow(unused_imports)]
use super::*;
use consign_app::portal;

pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(invite))
        .routes(routes!(accounts))
}

/// Invite a customer's contact to the portal: its account (made on the first invitation)
/// and a one-time link that sets its password, valid 7 days (an earlier link stops working)
#[utoipa::path(post, path = "/customers/{id}/contacts/{cid}/portal-invite", tag = "portal",
    params(super::customers::ContactPath), responses((status = 201, body = portal::Invitation)))]
async fn invite(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let i = portal::invite(&app, &u.actor, id(&cid, &u)?, id(&kid, &u)?)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

/// A customer's portal accounts
#[utoipa::path(get, path = "/customers/{id}/portal-accounts", tag = "portal", params(IdPath),
    responses((status = 200, body = [portal::AccountView])))]
async fn accounts(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let a = portal::accounts(&app, &u.actor, id(&cid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(a).into_response())
}
