//! Satisfaction surveys on the pages (issue 20): the respondent's answer page behind a
//! signed link (`/s/{token}`, no sign-in), the staff's list of surveys with the links to
//! send, the page of what the answers say (分析 → 满意度调查), and a survey made by hand
//! from a customer's page.

#[allow(unused_imports)]
use super::*;
use crate::charts;
use consign_app::kpis::KpiQuery;
use consign_app::surveys::{self, public, SurveyQuery, SurveyView};
use consign_domain::surveys::{Dimension, SurveyStatus, SurveyTrigger};

pub(crate) fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/s/{token}", get(answer_page).post(answer_submit))
        .route("/surveys", get(list_page))
        .route("/analysis/surveys", get(stats_page))
        .route("/customers/{id}/surveys", post(create))
}

// ---- the respondent's page ----

#[derive(Template)]
#[template(path = "surveys/answer.html")]
struct AnswerTpl {
    lang: Lang,
    /// `form`, or `done` (thanks, answered, expired, not found).
    state: &'static str,
    action: String,
    intro: String,
    until: String,
    title: String,
    message: String,
    errors: FieldErrors,
    values: HashMap<String, String>,
    csat_opts: Vec<(String, String)>,
    nps_opts: Vec<String>,
    five: Vec<String>,
    dims: Vec<(&'static str, String)>,
    other_href: String,
    other_code: &'static str,
}

impl AnswerTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    fn bad(&self, field: &str) -> bool {
        self.errors.0.iter().any(|e| e.field == field)
    }
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .0
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.lang.t(e.code).to_string())
    }
    fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }
}

#[derive(serde::Deserialize)]
struct LangQ {
    lang: Option<String>,
}

/// The respondent's language: the link's `lang`, else the browser's.
fn respondent_lang(headers: &HeaderMap, asked: Option<&str>) -> Lang {
    asked
        .and_then(Lang::parse)
        .unwrap_or_else(|| extract::request_lang(headers, None))
}

fn answer_tpl(lang: Lang, token: &str) -> AnswerTpl {
    let other = if lang == Lang::Zh { Lang::En } else { Lang::Zh };
    AnswerTpl {
        lang,
        state: "done",
        action: format!("/s/{token}?lang={}", lang.code()),
        intro: String::new(),
        until: String::new(),
        title: String::new(),
        message: String::new(),
        errors: FieldErrors::new(),
        values: HashMap::new(),
        csat_opts: (1..=5)
            .map(|v| {
                (
                    v.to_string(),
                    lang.t(&format!("survey.csat.{v}")).to_string(),
                )
            })
            .collect(),
        nps_opts: (0..=10).map(|v| v.to_string()).collect(),
        five: (1..=5).map(|v| v.to_string()).collect(),
        dims: Dimension::ALL
            .iter()
            .map(|d| (d.as_str(), lang.t(d.label_key()).to_string()))
            .collect(),
        other_href: format!("/s/{token}?lang={}", other.code()),
        other_code: other.code(),
    }
}

/// A page that says how things stand (thanks, answered, expired, not a link of ours).
fn done(mut t: AnswerTpl, title: &str, message: String, status: StatusCode) -> Response {
    t.title = t.lang.t(title).to_string();
    t.message = message;
    let mut r = render(&t);
    *r.status_mut() = status;
    r
}

async fn answer_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQ>,
) -> Response {
    let lang = respondent_lang(&headers, q.lang.as_deref());
    let t = answer_tpl(lang, &token);
    match public::open(&app, &token).await {
        Ok(s) => show(&app, t, &s, StatusCode::OK),
        Err(AppError::NotFound) => not_found(t),
        Err(e) => fail(e, lang),
    }
}

fn not_found(t: AnswerTpl) -> Response {
    let m = t.lang.t("survey.not_found").to_string();
    done(t, "survey.not_found_title", m, StatusCode::NOT_FOUND)
}

