//! Administration: settings (users and units: ui/users.rs; the audit log: ui/audit.rs).

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// The administration screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::get;
    axum::Router::new().route("/admin/settings", get(settings_page).post(settings_save))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub(crate) struct SettingsTpl {
    pub(crate) ctx: Ctx,
    pub(crate) reclaim_days: String,
    pub(crate) error: String,
}

pub(crate) async fn settings_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<OkQ>,
) -> UiResult {
    let lang = u.lang;
    if !u.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let d = customers::reclaim_days(&app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = with_flash(
        Ctx::new(&app, &u, "/admin/settings", "settings"),
        q.ok.as_deref(),
    );
    Ok(render(&SettingsTpl {
        ctx,
        reclaim_days: d.to_string(),
        error: String::new(),
    }))
}

pub(crate) async fn settings_save(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    match customers::set_reclaim_days(&app, &p.user.actor, &p.form.text("pool_reclaim_days")).await
    {
        Ok(_) => Ok(Redirect::to("/admin/settings?ok=common.saved").into_response()),
        Err(AppError::Validation(e)) => {
            let ctx = Ctx::new(&app, &p.user, "/admin/settings", "settings");
            let msg =
                e.0.iter()
                    .map(|x| lang.t(x.code))
                    .collect::<Vec<_>>()
                    .join("；");
            let mut r = render(&SettingsTpl {
                ctx,
                reclaim_days: p.form.text("pool_reclaim_days"),
                error: msg,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
