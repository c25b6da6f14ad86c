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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InviteQ {
    /// `true`: also e-mail the link to the contact's address (needs the mail relay and an
    /// address on the contact, else a 409 before anything changes)
    pub email: Option<bool>,
}

/// Invite a customer's contact to the portal: its account (made on the first invitation)
/// and a one-time link that sets its password, valid 7 days (an earlier link stops
/// working); with `email=true` the link is also e-mailed (`emailed_to`, masked; a relay
/// that fails after the link is made sets `email_failed`, and the link is to be handed over)
#[utoipa::path(post, path = "/customers/{id}/contacts/{cid}/portal-invite", tag = "portal",
    params(super::customers::ContactPath, InviteQ), responses((status = 201, body = portal::Invitation)))]
async fn invite(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<InviteQ>,
) -> ApiResult<Response> {
    let (customer, contact) = (id(&cid, &u)?, id(&kid, &u)?);
    let i = if q.email == Some(true) {
        portal::invite_by_email(&app, &u.actor, customer, contact).await
    } else {
        portal::invite(&app, &u.actor, customer, contact).await
    }
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
