//! Credit on the pages (issue 21): the credit list with the requests to decide, a
//! customer's credit page (terms, exposure, history, held shipments; the form that sets
//! terms or asks for new ones), the hold list, and the credit policy.

mod aging;
mod assessments;
mod collections;
mod policy;

#[allow(unused_imports)]
use super::*;
use consign_app::credit::{
    self as credit, ChangeView, CreditQuery, CreditRow, CreditView, HeldView, TermsInput,
};
use consign_domain::credit::{CreditPolicy, CreditStatus, HoldPolicy, RATINGS};
use consign_domain::ops::Fen;

pub(crate) fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/credit", get(list_page))
        .route("/credit/holds", get(holds_page))
        .route("/credit/aging", get(aging::page))
        .route(
            "/customers/{id}/credit/promises",
            post(collections::promise),
        )
        .route("/credit/holds/{id}/release", post(release_one))
        .route("/credit/requests/{id}/decision", post(decide))
        .route(
            "/credit/policy",
            get(policy::policy_page).post(policy::policy_save),
        )
        .route(
            "/customers/{id}/credit",
            get(customer_page).post(customer_save),
        )
        .route("/customers/{id}/credit/release-all", post(release_all))
        .route(
            "/customers/{id}/credit/assessments",
            post(assessments::assess),
        )
        .route(
            "/customers/{id}/credit/statements",
            post(assessments::statement),
        )
        .route(
            "/customers/{id}/credit/statements/file",
            post(assessments::statement_file),
        )
}

/// The share of the limit used, as "85.2%" (none without a limit).
pub(crate) fn util_text(u: &Option<f64>) -> String {
    match u {
        None => "—".into(),
        Some(x) if !x.is_finite() => "∞".into(),
        Some(x) => format!("{:.1}%", x * 100.0),
    }
}

/// The bar's filled width in percent (capped at 100).
pub(crate) fn util_width(u: &Option<f64>) -> u32 {
    u.map_or(0, |x| {
        if x.is_finite() {
            (x * 100.0).clamp(0.0, 100.0).round() as u32
        } else {
            100
        }
    })
}

pub(crate) fn status_class(s: &CreditStatus) -> &'static str {
    match s {
        CreditStatus::Ok => "badge-green",
        CreditStatus::Warning => "badge-amber",
        CreditStatus::Over => "badge-red",
    }
}

fn limit_text(lang: Lang, l: &Option<Fen>) -> String {
    l.map_or_else(|| lang.t("credit.no_limit").to_string(), |l| l.to_string())
}

fn state_class(s: &str) -> &'static str {
    match s {
        "pending" => "badge-amber",
        "rejected" => "badge-red",
        "approved" => "badge-green",
        _ => "badge-blue",
    }
}

// ---- the list ----

#[derive(Template)]
#[template(path = "credit/list.html")]
struct ListTpl {
    ctx: Ctx,
    rows: Vec<CreditRow>,
    total: u64,
    page: u64,
    pages: u64,
    statuses: Vec<Opt>,
    ratings: Vec<Opt>,
    settlements: Vec<Opt>,
    sorts: Vec<Opt>,
    query_string: String,
    requests: Vec<ChangeView>,
    can_set: bool,
    held: u64,
}

impl ListTpl {
    fn util(&self, r: &CreditRow) -> String {
        util_text(&r.utilization)
    }
    fn width(&self, r: &CreditRow) -> u32 {
        util_width(&r.utilization)
    }
    fn status_class(&self, s: &CreditStatus) -> &'static str {
        status_class(s)
    }
    fn limit(&self, l: &Option<Fen>) -> String {
        limit_text(self.ctx.lang, l)
    }
    fn page_link(&self, p: u64) -> String {
        let sep = if self.query_string.is_empty() {
            ""
        } else {
            "&"
        };
        format!("/credit?{}{sep}page={p}", self.query_string)
    }
    fn terms(&self, c: &ChangeView) -> String {
        terms_text(self.ctx.lang, c)
    }
}

