//! Webhooks and group bots (issue 22): the endpoints, a form to add or change one, and
//! each one's delivery log with replay (admins).

#[allow(unused_imports)]
use super::*;
use consign_app::webhooks::{
    self as hooks, DeliveryDetail, DeliveryPage, DeliveryQuery, WebhookInput, WebhookView,
};
use consign_domain::webhooks::{Kind, BOT_TOPICS, EVENTS};

pub(crate) fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/webhooks", get(list_page).post(create))
        .route("/admin/webhooks/new", get(new_page))
        .route("/admin/webhooks/{id}", get(log_page).post(update))
        .route("/admin/webhooks/{id}/edit", get(edit_page))
        .route("/admin/webhooks/{id}/delete", post(delete))
        .route("/admin/webhooks/{id}/replay-failed", post(replay_failed))
        .route("/admin/webhooks/deliveries/{id}/replay", post(replay))
}

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListTpl {
    ctx: Ctx,
    hooks: Vec<WebhookView>,
}

async fn list_page(State(app): State<App>, u: UiUser, Query(q): Query<OkQ>) -> UiResult {
    let hooks = hooks::list(&app, &u.actor)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let ctx = with_flash(
        Ctx::new(&app, &u, "/admin/webhooks", "webhooks"),
        q.ok.as_deref(),
    );
    Ok(render(&ListTpl { ctx, hooks }))
}

/// One choice among events or topics.
struct Pick {
    value: &'static str,
    label: String,
    on: bool,
}

#[derive(Template)]
#[template(path = "webhooks/form.html")]
struct FormTpl {
    ctx: Ctx,
    id: Option<i64>,
    form: FormView,
    kinds: Vec<Opt>,
    units: Vec<Opt>,
    langs: Vec<Opt>,
    events: Vec<Pick>,
    topics: Vec<Pick>,
    has_secret: bool,
    active: bool,
}

async fn form_view(
    app: &App,
    u: &UiUser,
    id: Option<i64>,
    values: HashMap<String, String>,
    chosen: Vec<String>,
    errors: FieldErrors,
    has_secret: bool,
) -> UiResult {
    let lang = u.lang;
    let kind = values
        .get("kind")
        .cloned()
        .unwrap_or_else(|| "webhook".into());
    let unit = values.get("unit_id").cloned().unwrap_or_default();
    let units = consign_app::users::units(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut unit_opts = vec![Opt {
        value: String::new(),
        label: lang.t("webhook.whole_company").to_string(),
        selected: unit.is_empty(),
    }];
    unit_opts.extend(units.iter().map(|x| Opt {
        value: x.id.to_string(),
        label: x.name.clone(),
        selected: x.id.to_string() == unit,
    }));
    let pick = |all: &[&'static str], is_bot: bool| {
        all.iter()
            .map(|e| Pick {
                value: e,
                label: lang.t(&format!("webhook.event.{e}")).to_string(),
                on: chosen.iter().any(|c| c == e) && (kind != "webhook") == is_bot,
            })
            .collect()
    };
    let cur_lang = values
        .get("lang")
        .cloned()
        .unwrap_or_else(|| "zh-CN".into());
    let active = values
        .get("active")
        .is_none_or(|v| v == "on" || v == "true");
    let path = id.map_or("/admin/webhooks/new".to_string(), |i| {
        format!("/admin/webhooks/{i}/edit")
    });
    let mut r = render(&FormTpl {
        ctx: Ctx::new(app, u, &path, "webhooks"),
        id,
        kinds: [Kind::Webhook, Kind::WeCom, Kind::DingTalk]
            .iter()
            .map(|k| Opt {
                value: k.as_str().into(),
                label: lang.t(k.label_key()).to_string(),
                selected: k.as_str() == kind,
            })
            .collect(),
        units: unit_opts,
        langs: [("zh-CN", "中文"), ("en", "English")]
            .iter()
            .map(|(v, label)| Opt {
                value: (*v).into(),
                label: (*label).into(),
                selected: *v == cur_lang,
            })
            .collect(),
        events: pick(&EVENTS, false),
        topics: pick(&BOT_TOPICS, true),
        form: FormView::new(lang, values, errors.clone()),
        has_secret,
        active,
    });
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_page(State(app): State<App>, u: UiUser) -> UiResult {
    if !u.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, u.lang));
    }
    form_view(
        &app,
        &u,
        None,
        HashMap::new(),
        vec![],
        FieldErrors::default(),
        false,
    )
    .await
}

async fn edit_page(State(app): State<App>, u: UiUser, Path(id): Path<String>) -> UiResult {
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound, u.lang))?;
    let w = hooks::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let values = HashMap::from([
        ("kind".to_string(), w.kind.clone()),
        ("name".to_string(), w.name.clone()),
        // A robot's key is not shown: left empty, the stored URL stays.
        (
            "url".to_string(),
            if w.kind == "webhook" {
                w.url.clone()
            } else {
                String::new()
            },
        ),
        (
            "unit_id".to_string(),
            w.unit_id.map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("lang".to_string(), w.lang.clone()),
        ("active".to_string(), w.active.to_string()),
    ]);
    form_view(
        &app,
        &u,
        Some(id),
        values,
        w.events.clone(),
        FieldErrors::default(),
        w.has_secret,
    )
    .await
}

