//! The staff side of the portal: inviting a customer's contact (the one-time link shown
//! once, to copy into a message).

#[allow(unused_imports)]
use super::*;
use consign_app::portal::Invitation;

pub(super) fn routes() -> axum::Router<App> {
    use axum::routing::post;
    axum::Router::new().route("/customers/{id}/contacts/{cid}/portal-invite", post(invite))
}

#[derive(Template)]
#[template(path = "portal/invited.html")]
struct InvitedTpl {
    ctx: Ctx,
    customer_id: i64,
    contact: String,
    i: Invitation,
}

async fn invite(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id: CustomerId = id.parse().map_err(|_| fail(AppError::NotFound, lang))?;
    let cid: i64 = cid.parse().map_err(|_| fail(AppError::NotFound, lang))?;
    let i = if p.form.get("email") == Some("1") {
        portal::invite_by_email(&app, &p.user.actor, id, cid).await
    } else {
        portal::invite(&app, &p.user.actor, id, cid).await
    }
    .map_err(|e| fail(e, lang))?;
    let contact = consign_app::portal::accounts(&app, &p.user.actor, id)
        .await
        .map_err(|e| fail(e, lang))?
        .into_iter()
        .find(|a| a.contact_id == Some(cid))
        .map(|a| a.name)
        .unwrap_or_default();
    Ok(render(&InvitedTpl {
        ctx: Ctx::new(
            &app,
            &p.user,
            &format!("/customers/{}", id.get()),
            "customers",
        ),
        customer_id: id.get(),
        contact,
        i,
    }))
}