fn terms_text(lang: Lang, c: &ChangeView) -> String {
    format!(
        "{} · {} · {} · {} · {}",
        if c.monthly_settlement {
            lang.t("credit.monthly_settlement")
        } else {
            lang.t("credit.cash")
        },
        limit_text(lang, &c.limit_fen),
        lang.tf("common.days", &[&c.term_days]),
        if c.rating.is_empty() {
            lang.t("credit.unrated").to_string()
        } else {
            c.rating.clone()
        },
        lang.t(c.policy.label_key())
    )
}

async fn list_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<CreditQuery>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let p = credit::list(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let can_set = u.actor.role.can_set_credit();
    let requests = if can_set {
        credit::pending(&app, &u.actor)
            .await
            .map_err(|e| fail(e, lang))?
    } else {
        Vec::new()
    };
    let (_, held) = credit::held(&app, &u.actor, None, 1, 1)
        .await
        .map_err(|e| fail(e, lang))?;
    let status = q.status.clone().unwrap_or_default();
    let rating = q.rating.clone().unwrap_or_default();
    let settle = q
        .monthly_settlement
        .map(|b| b.to_string())
        .unwrap_or_default();
    let sort = q.sort.clone().unwrap_or_default();
    let pairs: listing::Pairs = vec![
        ("status", status.clone()),
        ("rating", rating.clone()),
        ("monthly_settlement", settle.clone()),
        ("sort", sort.clone()),
    ];
    Ok(render(&ListTpl {
        ctx: Ctx::new(&app, &u, &uri.to_string(), "credit"),
        pages: p.pages(),
        total: p.total,
        page: p.page,
        rows: p.items,
        statuses: opts(
            CreditStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), lang.t(s.label_key()).to_string())),
            &status,
        ),
        ratings: opts(
            RATINGS.iter().map(|r| (r.to_string(), r.to_string())),
            &rating,
        ),
        settlements: opts(
            [
                (
                    "true".to_string(),
                    lang.t("credit.monthly_settlement").to_string(),
                ),
                ("false".to_string(), lang.t("credit.cash").to_string()),
            ],
            &settle,
        ),
        sorts: opts(
            ["utilization", "exposure", "code"].iter().map(|s| {
                (
                    s.to_string(),
                    lang.t(&format!("credit.sort.{s}")).to_string(),
                )
            }),
            &sort,
        ),
        query_string: listing::query(&pairs, None),
        requests,
        can_set,
        held,
    }))
}

async fn decide(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = id
        .parse::<i64>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    let approve = p.form.text("approve") == "true";
    match credit::decide(&app, &p.user.actor, id, approve, &p.form.text("note")).await {
        Ok(_) => Ok(Redirect::to("/credit").into_response()),
        Err(e) => Err(fail(e, lang)),
    }
}

// ---- the hold list ----

#[derive(Template)]
#[template(path = "credit/holds.html")]
struct HoldsTpl {
    ctx: Ctx,
    rows: Vec<HeldView>,
    total: u64,
    page: u64,
    pages: u64,
    can_release: bool,
    customer_id: String,
}

impl HoldsTpl {
    fn page_link(&self, p: u64) -> String {
        if self.customer_id.is_empty() {
            format!("/credit/holds?page={p}")
        } else {
            format!("/credit/holds?customer_id={}&page={p}", self.customer_id)
        }
    }
    fn reason(&self, r: &HeldView) -> String {
        self.ctx.t(&format!("credit.hold_reason.{}", r.hold_reason))
    }
}

#[derive(serde::Deserialize, Default)]
struct HoldsQ {
    customer_id: Option<String>,
    page: Option<u64>,
}

async fn holds_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<HoldsQ>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let cid = match q.customer_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.parse::<CustomerId>()
                .map_err(|_| fail(AppError::NotFound, lang))?,
        ),
        None => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let per_page = 50;
    let (rows, total) = credit::held(&app, &u.actor, cid, page, per_page)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(render(&HoldsTpl {
        ctx: Ctx::new(&app, &u, &uri.to_string(), "credit"),
        pages: consign_domain::params::pages(total, per_page),
        total,
        page,
        rows,
        can_release: u.actor.role.can_set_credit(),
        customer_id: q.customer_id.unwrap_or_default(),
    }))
}