/// The form as the API's input: the events of the chosen kind only.
fn input(f: &FormData) -> WebhookInput {
    let kind = f.text("kind");
    let field = if kind == "webhook" {
        "events"
    } else {
        "topics"
    };
    let opt = |k: &str| Some(f.text(k)).filter(|s| !s.trim().is_empty());
    WebhookInput {
        kind: Some(kind),
        name: Some(f.text("name")),
        url: opt("url"),
        events: f.all(field),
        secret: opt("secret"),
        unit_id: f.text("unit_id").trim().parse().ok(),
        lang: opt("lang"),
        active: Some(f.checked("active")),
    }
}

async fn save(app: &App, p: &UiPost, id: Option<i64>) -> UiResult {
    let i = input(&p.form);
    let r = match id {
        None => hooks::create(app, &p.user.actor, &i).await,
        Some(id) => hooks::update(app, &p.user.actor, id, &i).await,
    };
    match r {
        Ok(w) => {
            Ok(Redirect::to(&format!("/admin/webhooks/{}?ok=common.saved", w.id)).into_response())
        }
        Err(AppError::Validation(e)) => {
            let mut values: HashMap<String, String> = p.form.0.iter().cloned().collect();
            values.remove("secret");
            values.insert("active".into(), i.active.unwrap_or(true).to_string());
            let had = match id {
                Some(id) => hooks::get(app, &p.user.actor, id)
                    .await
                    .is_ok_and(|w| w.has_secret),
                None => false,
            };
            form_view(app, &p.user, id, values, i.events, e, had).await
        }
        Err(e) => Err(fail(e, p.user.lang)),
    }
}

async fn create(State(app): State<App>, p: UiPost) -> UiResult {
    save(&app, &p, None).await
}

async fn update(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id: i64 = id
        .parse()
        .map_err(|_| fail(AppError::NotFound, p.user.lang))?;
    save(&app, &p, Some(id)).await
}

async fn delete(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id: i64 = id
        .parse()
        .map_err(|_| fail(AppError::NotFound, p.user.lang))?;
    hooks::delete(&app, &p.user.actor, id)
        .await
        .map_err(|e| fail(e, p.user.lang))?;
    Ok(Redirect::to("/admin/webhooks?ok=webhook.deleted").into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
struct LogQ {
    state: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
    open: Option<i64>,
}

#[derive(Template)]
#[template(path = "webhooks/log.html")]
struct LogTpl {
    ctx: Ctx,
    hook: WebhookView,
    page: DeliveryPage,
    pages: u64,
    state: String,
    /// The delivery shown with its body and tries.
    open: Option<DeliveryDetail>,
}

impl LogTpl {
    fn page_link(&self, p: u64) -> String {
        format!(
            "/admin/webhooks/{}?state={}&page={p}",
            self.hook.id, self.state
        )
    }
    fn prev_link(&self) -> Option<String> {
        (self.page.page > 1).then(|| self.page_link(self.page.page - 1))
    }
    fn next_link(&self) -> Option<String> {
        (self.page.page < self.pages).then(|| self.page_link(self.page.page + 1))
    }
    fn is_state(&self, s: &str) -> bool {
        self.state == s
    }
    fn state_label(&self, s: &str) -> String {
        self.ctx.t(&format!("webhook.state.{s}"))
    }
    fn event_label(&self, e: &str) -> String {
        self.ctx.t(&format!("webhook.event.{e}"))
    }
    fn pretty(&self, body: &str) -> String {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| body.to_string())
    }
}

impl ListTpl {
    fn event_label(&self, e: &str) -> String {
        self.ctx.t(&format!("webhook.event.{e}"))
    }
    fn kind_label(&self, k: &str) -> String {
        Kind::parse(k).map_or(k.to_string(), |k| self.ctx.t(k.label_key()))
    }
}

async fn log_page(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<LogQ>,
) -> UiResult {
    let lang = u.lang;
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound, lang))?;
    let hook = hooks::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    let state = q.state.clone().unwrap_or_default();
    let page = hooks::deliveries(
        &app,
        &u.actor,
        id,
        &DeliveryQuery {
            state: Some(state.clone()),
            page: q.page,
            per_page: Some(50),
        },
    )
    .await
    .map_err(|e| fail(e, lang))?;
    let open = match q.open {
        Some(d) => {
            let d = hooks::delivery(&app, &u.actor, d)
                .await
                .map_err(|e| fail(e, lang))?;
            (d.delivery.webhook_id == id).then_some(d)
        }
        None => None,
    };
    let ctx = with_flash(
        Ctx::new(&app, &u, &format!("/admin/webhooks/{id}"), "webhooks"),
        q.ok.as_deref(),
    );
    Ok(render(&LogTpl {
        ctx,
        hook,
        pages: page.pages(),
        page,
        state,
        open,
    }))
}

async fn replay(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound, lang))?;
    let d = hooks::replay(&app, &p.user.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!(
        "/admin/webhooks/{}?ok=webhook.replayed&open={id}",
        d.webhook_id
    ))
    .into_response())
}

async fn replay_failed(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id: i64 = id.parse().map_err(|_| fail(AppError::NotFound, lang))?;
    hooks::replay_failed(&app, &p.user.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?ok=webhook.replayed")).into_response())
}