/// The form of an open survey, or why it takes no answer.
fn show(app: &App, mut t: AnswerTpl, s: &public::OpenSurvey, status: StatusCode) -> Response {
    let lang = t.lang;
    let day = |d: DateTime<Utc>| d.with_timezone(&app.tz()).format("%Y-%m-%d").to_string();
    match s.status {
        SurveyStatus::Answered => {
            let m = lang.t("survey.answered").to_string();
            done(t, "survey.answered_title", m, StatusCode::GONE)
        }
        SurveyStatus::Expired => {
            let m = lang.tf("survey.expired", &[&day(s.expires_at)]);
            done(t, "survey.expired_title", m, StatusCode::GONE)
        }
        SurveyStatus::Open => {
            t.state = "form";
            t.intro = match s.kind {
                SurveyTrigger::Delivery => lang.tf("survey.intro_delivery", &[&s.subject]),
                SurveyTrigger::Ticket => lang.tf("survey.intro_ticket", &[&s.subject]),
                SurveyTrigger::Manual => lang.t("survey.intro_service").to_string(),
            };
            t.until = lang.tf("survey.valid_until", &[&day(s.expires_at)]);
            let mut r = render(&t);
            *r.status_mut() = status;
            r
        }
    }
}

/// The largest answer form taken (its fields are a few numbers and a comment of at most
/// 2,000 characters).
const ANSWER_MAX_BYTES: usize = 32 * 1024;

async fn answer_submit(
    State(app): State<App>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<LangQ>,
    body: axum::body::Bytes,
) -> Response {
    let lang = respondent_lang(&headers, q.lang.as_deref());
    let mut t = answer_tpl(lang, &token);
    if body.len() > ANSWER_MAX_BYTES {
        let m = lang.t("err.too_long").to_string();
        return done(t, "survey.page_title", m, StatusCode::PAYLOAD_TOO_LARGE);
    }
    let form = FormData(serde_urlencoded::from_bytes(&body).unwrap_or_default());
    let get = |k: &str| form.get(k).map(str::to_string);
    match public::answer(&app, &token, lang, get).await {
        Ok(low) => {
            let mut m = lang.t("survey.thanks").to_string();
            if low {
                m = format!("{m} {}", lang.t("survey.thanks_low"));
            }
            done(t, "survey.thanks_title", m, StatusCode::OK)
        }
        Err(AppError::Validation(e)) => {
            t.errors = e;
            t.values = form.0.iter().cloned().collect();
            match public::open(&app, &token).await {
                Ok(s) => show(&app, t, &s, StatusCode::UNPROCESSABLE_ENTITY),
                Err(e) => fail(e, lang),
            }
        }
        Err(AppError::NotFound) => not_found(t),
        Err(AppError::Conflict { code, .. }) => {
            let title = if code == "err.survey_expired" {
                "survey.expired_title"
            } else {
                "survey.answered_title"
            };
            let m = lang.t("survey.answered").to_string();
            done(t, title, m, StatusCode::GONE)
        }
        Err(e) => fail(e, lang),
    }
}

// ---- the staff's list ----

#[derive(Template)]
#[template(path = "surveys/list.html")]
struct ListTpl {
    ctx: Ctx,
    rows: Vec<SurveyView>,
    total: u64,
    page: u64,
    pages: u64,
    statuses: Vec<Opt>,
    kinds: Vec<Opt>,
    from: String,
    to: String,
    customer_id: String,
    /// The customer the list is narrowed to (its name), if any.
    customer_name: Option<String>,
    query_string: String,
    /// The survey just made (its row is highlighted, its link selected).
    made: Option<i64>,
    /// May open improvement actions (from a low answer).
    can_improve: bool,
}

impl ListTpl {
    fn is_made(&self, id: &i64) -> bool {
        self.made == Some(*id)
    }
    fn status_class(&self, s: &SurveyView) -> &'static str {
        status_class(s)
    }
    /// Where an improvement action is opened from a low answer.
    fn improve_link(&self, s: &SurveyView) -> String {
        format!(
            "{}&survey_id={}",
            crate::ui::improvements::new_link(
                "csat",
                &format!("customer:{}", s.customer_id),
                "survey"
            ),
            s.id
        )
    }
    fn page_link(&self, p: u64) -> String {
        let sep = if self.query_string.is_empty() {
            ""
        } else {
            "&"
        };
        format!("/surveys?{}{sep}page={p}", self.query_string)
    }
}