async fn release_one(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = id
        .parse::<i64>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    credit::release(&app, &p.user.actor, id, &p.form.text("note"))
        .await
        .map_err(|e| fail(e, lang))?;
    let back = p.form.text("back");
    let back = if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        "/credit/holds".into()
    };
    Ok(Redirect::to(&back).into_response())
}

async fn release_all(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let cid = id
        .parse::<CustomerId>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    credit::release_all(&app, &p.user.actor, cid, &p.form.text("note"))
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!("/customers/{}/credit?ok=released", cid.get())).into_response())
}

// ---- a customer's credit ----

#[derive(Template)]
#[template(path = "credit/customer.html")]
struct CustomerTpl {
    ctx: Ctx,
    customer_id: i64,
    customer_name: String,
    customer_code: String,
    c: CreditView,
    history: Vec<ChangeView>,
    held: Vec<HeldView>,
    receivables: consign_app::billing::Receivables,
    aging_buckets: &'static [consign_domain::billing::AgingBucket],
    form: FormView,
    policies: Vec<Opt>,
    ratings: Vec<Opt>,
    /// Sets terms (credit staff) or asks for them (account managers), or neither.
    can_set: bool,
    can_request: bool,
    flash_key: String,
    assessments: Vec<consign_app::credit::AssessmentView>,
    statements: Vec<consign_app::credit::StatementView>,
    aform: FormView,
    sform: FormView,
    methods: Vec<Opt>,
    factors: Vec<(String, String)>,
    promises: consign_app::credit::Promises,
    pform: FormView,
    /// Takes down promises to pay (account managers and credit staff).
    can_log: bool,
}

impl CustomerTpl {
    fn util(&self) -> String {
        util_text(&self.c.utilization)
    }
    fn width(&self) -> u32 {
        util_width(&self.c.utilization)
    }
    fn status_class(&self) -> &'static str {
        status_class(&self.c.status)
    }
    fn limit(&self, l: &Option<Fen>) -> String {
        limit_text(self.ctx.lang, l)
    }
    fn terms(&self, c: &ChangeView) -> String {
        terms_text(self.ctx.lang, c)
    }
    fn state_class(&self, s: &str) -> &'static str {
        state_class(s)
    }
    fn state_label(&self, s: &str) -> String {
        self.ctx.t(&format!("credit.state.{s}"))
    }
    fn reason(&self, r: &HeldView) -> String {
        self.ctx.t(&format!("credit.hold_reason.{}", r.hold_reason))
    }
    fn promise_class(&self, s: &consign_app::credit::PromiseState) -> &'static str {
        match s {
            consign_app::credit::PromiseState::Kept => "badge-green",
            consign_app::credit::PromiseState::Broken => "badge-red",
            consign_app::credit::PromiseState::Pending => "badge-amber",
        }
    }
    fn promise_label(&self, s: &consign_app::credit::PromiseState) -> String {
        self.ctx.t(match s {
            consign_app::credit::PromiseState::Kept => "credit.promise_state.kept",
            consign_app::credit::PromiseState::Broken => "credit.promise_state.broken",
            consign_app::credit::PromiseState::Pending => "credit.promise_state.pending",
        })
    }
    /// "5C", "5P", "6A": the checklist's name without its factors.
    fn method_short(&self, m: &consign_domain::credit::assessment::Method) -> String {
        let label = self.ctx.t(m.label_key());
        label
            .split(['（', ' ', '('])
            .next()
            .unwrap_or_default()
            .to_string()
    }
    /// The assessments' scores, oldest first, as a small trend line.
    fn score_trend(&self) -> String {
        let scores: Vec<Option<f64>> = self
            .assessments
            .iter()
            .rev()
            .map(|a| Some(a.score))
            .collect();
        crate::charts::sparkline(&self.ctx.t("credit.score_trend"), &scores)
    }
    fn factor(&self, f: &str) -> String {
        self.ctx.t(&format!("credit.factor.{f}"))
    }
    fn ratio_value(&self, r: &consign_domain::credit::ratios::Ratio) -> String {
        assessments::ratio_text(r)
    }
    fn ratio_class(&self, r: &consign_domain::credit::ratios::Ratio) -> &'static str {
        assessments::flag_class(r.flag)
    }
    fn flag_label(&self, r: &consign_domain::credit::ratios::Ratio) -> String {
        self.ctx.t(assessments::flag_key(r.flag))
    }
    fn item(&self, s: &consign_app::credit::StatementView, key: &str) -> String {
        assessments::item_text(&s.items, key)
    }
    fn items(&self) -> &'static [&'static str] {
        assessments::ITEMS
    }
    fn ratio_keys(&self) -> &'static [&'static str] {
        consign_domain::credit::ratios::KEYS
    }
    fn ratio_of<'a>(
        &self,
        s: &'a consign_app::credit::StatementView,
        key: &str,
    ) -> Option<&'a consign_domain::credit::ratios::Ratio> {
        s.ratios.iter().find(|r| r.key == key)
    }
}

