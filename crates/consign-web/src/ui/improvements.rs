//! Improvement actions on the pages (issue 20, PDCA): the list, the form that opens one
//! (reached from a KPI, a segment, a SERVQUAL gap or a survey answer with its target
//! filled in), and an action's page with its figure since the start against the
//! baseline and the step to the next stage.

#[allow(unused_imports)]
use super::*;
use consign_app::improvements::{
    self as imp, ImprovementDetail, ImprovementInput, ImprovementQuery, ImprovementView, StageInput,
};
use consign_domain::improvements::{metric, Outcome, Stage, GAPS, METRICS};

pub(crate) fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/improvements", get(list_page).post(create))
        .route("/improvements/new", get(new_page))
        .route("/improvements/{id}", get(detail_page))
        .route("/improvements/{id}/stage", post(move_stage))
}

/// A figure's value as the KPI pages show it.
pub(crate) fn show_value(metric_key: &str, v: Option<f64>) -> String {
    let Some(x) = v else {
        return "—".into();
    };
    match metric_key {
        k if k.starts_with("gap.") => format!("{x:+.2}"),
        k if k.ends_with("_hours") => format!("{x:.1} h"),
        "complaints_per_1000" => format!("{x:.2}‰"),
        "csat" => format!("{x:.2}"),
        "nps" => format!("{x:.0}"),
        _ => format!("{:.1}%", x * 100.0),
    }
}

/// Where an action is opened with its target filled in.
pub(crate) fn new_link(metric_key: &str, scope: &str, source: &str) -> String {
    format!(
        "/improvements/new?metric={}&scope={}&source={source}",
        crate::extract::urlencode(metric_key),
        crate::extract::urlencode(scope)
    )
}

/// The metric a KPI label key stands for, if an action can target it.
pub(crate) fn metric_of_label(label_key: &str) -> Option<&'static str> {
    METRICS.iter().find(|m| m.label == label_key).map(|m| m.key)
}

/// A figure's name: the KPI's, or "差距 · 价格" for a dimension's gap.
fn metric_text(lang: Lang, v: &ImprovementView) -> String {
    if v.metric.starts_with("gap.") {
        format!("{} · {}", lang.t("survey.gap"), lang.t(&v.metric_label))
    } else {
        lang.t(&v.metric_label).to_string()
    }
}

fn scope_text(lang: Lang, v: &ImprovementView) -> String {
    match v.scope.split_once(':') {
        None => lang.t("improvement.scope.company").to_string(),
        Some(("customer", _)) => v.scope_label.clone().unwrap_or_default(),
        Some((kind, key)) => segment_text(lang, kind, key),
    }
}

/// A segment as the KPI pages name it: "价值分类 · A类客户".
pub(crate) fn segment_text(lang: Lang, kind: &str, key: &str) -> String {
    let value = match kind {
        "value_class" => lang.t(&format!("value_class.{key}")).to_string(),
        "grade" => lang.t(&format!("grade.{key}")).to_string(),
        "service_mode" => lang.t(&format!("mode.{key}")).to_string(),
        "industry" => consign_domain::customer::Industry::parse(key)
            .map_or_else(|| key.to_string(), |i| lang.t(i.label_key()).to_string()),
        _ => key.to_string(),
    };
    format!("{} · {value}", lang.t(&format!("kpi.by.{kind}")))
}

fn stage_class(s: Stage) -> &'static str {
    match s {
        Stage::Plan => "badge-gray",
        Stage::Do => "badge-blue",
        Stage::Check => "badge-amber",
        Stage::Act => "badge-purple",
        Stage::Closed => "badge-green",
    }
}

// ---- the list ----

#[derive(Template)]
#[template(path = "improvements/list.html")]
struct ListTpl {
    ctx: Ctx,
    rows: Vec<ImprovementView>,
    total: u64,
    page: u64,
    pages: u64,
    stages: Vec<Opt>,
    mine: bool,
    query_string: String,
    can_open: bool,
}

