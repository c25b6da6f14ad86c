//! The signed-in user's account: language, password, API tokens.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// The account screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(account_password))
        .route("/account/tokens", post(token_create))
        .route("/account/tokens/{id}/revoke", post(token_revoke))
}

// ---- account ----

#[derive(Template)]
#[template(path = "account/page.html")]
pub(crate) struct AccountTpl {
    pub(crate) ctx: Ctx,
    pub(crate) tokens: Vec<consign_app::users::TokenView>,
    pub(crate) new_token: String,
    pub(crate) error: String,
    pub(crate) username: String,
}

pub(crate) async fn account_render(
    app: &App,
    u: &UiUser,
    new_token: String,
    error: String,
    flash: Option<&str>,
) -> UiResult {
    let lang = u.lang;
    let tokens = consign_app::users::tokens(app, &u.actor, u.actor.user_id())
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = with_flash(Ctx::new(app, u, "/account", "account"), flash);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&AccountTpl {
        ctx,
        tokens,
        new_token,
        error,
        username: u.actor.username.clone(),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn account_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<OkQ>,
) -> UiResult {
    account_render(&app, &u, String::new(), String::new(), q.ok.as_deref()).await
}

pub(crate) async fn account_password(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    match consign_app::users::change_own_password(
        &app,
        &p.user.actor,
        &p.form.text("current_password"),
        &p.form.text("password"),
    )
    .await
    {
        // Changing the password ends every session, this one too.
        Ok(_) => Ok(Redirect::to("/login?done=password").into_response()),
        Err(AppError::Validation(e)) => {
            let msg =
                e.0.iter()
                    .map(|x| lang.t(x.code))
                    .collect::<Vec<_>>()
                    .join("；");
            account_render(&app, &p.user, String::new(), msg, None).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) async fn token_create(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let days = p.form.text("expires_days");
    let expires_days = match days.trim() {
        "" => None,
        d => match d.parse() {
            Ok(d) => Some(d),
            Err(_) => Some(0), // refused by the use case with its message
        },
    };
    match auth::create_token(
        &app,
        &p.user.actor,
        p.user.actor.user_id(),
        &p.form.text("name"),
        expires_days,
    )
    .await
    {
        Ok((_, raw)) => account_render(&app, &p.user, raw, String::new(), None).await,
        Err(AppError::Validation(e)) => {
            let msg =
                e.0.iter()
                    .map(|x| format!("{}: {}", lang.t("user.token_name"), lang.t(x.code)))
                    .collect::<Vec<_>>()
                    .join("；");
            account_render(&app, &p.user, String::new(), msg, None).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) async fn token_revoke(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    auth::revoke_token(&app, &p.user.actor, p.user.actor.user_id(), id)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to("/account?ok=common.saved").into_response())
}