/// A survey's status badge.
pub(crate) fn status_class(s: &SurveyView) -> &'static str {
    match s.status {
        SurveyStatus::Answered if s.low => "badge-red",
        SurveyStatus::Answered => "badge-green",
        SurveyStatus::Open => "badge-blue",
        SurveyStatus::Expired => "badge-gray",
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQ {
    status: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    customer_id: Option<String>,
    page: Option<u64>,
    made: Option<i64>,
}

async fn list_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQ>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let customer = q
        .customer_id
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            c.trim()
                .parse::<i64>()
                .map(CustomerId::trusted)
                .map_err(|_| fail(AppError::NotFound, lang))
        })
        .transpose()?;
    let sq = SurveyQuery {
        status: q.status.clone(),
        kind: q.kind.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        page: q.page,
        per_page: Some(50),
    };
    let p = surveys::list(&app, &u.actor, customer, &sq)
        .await
        .map_err(|e| fail(e, lang))?;
    let customer_name = match customer {
        Some(id) => Some(
            consign_app::scope::visible_customer(&app, &u.actor, id)
                .await
                .map_err(|e| fail(e, lang))?
                .name,
        ),
        None => None,
    };
    let pairs: listing::Pairs = vec![
        ("status", q.status.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("from", q.from.clone().unwrap_or_default()),
        ("to", q.to.clone().unwrap_or_default()),
        ("customer_id", q.customer_id.clone().unwrap_or_default()),
    ];
    let mut ctx = Ctx::new(&app, &u, &uri.to_string(), "analysis");
    if q.made.is_some() {
        ctx.flash = Some(lang.t("survey.made_flash").to_string());
    }
    let cur = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(render(&ListTpl {
        statuses: opts(
            ["open", "answered", "expired", "low"].iter().map(|s| {
                (
                    s.to_string(),
                    lang.t(&format!("survey.status.{s}")).to_string(),
                )
            }),
            &cur(&q.status),
        ),
        kinds: opts(
            SurveyTrigger::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), lang.t(k.label_key()).to_string())),
            &cur(&q.kind),
        ),
        from: cur(&q.from),
        to: cur(&q.to),
        customer_id: cur(&q.customer_id),
        customer_name,
        query_string: listing::query(&pairs, None),
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        made: q.made,
        can_improve: u.actor.role.handles_tickets(),
        ctx,
    }))
}

/// Makes a survey for a customer by hand; its link is shown on the list.
async fn create(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let cid = id
        .parse::<i64>()
        .map(CustomerId::trusted)
        .map_err(|_| fail(AppError::NotFound, lang))?;
    let input = surveys::SurveyInput {
        contact_id: p.form.text("contact_id"),
    };
    let s = surveys::create(&app, &p.user.actor, cid, &input)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!(
        "/surveys?customer_id={cid}&made={}#survey-{}",
        s.id, s.id
    ))
    .into_response())
}

// ---- what the answers say ----

#[derive(Template)]
#[template(path = "surveys/stats.html")]
struct StatsTpl {
    ctx: Ctx,
    from: String,
    to: String,
    window: String,
    cards: Vec<crate::ui::kpis::Card>,
    charts: Vec<(String, String)>,
    /// Per month: month, made, answered, response rate, answers, CSAT, NPS, and the
    /// lists behind them (the month's surveys made, its answers given).
    months: Vec<[String; 9]>,
    gap_chart: String,
    /// Per dimension: label, perception, expectation, gap, answers paired, and where an
    /// improvement action on it is opened.
    gaps: Vec<[String; 6]>,
    /// May open improvement actions on the company's figures.
    can_improve: bool,
    verbatims: Vec<SurveyView>,
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.digits$}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{:.1}%", x * 100.0))
}