impl ListTpl {
    fn metric_of(&self, v: &ImprovementView) -> String {
        metric_text(self.ctx.lang, v)
    }
    fn scope_of(&self, v: &ImprovementView) -> String {
        scope_text(self.ctx.lang, v)
    }
    fn value(&self, v: &ImprovementView, x: &Option<f64>) -> String {
        show_value(&v.metric, *x)
    }
    fn stage_class(&self, s: &Stage) -> &'static str {
        stage_class(*s)
    }
    fn page_link(&self, p: u64) -> String {
        let sep = if self.query_string.is_empty() {
            ""
        } else {
            "&"
        };
        format!("/improvements?{}{sep}page={p}", self.query_string)
    }
}

async fn list_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ImprovementQuery>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let p = imp::list(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let cur = q.stage.clone().unwrap_or_default();
    let stages = opts(
        [
            (
                "open".to_string(),
                lang.t("improvement.filter.open").to_string(),
            ),
            (
                "overdue".to_string(),
                lang.t("improvement.filter.overdue").to_string(),
            ),
        ]
        .into_iter()
        .chain(
            Stage::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), lang.t(s.label_key()).to_string())),
        ),
        &cur,
    );
    let pairs: listing::Pairs = vec![
        ("stage", cur),
        ("owner", q.owner.clone().unwrap_or_default()),
        ("customer_id", q.customer_id.clone().unwrap_or_default()),
    ];
    Ok(render(&ListTpl {
        ctx: Ctx::new(&app, &u, &uri.to_string(), "analysis"),
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        stages,
        mine: q.owner.as_deref() == Some("me"),
        query_string: listing::query(&pairs, None),
        can_open: imp::leads(u.actor.role),
    }))
}

// ---- opening one ----

#[derive(Template)]
#[template(path = "improvements/form.html")]
struct FormTpl {
    ctx: Ctx,
    form: FormView,
    metrics: Vec<Opt>,
    owners: Vec<Opt>,
    /// The target as the user reads it, when the link fixed it.
    scope_label: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct NewQ {
    metric: Option<String>,
    scope: Option<String>,
    source: Option<String>,
    survey_id: Option<String>,
}

async fn form_page(
    app: &App,
    u: &UiUser,
    values: HashMap<String, String>,
    errors: FieldErrors,
) -> UiResult {
    let lang = u.lang;
    let people = consign_app::users::assignees(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let metric_opts = METRICS.iter().chain(GAPS.iter()).map(|m| {
        let label = if m.key.starts_with("gap.") {
            format!("{} · {}", lang.t("survey.gap"), lang.t(m.label))
        } else {
            lang.t(m.label).to_string()
        };
        (m.key.to_string(), label)
    });
    let cur_metric = values.get("metric").cloned().unwrap_or_default();
    let owner = values
        .get("owner_id")
        .cloned()
        .unwrap_or_else(|| u.actor.user_id().to_string());
    let scope = values.get("scope").cloned().unwrap_or_default();
    let scope_label = match scope.split_once(':') {
        _ if scope.is_empty() => None,
        None => Some(lang.t("improvement.scope.company").to_string()),
        Some(("customer", id)) => match id.parse::<i64>() {
            Ok(id) => consign_app::scope::visible_customer(app, &u.actor, CustomerId::trusted(id))
                .await
                .ok()
                .map(|c| c.name),
            Err(_) => None,
        },
        Some((kind, key)) => Some(segment_text(lang, kind, key)),
    };
    let mut r = render(&FormTpl {
        ctx: Ctx::new(app, u, "/improvements/new", "analysis"),
        metrics: opts(metric_opts, &cur_metric),
        owners: opts(
            people.into_iter().map(|p| (p.id.to_string(), p.name)),
            &owner,
        ),
        scope_label,
        form: FormView::new(lang, values, errors.clone()),
    });
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_page(State(app): State<App>, u: UiUser, Query(q): Query<NewQ>) -> UiResult {
    let today = app.today();
    let mut values = HashMap::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            values.insert(k.to_string(), v);
        }
    };
    put("metric", q.metric.filter(|m| metric(m).is_some()));
    put("scope", q.scope.or_else(|| Some("company".into())));
    put("source", q.source);
    put("survey_id", q.survey_id);
    put(
        "due_on",
        Some((today + chrono::Duration::days(30)).to_string()),
    );
    put(
        "check_on",
        Some((today + chrono::Duration::days(60)).to_string()),
    );
    form_page(&app, &u, values, FieldErrors::new()).await
}

async fn create(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let f = &p.form;
    let input = ImprovementInput {
        title: f.text("title"),
        metric: f.text("metric"),
        scope: f.text("scope"),
        source: f.text("source"),
        survey_id: f.text("survey_id"),
        goal: f.text("goal"),
        owner_id: f.text("owner_id"),
        plan: f.text("plan"),
        due_on: f.text("due_on"),
        check_on: f.text("check_on"),
    };
    match imp::create(&app, &p.user.actor, &input).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/improvements/{}?ok=improvement.created", v.id)).into_response(),
        ),
        Err(AppError::Validation(e)) => {
            let values = f.0.iter().cloned().collect();
            form_page(&app, &p.user, values, e).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

// ---- one action ----

#[derive(Template)]
#[template(path = "improvements/detail.html")]
struct DetailTpl {
    ctx: Ctx,
    d: ImprovementDetail,
    scope: String,
    baseline: String,
    since: String,
    goal: String,
    check_value: String,
    outcome_class: &'static str,
    outcome_key: &'static str,
    next: Vec<Opt>,
    error: String,
    since_note: String,
    metric_name: String,
    /// The baseline's days, first – last.
    baseline_days: String,
}

impl DetailTpl {
    fn value(&self, x: &Option<f64>) -> String {
        show_value(&self.d.action.metric, *x)
    }
    fn stage_class(&self, s: &Stage) -> &'static str {
        stage_class(*s)
    }
    fn stages(&self) -> &'static [Stage] {
        Stage::ALL
    }
}

