//! Users and organisation units (用户管理, admin only): the list of users in the list
//! pattern (filters, column chooser, saved views), adding a user or a unit, and a user's
//! role, unit, sign-in and password.

use super::views::ListViews;
use super::*;
use consign_app::users::{self, UserQuery};
use consign_domain::views::ListKind;

pub(crate) fn routes() -> Router<App> {
    use axum::routing::post;
    Router::new()
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/{id}", post(user_update))
        .route("/admin/units", post(unit_create))
}

#[derive(Template)]
#[template(path = "users/list.html")]
pub(crate) struct UsersTpl {
    pub(crate) ctx: Ctx,
    pub(crate) users: Vec<UserView>,
    pub(crate) roles: Vec<Opt>,
    pub(crate) units: Vec<Opt>,
    pub(crate) form: FormView,
    pub(crate) conflict: String,
    pub(crate) lv: ListViews,
    pub(crate) q: UserQuery,
    pub(crate) filter_errors: String,
    /// The "add user" panel starts open (the last try had a problem).
    pub(crate) adding: bool,
}

impl UsersTpl {
    fn pairs(&self) -> listing::Pairs<'static> {
        pairs(&self.q)
    }
    fn chips(&self) -> Vec<listing::Chip> {
        let t = |k: &str| self.ctx.t(k);
        listing::chips("/admin/users", &self.pairs(), |k, val| {
            Some(match k {
                "q" => (t("common.search"), val.to_string()),
                "role" => (
                    t("user.role"),
                    listing::option_label(&self.role_opts_all(), val),
                ),
                "unit" => (
                    t("user.unit"),
                    listing::option_label(&self.units, val).trim().to_string(),
                ),
                "state" => (t("customer.status"), self.ctx.t(state_key(val))),
                _ => return None,
            })
        })
    }
    fn role_opts_all(&self) -> Vec<Opt> {
        self.roles_with(self.q.role.as_deref().unwrap_or("").trim())
    }
    fn unit_filter_opts(&self) -> Vec<Opt> {
        self.units_with(self.q.unit.as_deref().unwrap_or("").trim())
    }
    fn state_opts(&self) -> Vec<Opt> {
        opts(
            ["active", "disabled"]
                .iter()
                .map(|s| (s.to_string(), self.ctx.t(state_key(s)))),
            self.q.state.as_deref().unwrap_or("").trim(),
        )
    }
    fn role_opts(&self, cur: &Role) -> Vec<Opt> {
        self.roles_with(cur.as_str())
    }
    fn unit_opts(&self, cur: &i64) -> Vec<Opt> {
        self.units_with(&cur.to_string())
    }
    /// Every role, `cur` selected.
    fn roles_with(&self, cur: &str) -> Vec<Opt> {
        opts(
            Role::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), self.ctx.t(r.label_key()))),
            cur,
        )
    }
    /// Every unit (indented by depth), `cur` selected.
    fn units_with(&self, cur: &str) -> Vec<Opt> {
        self.units
            .iter()
            .map(|o| Opt {
                value: o.value.clone(),
                label: o.label.clone(),
                selected: o.value == cur,
            })
            .collect()
    }
}

fn state_key(s: &str) -> &'static str {
    if s == "disabled" {
        "user.disabled"
    } else {
        "user.enabled"
    }
}

fn pairs(q: &UserQuery) -> listing::Pairs<'static> {
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    vec![
        ("q", v(&q.q)),
        ("role", v(&q.role)),
        ("unit", v(&q.unit)),
        ("state", v(&q.state)),
    ]
}

/// The user list's query and the flash a write sends back with.
#[derive(serde::Deserialize, Default)]
pub(crate) struct UsersQ {
    #[serde(flatten)]
    q: UserQuery,
    ok: Option<String>,
}

pub(crate) struct Shown<'a> {
    pub(crate) q: UserQuery,
    pub(crate) view: Option<&'a str>,
    pub(crate) flash: Option<&'a str>,
}

impl Shown<'_> {
    fn plain() -> Shown<'static> {
        Shown {
            q: UserQuery::default(),
            view: None,
            flash: None,
        }
    }
}

pub(crate) async fn users_render(
    app: &App,
    u: &UiUser,
    errors: FieldErrors,
    values: HashMap<String, String>,
    conflict: String,
    shown: Shown<'_>,
) -> UiResult {
    let lang = u.lang;
    let (list, filter_errors) = match users::find(app, &u.actor, &shown.q).await {
        Ok(l) => (l, String::new()),
        Err(AppError::Validation(e)) => (
            users::list(app, &u.actor)
                .await
                .map_err(|e| fail(e, lang))?,
            crate::error::errors_text(lang, &e),
        ),
        Err(e) => return Err(fail(e, lang)),
    };
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
    let ctx = with_flash(Ctx::new(app, u, "/admin/users", "users"), shown.flash);
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
    let lv = super::views::for_page(
        app,
        u,
        ListKind::Users,
        shown.view,
        listing::query(&pairs(&shown.q), None),
    )
    .await?;
    let mut r = render(&UsersTpl {
        roles: opts(
            Role::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), lang.t(r.label_key()).to_string())),
            &cur_role,
        ),
        users: list,
        units: unit_opts,
        adding: !errors.is_empty() || !conflict.is_empty(),
        form: FormView::new(lang, values, errors),
        conflict,
        lv,
        q: shown.q,
        filter_errors,
        ctx,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn users_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<UsersQ>,
    Query(v): Query<super::views::ViewQ>,
) -> UiResult {
    users_render(
        &app,
        &u,
        FieldErrors::new(),
        HashMap::new(),
        String::new(),
        Shown {
            q: q.q,
            view: v.view.as_deref(),
            flash: q.ok.as_deref(),
        },
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
            users_render(&app, &p.user, e, values, String::new(), Shown::plain()).await
        }
        Err(AppError::Conflict { field, code }) => {
            let mut e = FieldErrors::new();
            e.add(field, code);
            users_render(
                &app,
                &p.user,
                e,
                values,
                lang.t(code).to_string(),
                Shown::plain(),
            )
            .await
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
            users_render(
                &app,
                &p.user,
                e,
                HashMap::new(),
                String::new(),
                Shown::plain(),
            )
            .await
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
            users_render(&app, &p.user, e, values, String::new(), Shown::plain()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