async fn stats_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<KpiQuery>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let s = surveys::stats(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = Ctx::new(&app, &u, &uri.to_string(), "analysis");
    let range = format!("from={}&to={}", s.from, s.to);
    let cards = vec![
        (
            "survey.made",
            s.made.to_string(),
            format!("/surveys?{range}"),
        ),
        (
            "survey.answered_n",
            s.answered.to_string(),
            format!("/surveys?{range}&status=answered"),
        ),
        (
            "survey.response_rate",
            pct(s.response_rate),
            format!("/surveys?{range}&status=answered"),
        ),
        (
            "survey.csat",
            num(s.csat, 2),
            format!("/surveys?{range}&status=answered"),
        ),
        (
            "survey.nps",
            num(s.nps, 0),
            format!("/surveys?{range}&status=low"),
        ),
    ]
    .into_iter()
    .map(|(k, value, href)| crate::ui::kpis::Card {
        label: lang.t(k).to_string(),
        value,
        href,
    })
    .collect();
    type Pick = fn(&surveys::SurveyMonth) -> Option<f64>;
    let series: [(&str, Pick, &str, bool); 3] = [
        ("survey.csat", |m| m.csat, "#1456d6", false),
        ("survey.nps", |m| m.nps, "#1a7f4b", false),
        ("survey.response_rate", |m| m.response_rate, "#9a6200", true),
    ];
    let charts = series
        .iter()
        .map(|(key, get, color, percent)| {
            let items: Vec<(String, f64, String)> = s
                .months
                .iter()
                .map(|m| {
                    let v = get(m);
                    let text = if *percent { pct(v) } else { num(v, 1) };
                    (m.month.clone(), v.unwrap_or(0.0), text)
                })
                .collect();
            let percent = *percent;
            let svg = charts::columns(lang.t(key), &items, color, &move |v| {
                if percent {
                    format!("{:.0}%", v * 100.0)
                } else {
                    format!("{v:.1}")
                }
            });
            (lang.t(key).to_string(), svg)
        })
        .collect();
    let months = s
        .months
        .iter()
        .map(|m| {
            // The month's first day and the next month's.
            let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", m.month), "%Y-%m-%d")
                .unwrap_or(s.from);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(s.to);
            let range = format!("from={first}&to={next}");
            [
                m.month.clone(),
                m.made.to_string(),
                m.answered.to_string(),
                pct(m.response_rate),
                m.answers.to_string(),
                num(m.csat, 2),
                num(m.nps, 0),
                format!("/surveys?{range}"),
                format!("/surveys?{range}&status=answered"),
            ]
        })
        .collect();
    let gap_items: Vec<(String, Option<f64>, String)> = s
        .gaps
        .iter()
        .map(|g| {
            (
                lang.t(g.dimension.label_key()).to_string(),
                g.gap,
                g.gap.map_or_else(|| "—".into(), |x| format!("{x:+.2}")),
            )
        })
        .collect();
    let gaps = s
        .gaps
        .iter()
        .map(|g| {
            [
                lang.t(g.dimension.label_key()).to_string(),
                num(g.perception, 2),
                num(g.expectation, 2),
                g.gap.map_or_else(|| "—".into(), |x| format!("{x:+.2}")),
                g.paired.to_string(),
                crate::ui::improvements::new_link(
                    &format!("gap.{}", g.dimension.as_str()),
                    "company",
                    "gap",
                ),
            ]
        })
        .collect();
    Ok(render(&StatsTpl {
        from: s.from.to_string(),
        to: s.to.to_string(),
        window: format!("{} – {}", s.from, s.to.pred_opt().unwrap_or(s.to)),
        cards,
        charts,
        months,
        gap_chart: charts::diverging(lang.t("survey.gaps"), &gap_items, 2.0),
        gaps,
        verbatims: s.verbatims,
        can_improve: consign_app::improvements::leads(u.actor.role),
        ctx,
    }))
}