/// The forms of a customer's credit page as submitted, with their errors (None: as
/// stored or empty).
#[derive(Default)]
pub(super) struct Forms {
    pub terms: Option<(HashMap<String, String>, FieldErrors)>,
    pub assess: Option<(HashMap<String, String>, FieldErrors)>,
    pub statement: Option<(HashMap<String, String>, FieldErrors)>,
    pub promise: Option<(HashMap<String, String>, FieldErrors)>,
}

#[derive(serde::Deserialize, Default)]
struct OkQ {
    ok: Option<String>,
    /// The checklist the assessment form shows.
    method: Option<String>,
}

fn values_of(c: &CreditView) -> HashMap<String, String> {
    let mut v = HashMap::new();
    if c.monthly_settlement {
        v.insert("monthly_settlement".into(), "on".into());
    }
    v.insert(
        "limit".into(),
        c.limit_fen.map(|l| l.yuan()).unwrap_or_default(),
    );
    v.insert("term_days".into(), c.term_days.to_string());
    v.insert("rating".into(), c.rating.clone());
    v.insert("policy".into(), c.policy.as_str().into());
    v
}

pub(super) async fn customer_view(
    app: &App,
    u: &UiUser,
    cid: CustomerId,
    forms: Forms,
    flash_key: String,
) -> UiResult {
    let lang = u.lang;
    let f = |e| fail(e, lang);
    let c = credit::get(app, &u.actor, cid).await.map_err(f)?;
    let customer = consign_app::scope::visible_customer(app, &u.actor, cid)
        .await
        .map_err(f)?;
    let history = credit::history(app, &u.actor, cid).await.map_err(f)?;
    let (held, _) = credit::held(app, &u.actor, Some(cid), 1, 20)
        .await
        .map_err(f)?;
    let (_, receivables) = consign_app::billing::invoices_for_customer(app, &u.actor, cid, 1, 1)
        .await
        .map_err(f)?;
    let assessments = credit::assessments(app, &u.actor, cid).await.map_err(f)?;
    let statements = credit::statements(app, &u.actor, cid).await.map_err(f)?;
    let (values, errors) = forms
        .terms
        .unwrap_or_else(|| (values_of(&c), FieldErrors::default()));
    let (avalues, aerrors) = forms.assess.unwrap_or_default();
    let (svalues, serrors) = forms.statement.unwrap_or_default();
    let (pvalues, perrors) = forms.promise.unwrap_or_default();
    let failed =
        !errors.is_empty() || !aerrors.is_empty() || !serrors.is_empty() || !perrors.is_empty();
    let promises = credit::promises(app, &u.actor, cid).await.map_err(f)?;
    let cur_method = avalues
        .get("method")
        .cloned()
        .unwrap_or_else(|| "five_c".into());
    let method = consign_domain::credit::assessment::Method::parse(&cur_method).unwrap_or_default();
    let cur_policy = values.get("policy").cloned().unwrap_or_default();
    let cur_rating = values.get("rating").cloned().unwrap_or_default();
    let mut r = render(&CustomerTpl {
        ctx: Ctx::new(
            app,
            u,
            &format!("/customers/{}/credit", cid.get()),
            "credit",
        ),
        customer_id: cid.get(),
        customer_name: customer.name,
        customer_code: customer.code,
        history,
        held,
        receivables,
        aging_buckets: consign_domain::billing::AgingBucket::ALL,
        policies: opts(
            HoldPolicy::ALL
                .iter()
                .map(|p| (p.as_str().to_string(), lang.t(p.label_key()).to_string())),
            &cur_policy,
        ),
        ratings: opts(
            std::iter::once((String::new(), lang.t("credit.unrated").to_string()))
                .chain(RATINGS.iter().map(|r| (r.to_string(), r.to_string()))),
            &cur_rating,
        ),
        can_set: u.actor.role.can_set_credit(),
        can_request: u.actor.role == consign_domain::role::Role::AccountManager,
        form: FormView::new(lang, values, errors),
        aform: FormView::new(lang, avalues, aerrors),
        sform: FormView::new(lang, svalues, serrors),
        pform: FormView::new(lang, pvalues, perrors),
        promises,
        can_log: u.actor.role.can_set_credit()
            || u.actor.role == consign_domain::role::Role::AccountManager,
        methods: opts(
            consign_domain::credit::assessment::Method::ALL
                .iter()
                .map(|m| (m.as_str().to_string(), lang.t(m.label_key()).to_string())),
            &cur_method,
        ),
        factors: method
            .factors()
            .iter()
            .map(|f| {
                (
                    f.to_string(),
                    lang.t(&format!("credit.factor.{f}")).to_string(),
                )
            })
            .collect(),
        assessments,
        statements,
        flash_key,
        c,
    });
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn customer_page(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<OkQ>,
) -> UiResult {
    let cid = id
        .parse::<CustomerId>()
        .map_err(|_| fail(AppError::NotFound, u.lang))?;
    let flash = match q.ok.as_deref() {
        Some("saved") => "credit.saved",
        Some("requested") => "credit.requested",
        Some("released") => "credit.released_ok",
        Some("assessed") => "credit.assessed",
        Some("statement") => "credit.statement_saved",
        Some("promise") => "credit.promise_saved",
        _ => "",
    };
    let forms = Forms {
        assess: q.method.map(|m| {
            (
                HashMap::from([("method".to_string(), m)]),
                FieldErrors::default(),
            )
        }),
        ..Forms::default()
    };
    customer_view(&app, &u, cid, forms, flash.into()).await
}

/// The terms a submitted form gives (money in yuan as people write it).
fn input_of(form: &crate::extract::FormData) -> std::result::Result<TermsInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let limit = form.text("limit");
    let limit_fen = if limit.trim().is_empty() {
        None
    } else {
        match Fen::parse(&limit) {
            Ok(f) => Some(f),
            Err(k) => {
                e.add("limit", k);
                None
            }
        }
    };
    let term = form.text("term_days");
    let term_days = match term.trim().parse::<i64>() {
        Ok(d) => Some(d),
        Err(_) => {
            e.add("term_days", "err.credit_term");
            None
        }
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(TermsInput {
        monthly_settlement: Some(form.checked("monthly_settlement")),
        limit_fen: Some(limit_fen),
        term_days,
        rating: Some(form.text("rating")),
        policy: Some(form.text("policy")),
        reason: Some(form.text("reason")),
    })
}

async fn customer_save(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let cid = id
        .parse::<CustomerId>()
        .map_err(|_| fail(AppError::NotFound, lang))?;
    let values: HashMap<String, String> = p.form.0.iter().cloned().collect();
    let input = match input_of(&p.form) {
        Ok(i) => i,
        Err(e) => {
            let forms = Forms {
                terms: Some((values, e)),
                ..Forms::default()
            };
            return customer_view(&app, &p.user, cid, forms, String::new()).await;
        }
    };
    let done = if p.user.actor.role.can_set_credit() {
        credit::set(&app, &p.user.actor, cid, &input)
            .await
            .map(|_| "saved")
    } else {
        credit::request(&app, &p.user.actor, cid, &input)
            .await
            .map(|_| "requested")
    };
    match done {
        Ok(k) => {
            Ok(Redirect::to(&format!("/customers/{}/credit?ok={k}", cid.get())).into_response())
        }
        Err(AppError::Validation(mut e)) => {
            // The form names the limit in yuan.
            for x in &mut e.0 {
                if x.field == "limit_fen" {
                    x.field = "limit".into();
                }
            }
            let forms = Forms {
                terms: Some((values, e)),
                ..Forms::default()
            };
            customer_view(&app, &p.user, cid, forms, String::new()).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
