//! The notification list.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/notifications.html")]
pub(crate) struct NotificationsTpl {
    pub(crate) ctx: Ctx,
    pub(crate) n: service::Notifications,
}

pub(crate) async fn notifications_page(State(app): State<App>, u: UiUser) -> UiResult {
    let lang = u.lang;
    let n = service::notifications(&app, &u.actor, lang)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(render(&NotificationsTpl {
        ctx: Ctx::new(&app, &u, "/notifications", "notifications"),
        n,
    }))
}

pub(crate) async fn notifications_read(State(app): State<App>, p: UiPost) -> UiResult {
    service::mark_read(&app, &p.user.actor)
        .await
        .map_err(|e| fail(e, p.user.lang))?;
    Ok(Redirect::to("/notifications").into_response())
}
