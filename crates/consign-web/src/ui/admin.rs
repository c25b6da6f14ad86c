//! Administration: users, units, policies, settings (the audit log: ui/audit.rs).

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// The administration screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/{id}", post(user_update))
        .route("/admin/units", post(unit_create))
        .route("/admin/settings", get(settings_page).post(settings_save))
}

// ---- administration ----

#[derive(Template)]
#[template(path = "admin/users.html")]
pub(crate) struct UsersTpl {
    pub(crate) ctx: Ctx,
    pub(crate) users: Vec<UserView>,
    pub(crate) roles: Vec<Opt>,
    pub(crate) units: Vec<Opt>,
    pub(crate) form: FormView,
    pub(crate) conflict: String,
}

impl UsersTpl {
    fn role_opts(&self, cur: &Role) -> Vec<Opt> {
        opts(
            Role::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), self.ctx.t(r.label_key()))),
            cur.as_str(),
        )
    }
    fn unit_opts(&self, cur: &i64) -> Vec<Opt> {
        let c = cur.to_string();
        self.units
            .iter()
            .map(|o| Opt {
                value: o.value.clone(),
                label: o.label.clone(),
                selected: o.value == c,
            })
            .collect()
    }
}

pub(crate) async fn users_render(
    app: &App,
    u: &UiUser,
    errors: FieldErrors,
    values: HashMap<String, String>,
    conflict: String,
    flash: Option<&str>,
) -> UiResult {
    let lang = u.lang;
    let list = users::list(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let units = users::units(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let depth = |p: &str| p.matches('/').count().saturating_sub(2);
    let unit_opts: Vec<Opt> = units
        .iter()
        .map(|x| Opt {
            value: x.id.to_string(),
            label: format!("{}{}", "　".repeat(depth(&x.path)), x.name),
            selected: values.get("org_unit_id") == Some(&x.id.to_string()),
        })
        .collect();
    let ctx = with_flash(Ctx::new(app, u, "/admin/users", "users"), flash);
    let status = if errors.is_empty() && conflict.is_empty() {
        StatusCode::OK
    } else if conflict.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let cur_role = values
        .get("role")
        .cloned()
        .unwrap_or_else(|| "account_manager".into());
    let mut r = render(&UsersTpl {
        roles: opts(
            Role::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), lang.t(r.label_key()).to_string())),
            &cur_role,
        ),
        users: list,
        units: unit_opts,
        form: FormView::new(lang, values, errors),
        conflict,
        ctx,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn users_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<OkQ>,
) -> UiResult {
    users_render(
        &app,
        &u,
        FieldErrors::new(),
        HashMap::new(),
        String::new(),
        q.ok.as_deref(),
    )
    .await
}

pub(crate) async fn user_create(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let f = &p.form;
    let n = users::NewUser {
        username: f.text("username"),
        display_name: f.text("display_name"),
        email: Some(f.text("email")),
        role: f.text("role"),
        org_unit_id: f.get("org_unit_id").and_then(|s| s.parse().ok()),
        password: f.text("password"),
    };
    let values: HashMap<String, String> =
        f.0.iter()
            .filter(|(k, _)| k != "password")
            .cloned()
            .collect();
    match users::create(&app, &p.user.actor, &n).await {
        Ok(_) => Ok(Redirect::to("/admin/users?ok=common.saved").into_response()),
        Err(AppError::Validation(e)) => {
            users_render(&app, &p.user, e, values, String::new(), None).await
        }
        Err(AppError::Conflict { field, code }) => {
            let mut e = FieldErrors::new();
            e.add(field, code);
            users_render(&app, &p.user, e, values, lang.t(code).to_string(), None).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) async fn user_update(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let f = &p.form;
    let a = &p.user.actor;
    let r = match f.get("op") {
        Some("disable") | Some("enable") => {
            let target = users::list(&app, a)
                .await
                .map_err(|e| fail(e, lang))?
                .into_iter()
                .find(|x| x.id == id)
                .ok_or_else(|| fail(AppError::NotFound, lang))?;
            users::set_disabled(&app, a, &target.username, f.get("op") == Some("disable")).await
        }
        Some("password") => {
            let target = users::list(&app, a)
                .await
                .map_err(|e| fail(e, lang))?
                .into_iter()
                .find(|x| x.id == id)
                .ok_or_else(|| fail(AppError::NotFound, lang))?;
            users::set_password(&app, a, &target.username, &f.text("password"))
                .await
                .map(|_| ())
        }
        _ => users::update(
            &app,
            a,
            id,
            f.get("role"),
            f.get("org_unit_id").and_then(|s| s.parse().ok()),
            None,
        )
        .await
        .map(|_| ()),
    };
    match r {
        Ok(()) => Ok(Redirect::to("/admin/users?ok=common.saved").into_response()),
        Err(AppError::Validation(e)) => {
            users_render(&app, &p.user, e, HashMap::new(), String::new(), None).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) async fn unit_create(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let f = &p.form;
    let parent = f.get("parent_id").and_then(|s| s.parse().ok()).unwrap_or(0);
    match users::create_unit(
        &app,
        &p.user.actor,
        parent,
        &f.text("unit_name"),
        &f.text("kind"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/admin/users?ok=common.saved").into_response()),
        Err(AppError::Validation(e)) => {
            let values = f.0.iter().cloned().collect();
            users_render(&app, &p.user, e, values, String::new(), None).await
        }
        Err(e) => Err(fail(e, lang)),
    }
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