#[derive(serde::Deserialize, Default)]
struct DetailQ {
    ok: Option<String>,
}

async fn detail(app: &App, u: &UiUser, id: i64, ok: Option<&str>, error: String) -> UiResult {
    let lang = u.lang;
    let d = imp::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut ctx = Ctx::new(app, u, &format!("/improvements/{id}"), "analysis");
    if let Some(k) = ok.filter(|k| ["improvement.created", "improvement.moved"].contains(k)) {
        ctx.flash = Some(lang.t(k).to_string());
    }
    let a = &d.action;
    let (outcome_class, outcome_key) = match d.outcome {
        Outcome::Better => ("badge-green", "improvement.outcome.better"),
        Outcome::Same => ("badge-gray", "improvement.outcome.same"),
        Outcome::Worse => ("badge-red", "improvement.outcome.worse"),
        Outcome::Unknown => ("badge-gray", "improvement.outcome.unknown"),
    };
    let tpl = DetailTpl {
        scope: scope_text(lang, a),
        baseline: show_value(&a.metric, a.baseline),
        since: show_value(&a.metric, d.since_start),
        goal: a
            .goal
            .map(|g| show_value(&a.metric, Some(g)))
            .unwrap_or_default(),
        check_value: show_value(&a.metric, a.check_value),
        outcome_class,
        outcome_key,
        next: d
            .next
            .iter()
            .map(|s| Opt {
                value: s.as_str().to_string(),
                label: lang.t(s.label_key()).to_string(),
                selected: false,
            })
            .collect(),
        error,
        metric_name: metric_text(lang, a),
        baseline_days: format!(
            "{} – {}",
            a.baseline_from,
            a.baseline_to.pred_opt().unwrap_or(a.baseline_to)
        ),
        since_note: lang.tf(
            "improvement.since_note",
            &[&d.since_from, &d.since_to.pred_opt().unwrap_or(d.since_to)],
        ),
        ctx,
        d,
    };
    let mut r = render(&tpl);
    if !tpl.error.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn detail_page(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQ>,
) -> UiResult {
    let id = id
        .parse::<i64>()
        .map_err(|_| fail(AppError::NotFound, u.lang))?;
    detail(&app, &u, id, q.ok.as_deref(), String::new()).await
}

async fn move_stage(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = id
        .parse::<i64>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    let input = StageInput {
        stage: p.form.text("stage"),
        note: p.form.text("note"),
    };
    match imp::move_to(&app, &p.user.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/improvements/{id}?ok=improvement.moved")).into_response())
        }
        Err(AppError::Validation(e)) => {
            let msg =
                e.0.iter()
                    .map(|x| lang.t(x.code))
                    .collect::<Vec<_>>()
                    .join("；");
            detail(&app, &p.user, id, None, msg).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
