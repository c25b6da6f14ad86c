//! Server-rendered pages. Every core flow works without JavaScript; forms carry the
//! session's CSRF token; all text comes from the zh-CN/en catalogue.

// Handlers return a ready Response as their error (a page or redirect); boxing it buys nothing.
#![allow(clippy::result_large_err)]

use crate::error::{Surface, WebError};
use crate::extract::{self, ClientIp, FormData, ReqLang, UiPost, UiUser};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use consign_app::audit::{AuditQuery, AuditView};
use consign_app::auth::{self, LoginError};
use consign_app::billing::{self, InvoiceView, PaymentView, Receivables};
use consign_app::customers::{
    self, ContactInput, ContactView, CustomerDetail, CustomerInput, CustomerView, DuplicateHit,
    ListQuery, NewCustomer, Page, Revealed,
};
use consign_app::shipments::{self, ShipmentView};
use consign_app::users::{self, UserView};
use consign_app::{App, AppError};
use consign_domain::classify::{Grade, Lifecycle, RfmSegment, ValueClass};
use consign_domain::customer::{
    CustomerKind, CustomerStatus, DataSource, GovLevel, Industry, ServiceMode, PROVINCES,
};
use consign_domain::role::Role;
use consign_domain::shipment::ShipmentStatus;
use consign_domain::{FieldErrors, Lang};
use std::collections::{BTreeMap, HashMap};

pub(crate) type UiResult = Result<Response, Response>;

pub(crate) fn fail(e: AppError, lang: Lang) -> Response {
    WebError::ui(e, lang).into_response()
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/customers") }))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(lang_switch))
        .route("/customers", get(customers_list).post(customer_create))
        .route("/customers/new", get(customer_new))
        .route("/customers/export", get(customers_export))
        .route(
            "/customers/{id}/export/{kind}",
            get(customer_records_export),
        )
        .route("/pool", get(pool_list))
        .route("/customers/{id}", get(customer_show))
        .route("/shipments", get(shipments_page))
        .route("/shipments/{id}", get(shipment_show))
        .route(
            "/imports",
            get(crate::ui_imports::page)
                .post(crate::ui_imports::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(crate::ui_imports::result))
        .route(
            "/tickets",
            get(crate::ui_service::list).post(crate::ui_service::create),
        )
        .route("/tickets/new", get(crate::ui_service::new_form))
        .route("/service", get(crate::ui_service::dashboard))
        .route("/tickets/export", get(crate::ui_service::export))
        .route("/tickets/{id}", get(crate::ui_service::show))
        .route("/tickets/{id}/step", post(crate::ui_service::step))
        .route("/tickets/{id}/assign", post(crate::ui_service::assign))
        .route("/tickets/{id}/comment", post(crate::ui_service::comment))
        .route(
            "/tickets/{id}/attachments",
            post(crate::ui_service::upload)
                .layer(axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024)),
        )
        .route(
            "/tickets/{id}/attachments/{aid}",
            get(crate::ui_service::attachment),
        )
        .route("/analysis", get(crate::ui_analysis::page))
        .route("/analysis/recompute", post(crate::ui_analysis::recompute))
        .route(
            "/admin/classification",
            get(crate::ui_analysis::policy_page).post(crate::ui_analysis::policy_save),
        )
        .route("/imports/{id}/errors.csv", get(crate::ui_imports::report))
        .route(
            "/customers/{id}/edit",
            get(customer_edit).post(customer_update),
        )
        .route("/customers/{id}/merge", get(merge_page).post(merge_submit))
        .route("/customers/{id}/reveal", post(reveal_id_number))
        .route("/customers/{id}/contacts", post(contact_add))
        .route("/customers/{id}/interactions", post(interaction_add))
        .route("/customers/{id}/tasks", post(task_add))
        .route("/tasks", get(crate::ui_service::tasks_page))
        .route(
            "/tasks/{id}/complete",
            post(crate::ui_service::task_complete),
        )
        .route(
            "/customers/{id}/contacts/{cid}/edit",
            get(contact_edit).post(contact_update),
        )
        .route(
            "/customers/{id}/contacts/{cid}/edit/reveal",
            post(contact_reveal_to_edit),
        )
        .route(
            "/customers/{id}/contacts/{cid}/delete",
            post(contact_delete),
        )
        .route(
            "/customers/{id}/contacts/{cid}/reveal",
            post(contact_reveal),
        )
        .route("/customers/{id}/do/{action}", post(customer_action))
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/{id}", post(user_update))
        .route("/admin/units", post(unit_create))
        .route("/admin/audit", get(audit_page))
        .route(
            "/admin/sla",
            get(crate::ui_service::sla_page).post(crate::ui_service::sla_save),
        )
        .route("/admin/settings", get(settings_page).post(settings_save))
        .route("/account", get(account_page))
        .route("/notifications", get(crate::ui_service::notifications_page))
        .route(
            "/notifications/read",
            post(crate::ui_service::notifications_read),
        )
        .route("/account/password", post(account_password))
        .route("/account/tokens", post(token_create))
        .route("/account/tokens/{id}/revoke", post(token_revoke))
}

// ---- page context and formatting ----

/// What every page's layout needs.
pub struct Ctx {
    pub lang: Lang,
    pub user_name: String,
    pub role_label: String,
    pub csrf: String,
    pub path: String,
    pub nav: &'static str,
    pub is_admin: bool,
    /// May import files (operations data or customers).
    pub can_import: bool,
    /// May see the manager's dashboard.
    pub can_analyse: bool,
    /// Sees the service desk (every role but portal users).
    pub can_service: bool,
    /// Unread notifications.
    pub unread: i64,
    pub flash: Option<String>,
    pub tz: chrono_tz::Tz,
}

impl Ctx {
    pub(crate) fn new(app: &App, u: &UiUser, path: &str, nav: &'static str) -> Ctx {
        Ctx {
            lang: u.lang,
            user_name: u.actor.name.clone(),
            role_label: u.lang.t(u.actor.role.label_key()).to_string(),
            csrf: u.csrf.clone(),
            path: path.to_string(),
            nav,
            is_admin: u.actor.role.is_admin(),
            can_import: u.actor.role.can_write_operations() || u.actor.role.can_edit_customers(),
            can_analyse: u.actor.role.can_analyse(),
            can_service: u.actor.role != Role::PortalUser,
            unread: u.unread,
            flash: None,
            tz: app.tz(),
        }
    }
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key).to_string()
    }
    pub fn total(&self, n: &u64) -> String {
        self.lang.tf("common.total", &[n])
    }
    /// A count that stopped at `n`: more than `n`.
    pub fn total_more(&self, n: &u64) -> String {
        self.lang.tf("common.total_more", &[n])
    }
    pub fn page_only(&self, page: &u64) -> String {
        self.lang.tf("common.page_only", &[page])
    }
    /// A message with one number filled in.
    pub fn tf1(&self, key: &str, n: &i64) -> String {
        self.lang.tf(key, &[n])
    }
    /// A message with two values filled in.
    pub fn tf2(&self, key: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display) -> String {
        self.lang.tf(key, &[a, b])
    }
    /// A message with three values filled in.
    pub fn tf3(
        &self,
        key: &str,
        a: &dyn std::fmt::Display,
        b: &dyn std::fmt::Display,
        c: &dyn std::fmt::Display,
    ) -> String {
        self.lang.tf(key, &[a, b, c])
    }
    pub fn page_of(&self, page: &u64, pages: &u64) -> String {
        self.lang.tf("common.page", &[page, pages])
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }
    pub fn next(&self) -> String {
        extract::urlencode(&self.path)
    }
    pub fn active(&self, nav: &str) -> &'static str {
        if self.nav == nav {
            "active"
        } else {
            ""
        }
    }
    /// 2026-11-27 16:44 in the company's time zone.
    pub fn dt(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
    pub fn date(&self, t: &DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }
    pub fn opt_dt(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(|t| self.dt(t)).unwrap_or_default()
    }
    pub fn invoice_state_class(&self, s: &consign_domain::billing::InvoiceState) -> &'static str {
        match s {
            consign_domain::billing::InvoiceState::Paid => "badge-green",
            consign_domain::billing::InvoiceState::Open => "badge-blue",
            consign_domain::billing::InvoiceState::Overdue => "badge-red",
        }
    }
    pub fn opt_method(&self, m: &Option<consign_domain::billing::PaymentMethod>) -> String {
        m.map(|m| self.t(m.label_key())).unwrap_or_default()
    }
    /// ¥12,345.67
    pub fn money(&self, fen: &i64) -> String {
        consign_domain::ops::format_fen(*fen)
    }
    /// 12.5 kg
    pub fn kg(&self, grams: &i64) -> String {
        format!("{} kg", consign_domain::ops::format_scaled(*grams, 3))
    }
    /// 0.125 m³
    pub fn m3(&self, cm3: &i64) -> String {
        format!("{} m³", consign_domain::ops::format_scaled(*cm3, 6))
    }
    pub fn opt_mode(&self, m: &Option<consign_domain::customer::ServiceMode>) -> String {
        m.map(|m| self.t(m.label_key())).unwrap_or_default()
    }
    pub fn shipment_status_class(&self, s: &ShipmentStatus) -> &'static str {
        match s {
            ShipmentStatus::Delivered => "badge-green",
            ShipmentStatus::InTransit => "badge-blue",
            ShipmentStatus::Created => "badge-gray",
            ShipmentStatus::Returned => "badge-amber",
            ShipmentStatus::Cancelled => "badge-red",
        }
    }
}

pub(crate) fn with_flash(mut ctx: Ctx, ok: Option<&str>) -> Ctx {
    const ALLOWED: &[&str] = &[
        "customer.created",
        "customer.updated",
        "common.saved",
        "contact.revealed",
        "followup.logged",
        "followup.task_added",
    ];
    if let Some(k) = ok.filter(|k| ALLOWED.contains(k)) {
        ctx.flash = Some(ctx.lang.t(k).to_string());
    }
    ctx
}

pub(crate) fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    lang: Lang,
    status: u16,
    message: String,
}

impl ErrorTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
}

pub fn error_page(lang: Lang, status: u16, message: &str) -> String {
    ErrorTpl {
        lang,
        status,
        message: message.to_string(),
    }
    .render()
    .unwrap_or_else(|_| message.to_string())
}

pub async fn not_found(ReqLang(lang): ReqLang) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(error_page(lang, 404, lang.t("page.not_found"))),
    )
        .into_response()
}

/// A form's submitted values and its field errors, as the templates print them.
pub struct FormView {
    pub lang: Lang,
    pub values: HashMap<String, String>,
    pub errors: FieldErrors,
}

impl FormView {
    pub fn new(lang: Lang, values: HashMap<String, String>, errors: FieldErrors) -> FormView {
        FormView {
            lang,
            values,
            errors,
        }
    }
    /// The localized error of a field, or "".
    pub fn err(&self, f: &str) -> String {
        self.errors
            .get(f)
            .map(|c| self.lang.t(c).to_string())
            .unwrap_or_default()
    }
    /// The submitted (or stored) value of a field, or "".
    pub fn v(&self, f: &str) -> String {
        self.values.get(f).cloned().unwrap_or_default()
    }
    /// The CSS class of a field in error.
    pub fn invalid(&self, f: &str) -> &'static str {
        if self.errors.get(f).is_some() {
            "invalid"
        } else {
            ""
        }
    }
}

/// A choice in a select box.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) fn opts<I: IntoIterator<Item = (String, String)>>(items: I, current: &str) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(value, label)| Opt {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

macro_rules! vocab_opts {
    ($ty:ty, $lang:expr, $cur:expr) => {
        opts(
            <$ty>::ALL
                .iter()
                .map(|v| (v.as_str().to_string(), $lang.t(v.label_key()).to_string())),
            $cur,
        )
    };
}

/// The owner filter's choices: me, the pool, then every owner the user may pick.
pub(crate) async fn owner_choices(
    app: &App,
    u: &UiUser,
) -> Result<Vec<(String, String)>, Response> {
    let lang = u.lang;
    let owners = users::assignable_owners(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut items = vec![
        ("me".to_string(), lang.t("customer.mine").to_string()),
        ("pool".into(), lang.t("nav.pool").to_string()),
    ];
    items.extend(
        owners
            .iter()
            .map(|o| (o.id.to_string(), o.display_name.clone())),
    );
    Ok(items)
}

pub(crate) fn province_opts(cur: &str) -> Vec<Opt> {
    opts(
        PROVINCES.iter().map(|p| (p.to_string(), p.to_string())),
        cur,
    )
}

fn kind_class(k: CustomerKind) -> &'static str {
    match k {
        CustomerKind::Enterprise => "badge-blue",
        CustomerKind::Individual => "badge-gray",
        CustomerKind::Government => "badge-purple",
    }
}

fn status_class(s: CustomerStatus) -> &'static str {
    match s {
        CustomerStatus::Active => "badge-green",
        CustomerStatus::Prospect => "badge-blue",
        CustomerStatus::Suspended => "badge-amber",
        CustomerStatus::Lost => "badge-red",
    }
}

fn industry_label(lang: Lang, v: &Option<String>) -> String {
    match v.as_deref() {
        Some(s) => match Industry::parse(s) {
            Some(i) => lang.t(i.label_key()).to_string(),
            None => s.to_string(),
        },
        None => String::new(),
    }
}

/// One row of the customer table, ready to print.
pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub kind_class: &'static str,
    pub region: String,
    pub industry: String,
    pub contact: String,
    pub phone: String,
    pub owner: String,
    pub status: String,
    pub status_class: &'static str,
    pub tags: Vec<String>,
    pub updated: String,
    pub in_pool: bool,
    pub pool_since: String,
    /// Value class letter and label, grade, lifecycle, at risk, RFM (empty before a run).
    pub class: String,
    pub class_badge: &'static str,
    pub grade: String,
    pub lifecycle: String,
    pub at_risk: bool,
    pub rfm: String,
}

fn row(ctx: &Ctx, c: &CustomerView) -> Row {
    let lang = ctx.lang;
    Row {
        id: c.id,
        code: c.code.clone(),
        name: c.name.clone(),
        short_name: c.short_name.clone().unwrap_or_default(),
        kind: match c.gov_level {
            Some(g) => format!("{} · {}", lang.t(c.kind.label_key()), lang.t(g.label_key())),
            None => lang.t(c.kind.label_key()).to_string(),
        },
        kind_class: kind_class(c.kind),
        region: [c.province.as_deref(), c.city.as_deref()]
            .iter()
            .flatten()
            .fold(String::new(), |acc, s| {
                if acc.is_empty() || acc == *s {
                    s.to_string()
                } else {
                    format!("{acc} · {s}")
                }
            }),
        industry: industry_label(lang, &c.industry),
        contact: c
            .primary_contact
            .as_ref()
            .map(|k| k.name.clone())
            .unwrap_or_default(),
        phone: c
            .primary_contact
            .as_ref()
            .and_then(|k| k.phone.clone())
            .unwrap_or_default(),
        owner: c
            .owner_name
            .clone()
            .unwrap_or_else(|| lang.t("customer.no_owner").to_string()),
        status: lang.t(c.status.label_key()).to_string(),
        status_class: status_class(c.status),
        tags: c.tags.clone(),
        updated: ctx.date(&c.updated_at),
        in_pool: c.owner_id.is_none(),
        pool_since: ctx.opt_dt(&c.pool_since),
        class: c
            .class
            .as_ref()
            .and_then(|k| ValueClass::parse(&k.value_class))
            .map(|v| lang.t(v.label_key()).to_string())
            .unwrap_or_default(),
        class_badge: match c.class.as_ref().map(|k| k.value_class.as_str()) {
            Some("a") => "badge-green",
            Some("b") => "badge-blue",
            _ => "badge-gray",
        },
        grade: c
            .class
            .as_ref()
            .and_then(|k| Grade::parse(&k.grade))
            .map(|v| lang.t(v.label_key()).to_string())
            .unwrap_or_default(),
        lifecycle: c
            .class
            .as_ref()
            .and_then(|k| Lifecycle::parse(&k.lifecycle))
            .map(|v| lang.t(v.label_key()).to_string())
            .unwrap_or_default(),
        at_risk: c.class.as_ref().is_some_and(|k| k.at_risk),
        rfm: c
            .class
            .as_ref()
            .and_then(|k| match (k.r, k.f, k.m) {
                (Some(r), Some(f), Some(m)) => Some(format!("{r}{f}{m}")),
                _ => None,
            })
            .unwrap_or_default(),
    }
}

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    lang: Lang,
    csrf: String,
    username: String,
    next: String,
    error: String,
    notice: String,
}

impl LoginTpl {
    fn t(&self, k: &str) -> String {
        self.lang.t(k).to_string()
    }
    fn other_lang(&self) -> &'static str {
        if self.lang == Lang::Zh {
            "en"
        } else {
            "zh-CN"
        }
    }
}

#[derive(serde::Deserialize)]
struct NextQ {
    next: Option<String>,
    /// `password`: the password was just changed (its notice shows above the form).
    done: Option<String>,
}

/// A same-site path to go to after a step, or the customer list. Browsers drop tabs and
/// line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` would leave the
/// site: any control character, space or backslash refuses the path. Other characters
/// beyond ASCII are percent-encoded (a `Location` header is ASCII).
pub(crate) fn safe_next(n: Option<&str>) -> String {
    let Some(n) = n else {
        return "/customers".into();
    };
    let bad = |c: char| c.is_control() || c.is_whitespace() || c == '\\';
    if !n.starts_with('/') || n.starts_with("//") || n.chars().any(bad) {
        return "/customers".into();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut b = [0u8; 4];
            for byte in c.encode_utf8(&mut b).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

fn random_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<NextQ>,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    // Double-submit token: the login form is protected before any session exists.
    let csrf = extract::cookie(&headers, extract::LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 48)
        .unwrap_or_else(random_hex);
    let mut r = render(&LoginTpl {
        lang,
        csrf: csrf.clone(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        error: String::new(),
        notice: match q.done.as_deref() {
            Some("password") => lang.t("account.password_changed").to_string(),
            _ => String::new(),
        },
    });
    if let Ok(v) =
        extract::set_cookie(&app, extract::LOGIN_CSRF_COOKIE, &csrf, Some(3600), true).parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn login_submit(
    State(app): State<App>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    body: axum::body::Bytes,
) -> Response {
    let lang = extract::request_lang(&headers, None);
    let form = FormData(serde_urlencoded::from_bytes(&body).unwrap_or_default());
    let cookie_token = extract::cookie(&headers, extract::LOGIN_CSRF_COOKIE);
    if cookie_token.is_none() || form.get("_csrf") != cookie_token.as_deref() {
        return WebError::csrf(Surface::Ui, lang).into_response();
    }
    let username = form.text("username");
    let next = safe_next(form.get("next"));
    let again = |key: &str, status: StatusCode| {
        let mut r = render(&LoginTpl {
            lang,
            csrf: cookie_token.clone().unwrap_or_default(),
            username: username.clone(),
            next: next.clone(),
            error: lang.t(key).to_string(),
            notice: String::new(),
        });
        *r.status_mut() = status;
        r
    };
    match auth::login(&app, &username, &form.text("password"), &ip).await {
        Ok(Ok(ok)) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = app.settings.session_hours * 3600;
            if let Ok(v) = extract::set_cookie(
                &app,
                extract::SESSION_COOKIE,
                &ok.cookie,
                Some(max_age),
                true,
            )
            .parse()
            {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Ok(Err(LoginError::BadCredentials)) => again("login.failed", StatusCode::UNAUTHORIZED),
        Ok(Err(LoginError::Disabled)) => again("login.disabled", StatusCode::FORBIDDEN),
        Ok(Err(LoginError::Throttled)) => again("login.throttled", StatusCode::TOO_MANY_REQUESTS),
        Err(e) => fail(e, lang),
    }
}

async fn logout(State(app): State<App>, headers: HeaderMap, p: UiPost) -> Response {
    if let Some(raw) = extract::cookie(&headers, extract::SESSION_COOKIE) {
        if let Err(e) = auth::logout(&app, &raw).await {
            return fail(e, p.user.lang);
        }
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = extract::set_cookie(&app, extract::SESSION_COOKIE, "", Some(0), true).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn lang_switch(
    State(app): State<App>,
    Path(code): Path<String>,
    Query(q): Query<NextQ>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut r = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = extract::set_cookie(
        &app,
        extract::LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        false,
    )
    .parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

// ---- customer list ----

#[derive(Template)]
#[template(path = "customers.html")]
struct ListTpl {
    ctx: Ctx,
    title: String,
    pool: bool,
    q: ListQuery,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    owners: Vec<Opt>,
    provinces: Vec<Opt>,
    industries: Vec<Opt>,
    modes: Vec<Opt>,
    sources: Vec<Opt>,
    tags: Vec<Opt>,
    sorts: Vec<Opt>,
    grades: Vec<Opt>,
    value_classes: Vec<Opt>,
    lifecycles: Vec<Opt>,
    rfm_segments: Vec<Opt>,
    risk: Vec<Opt>,
    can_create: bool,
    can_claim: bool,
    query_string: String,
    filter_errors: String,
}

impl ListTpl {
    /// The R, F and M score filters with the chosen ones selected.
    fn score_selects(&self) -> Vec<(&'static str, Vec<Opt>)> {
        [("R", &self.q.r), ("F", &self.q.f), ("M", &self.q.m)]
            .into_iter()
            .map(|(name, cur)| {
                let cur = cur.clone().unwrap_or_default();
                (
                    name,
                    opts((1..=5).map(|n| (n.to_string(), n.to_string())), &cur),
                )
            })
            .collect()
    }
    fn page_link(&self, page: u64) -> String {
        let base = if self.pool { "/pool" } else { "/customers" };
        if self.query_string.is_empty() {
            format!("{base}?page={page}")
        } else {
            format!("{base}?{}&page={page}", self.query_string)
        }
    }
    fn qv(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    fn archived(&self) -> bool {
        matches!(self.q.archived.as_deref(), Some("1" | "true" | "on"))
    }
}

fn nonblank(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

fn query_string(q: &ListQuery) -> String {
    let pairs: Vec<(&str, &Option<String>)> = vec![
        ("q", &q.q),
        ("kind", &q.kind),
        ("status", &q.status),
        ("owner", &q.owner),
        ("province", &q.province),
        ("city", &q.city),
        ("industry", &q.industry),
        ("service_mode", &q.service_mode),
        ("tag", &q.tag),
        ("data_source", &q.data_source),
        ("archived", &q.archived),
        ("grade", &q.grade),
        ("value_class", &q.value_class),
        ("lifecycle", &q.lifecycle),
        ("at_risk", &q.at_risk),
        ("rfm_segment", &q.rfm_segment),
        ("r", &q.r),
        ("f", &q.f),
        ("m", &q.m),
        ("sort", &q.sort),
        ("per_page", &q.per_page),
    ];
    pairs
        .into_iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| format!("{k}={}", extract::urlencode(s)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn list_page(app: &App, u: &UiUser, mut q: ListQuery, pool: bool, uri: &str) -> UiResult {
    let lang = u.lang;
    if pool {
        q.owner = Some("pool".into());
    }
    let ctx = Ctx::new(app, u, uri, if pool { "pool" } else { "customers" });
    let (page, filter_errors) = match customers::list(app, &u.actor, &q).await {
        Ok(p) => (p, String::new()),
        Err(AppError::Validation(errs)) => {
            // Bad filter values: say which, and show the unfiltered first page.
            let msg = crate::error::errors_text(lang, &errs);
            let p = customers::list(
                app,
                &u.actor,
                &ListQuery {
                    q: q.q.clone(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| fail(e, lang))?;
            (p, msg)
        }
        Err(e) => return Err(fail(e, lang)),
    };
    let owner_items = owner_choices(app, u).await?;
    let tags = customers::all_tags(app).await.map_err(|e| fail(e, lang))?;
    let cur = |v: &Option<String>| v.clone().unwrap_or_default();
    let sorts = [
        ("-updated_at", "sort.updated_desc"),
        ("-created_at", "sort.created_desc"),
        ("code", "sort.code"),
        ("name", "sort.name"),
        ("value_rank", "sort.value_rank"),
        ("-rfm", "sort.rfm"),
    ]
    .iter()
    .map(|(v, k)| (v.to_string(), lang.t(k).to_string()));
    let t = ListTpl {
        title: lang
            .t(if pool { "nav.pool" } else { "customer.title" })
            .to_string(),
        pool,
        rows: page.items.iter().map(|c| row(&ctx, c)).collect(),
        total: page.total,
        page: page.page,
        pages: page.pages(),
        kinds: vocab_opts!(CustomerKind, lang, &cur(&q.kind)),
        statuses: vocab_opts!(CustomerStatus, lang, &cur(&q.status)),
        owners: opts(owner_items, &cur(&q.owner)),
        provinces: province_opts(&cur(&q.province)),
        industries: vocab_opts!(Industry, lang, &cur(&q.industry)),
        modes: vocab_opts!(ServiceMode, lang, &cur(&q.service_mode)),
        sources: vocab_opts!(DataSource, lang, &cur(&q.data_source)),
        tags: opts(
            tags.into_iter()
                .map(|(t, n)| (t.clone(), format!("{t} ({n})"))),
            &cur(&q.tag),
        ),
        // Search results come newest first unless a sort is chosen.
        sorts: opts(
            sorts,
            &q.sort.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| {
                if nonblank(&q.q) {
                    "-id".into()
                } else {
                    String::new()
                }
            }),
        ),
        grades: vocab_opts!(Grade, lang, &cur(&q.grade)),
        value_classes: vocab_opts!(ValueClass, lang, &cur(&q.value_class)),
        lifecycles: vocab_opts!(Lifecycle, lang, &cur(&q.lifecycle)),
        rfm_segments: vocab_opts!(RfmSegment, lang, &cur(&q.rfm_segment)),
        risk: opts(
            [
                ("1".to_string(), lang.t("classify.at_risk").to_string()),
                ("0".to_string(), lang.t("classify.not_at_risk").to_string()),
            ],
            &cur(&q.at_risk),
        ),
        can_create: u.actor.role.can_edit_customers(),
        can_claim: matches!(
            u.actor.role,
            Role::AccountManager | Role::Manager | Role::Admin
        ),
        query_string: query_string(&q),
        filter_errors,
        q,
        ctx,
    };
    Ok(render(&t))
}

async fn customers_list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQuery>,
    uri: axum::http::Uri,
) -> UiResult {
    list_page(&app, &u, q, false, &uri.to_string()).await
}

#[derive(serde::Deserialize)]
struct FormatQ {
    format: Option<String>,
}

fn format_of(q: &FormatQ) -> consign_app::exports::Format {
    q.format
        .as_deref()
        .and_then(consign_app::exports::Format::parse)
        .unwrap_or(consign_app::exports::Format::Csv)
}

/// The customer list as it is filtered, as CSV or XLSX (`format=xlsx`).
async fn customers_export(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQuery>,
    Query(f): Query<FormatQ>,
) -> UiResult {
    crate::downloads::download(
        &app,
        &u.actor,
        consign_app::exports::Export::Customers(Box::new(q)),
        format_of(&f),
        u.lang.t("nav.customers"),
    )
    .await
    .map_err(|e| fail(e, u.lang))
}

/// One customer's shipments, invoices or payments as CSV or XLSX.
async fn customer_records_export(
    State(app): State<App>,
    u: UiUser,
    Path((id, kind)): Path<(String, String)>,
    Query(f): Query<FormatQ>,
) -> UiResult {
    use consign_app::exports::Export;
    let id = parse_id(&id, u.lang)?;
    let (what, key) = match kind.as_str() {
        "shipments" => (Export::Shipments(Some(id)), "shipment.of_customer"),
        "invoices" => (Export::Invoices(Some(id)), "invoice.of_customer"),
        "payments" => (Export::Payments(Some(id)), "payment.of_customer"),
        _ => return Err(fail(AppError::NotFound, u.lang)),
    };
    let c = consign_app::customers::visible_customer(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    crate::downloads::download(
        &app,
        &u.actor,
        what,
        format_of(&f),
        &format!("{}-{}", c.code, u.lang.t(key)),
    )
    .await
    .map_err(|e| fail(e, u.lang))
}

async fn pool_list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQuery>,
    uri: axum::http::Uri,
) -> UiResult {
    list_page(&app, &u, q, true, &uri.to_string()).await
}

// ---- customer detail ----

#[derive(Template)]
#[template(path = "customer.html")]
struct DetailTpl {
    ctx: Ctx,
    d: CustomerDetail,
    kind: String,
    kind_class: &'static str,
    status: String,
    status_class: &'static str,
    industry: String,
    modes: String,
    source: String,
    owner: String,
    timeline: Vec<TimelineItem>,
    revealed: Option<(i64, Revealed)>,
    revealed_id: Option<String>,
    form: FormView,
    merged_into: Option<(i64, String)>,
    shipments: Page<ShipmentView>,
    invoices: Page<InvoiceView>,
    receivables: Receivables,
    aging_buckets: &'static [consign_domain::billing::AgingBucket],
    payments: Page<PaymentView>,
    class: Option<consign_app::classification::CustomerClass>,
    /// The customer's latest tickets, when the user sees its tickets.
    tickets: Option<consign_app::service::TicketPage>,
    can_ticket: bool,
    /// May log interactions and add tasks.
    can_log: bool,
    interactions: Vec<consign_app::followups::InteractionView>,
    tasks: Vec<consign_app::followups::TaskView>,
    logform: FormView,
}

pub struct TimelineItem {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub summary: String,
    pub changes: Vec<(String, String, String)>,
}

impl DetailTpl {
    fn interaction_kinds(&self) -> Vec<Opt> {
        opts(
            consign_domain::followup::InteractionKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), self.ctx.t(k.label_key()))),
            &self.logform.v("kind"),
        )
    }
    fn contact_opts(&self) -> Vec<Opt> {
        opts(
            self.d
                .contacts
                .iter()
                .map(|c| (c.id.to_string(), c.name.clone())),
            &self.logform.v("contact_id"),
        )
    }
    fn due_class(&self, d: &consign_domain::followup::Due) -> &'static str {
        match d {
            consign_domain::followup::Due::Overdue => "badge-red",
            consign_domain::followup::Due::Today => "badge-amber",
            consign_domain::followup::Due::Upcoming => "badge-gray",
        }
    }
    fn ticket_status_class(&self, s: &consign_domain::service::Status) -> &'static str {
        crate::ui_service::status_class(s)
    }
    fn revealed_for(&self, cid: &i64) -> Option<&Revealed> {
        self.revealed
            .as_ref()
            .filter(|(id, _)| id == cid)
            .map(|(_, r)| r)
    }
    fn phone_of(&self, k: &ContactView) -> String {
        match self.revealed_for(&k.id) {
            Some(r) => r.phone.clone().unwrap_or_default(),
            None => k.phone.clone().unwrap_or_default(),
        }
    }
    fn email_of(&self, k: &ContactView) -> String {
        match self.revealed_for(&k.id) {
            Some(r) => r.email.clone().unwrap_or_default(),
            None => k.email.clone().unwrap_or_default(),
        }
    }
    fn is_revealed(&self, k: &ContactView) -> bool {
        self.revealed_for(&k.id).is_some()
    }
    fn custom_fields(&self) -> Vec<(String, String)> {
        self.d
            .customer
            .custom_fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    fn o(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
}

/// Field names of the audit JSON → message keys, for the timeline.
fn field_label(lang: Lang, f: &str) -> String {
    let key = match f {
        "code" => "customer.code",
        "name" => "customer.name",
        "short_name" => "customer.short_name",
        "kind" => "customer.kind",
        "gov_level" => "customer.gov_level",
        "industry" => "customer.industry",
        "province" => "customer.province",
        "city" => "customer.city",
        "address" => "customer.address",
        "goods_types" => "customer.goods_types",
        "service_modes" => "customer.service_modes",
        "data_source" => "customer.data_source",
        "owner_id" => "customer.owner",
        "status" => "customer.status",
        "uscc" => "customer.uscc",
        "id_number" => "customer.id_number",
        "notes" => "customer.notes",
        "tags" => "customer.tags",
        "custom_fields" => "customer.custom_fields",
        "archived" => "customer.archived",
        "merged_into_id" => "customer.merged_into",
        "number" => "ticket.number",
        "severity" => "ticket.severity",
        "channel" => "ticket.channel",
        "waybills" => "ticket.waybills",
        "assignee" => "ticket.assignee",
        "step" => "ticket.step",
        "breach" => "ticket.breach",
        "deadline" => "ticket.deadline",
        "to" => "ticket.escalated_to",
        "settled" => "ticket.settled",
        "responsible_party" => "ticket.responsible_party",
        "root_cause" => "ticket.root_cause",
        "file" => "ticket.attachments",
        "title" => "contact.title",
        "phone" => "contact.phone",
        "email" => "contact.email",
        "wechat" => "contact.wechat",
        "is_primary" => "contact.primary",
        "role" => "user.role",
        "display_name" => "user.display_name",
        "disabled" => "user.disabled",
        "org_unit_id" => "user.unit",
        _ => return f.to_string(),
    };
    lang.t(key).to_string()
}

/// A stored value as the user would write it (vocabulary labels, owner names).
fn value_label(lang: Lang, field: &str, v: &str, users: &HashMap<String, String>) -> String {
    let label = match field {
        "kind" => CustomerKind::parse(v)
            .map(|x| x.label_key())
            .or_else(|| consign_domain::service::TicketKind::parse(v).map(|x| x.label_key())),
        "gov_level" => GovLevel::parse(v).map(|x| x.label_key()),
        "status" => CustomerStatus::parse(v)
            .map(|x| x.label_key())
            .or_else(|| consign_domain::service::Status::parse(v).map(|x| x.label_key())),
        "step" => consign_domain::service::Action::parse(v).map(|x| x.label_key()),
        "severity" => consign_domain::service::Severity::parse(v).map(|x| x.label_key()),
        "channel" => consign_domain::service::Channel::parse(v).map(|x| x.label_key()),
        "root_cause" => consign_domain::service::RootCause::parse(v).map(|x| x.label_key()),
        "breach" => match v {
            "response" => Some("ticket.breach_response"),
            "resolution" => Some("ticket.breach_resolution"),
            _ => None,
        },
        "data_source" => DataSource::parse(v).map(|x| x.label_key()),
        "industry" => Industry::parse(v).map(|x| x.label_key()),
        "archived" | "is_primary" | "disabled" => Some(if v == "true" {
            "common.yes"
        } else {
            "common.no"
        }),
        _ => None,
    };
    if let Some(k) = label {
        return lang.t(k).to_string();
    }
    if field == "service_modes" {
        return v
            .split(", ")
            .map(|m| {
                ServiceMode::parse(m)
                    .map(|x| lang.t(x.label_key()).to_string())
                    .unwrap_or_else(|| m.to_string())
            })
            .collect::<Vec<_>>()
            .join("、");
    }
    if field == "owner_id" {
        if v.is_empty() {
            return lang.t("customer.no_owner").to_string();
        }
        return users.get(v).cloned().unwrap_or_else(|| v.to_string());
    }
    v.to_string()
}

async fn timeline_items(
    app: &App,
    actor: &consign_app::auth::Actor,
    ctx: &Ctx,
    items: Vec<AuditView>,
) -> Vec<TimelineItem> {
    let names: HashMap<String, String> = users::display_names(app, actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    items
        .into_iter()
        .map(|a| TimelineItem {
            at: ctx.dt(&a.at),
            actor: a.actor_name.clone(),
            action: ctx.lang.t(&format!("action.{}", a.action)).to_string(),
            summary: a.summary.clone().unwrap_or_default(),
            changes: a
                .changes
                .iter()
                .map(|c| {
                    (
                        field_label(ctx.lang, &c.field),
                        value_label(ctx.lang, &c.field, &c.before, &names),
                        value_label(ctx.lang, &c.field, &c.after, &names),
                    )
                })
                .collect(),
        })
        .collect()
}

struct DetailExtras {
    /// Pages of the customer's shipments, invoices and payments shown.
    spage: u64,
    ipage: u64,
    ppage: u64,
    revealed: Option<(i64, Revealed)>,
    revealed_id: Option<String>,
    contact_errors: FieldErrors,
    contact_values: HashMap<String, String>,
    status: StatusCode,
    flash: Option<String>,
    /// A refused interaction or task form, with what was typed.
    log_errors: FieldErrors,
    log_values: HashMap<String, String>,
}

impl Default for DetailExtras {
    fn default() -> Self {
        DetailExtras {
            spage: 1,
            ipage: 1,
            ppage: 1,
            revealed: None,
            revealed_id: None,
            contact_errors: FieldErrors::new(),
            contact_values: HashMap::new(),
            status: StatusCode::OK,
            flash: None,
            log_errors: FieldErrors::new(),
            log_values: HashMap::new(),
        }
    }
}

async fn detail_page(app: &App, u: &UiUser, id: i64, x: DetailExtras) -> UiResult {
    let lang = u.lang;
    let d = customers::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    let (items, _) = customers::timeline(app, &u.actor, id, 1)
        .await
        .map_err(|e| fail(e, lang))?;
    let shipments = shipments::for_customer(app, &u.actor, id, x.spage, 20)
        .await
        .map_err(|e| fail(e, lang))?;
    let (invoices, receivables) = billing::invoices_for_customer(app, &u.actor, id, x.ipage, 12)
        .await
        .map_err(|e| fail(e, lang))?;
    let payments = billing::payments_for_customer(app, &u.actor, id, x.ppage, 12)
        .await
        .map_err(|e| fail(e, lang))?;
    let class = consign_app::classification::of_customer(app, id, lang)
        .await
        .map_err(|e| fail(e, lang))?;
    let tickets = consign_app::service::list(
        app,
        &u.actor,
        &consign_app::service::TicketQuery {
            customer_id: Some(id.to_string()),
            per_page: Some("10".into()),
            ..Default::default()
        },
    )
    .await
    .ok()
    .filter(|_| u.actor.role != Role::PortalUser);
    let (interactions, tasks) = if consign_app::service::can_handle(u.actor.role) {
        (
            consign_app::followups::interactions(app, &u.actor, id, 1)
                .await
                .map_err(|e| fail(e, lang))?
                .items,
            consign_app::followups::tasks_of_customer(app, &u.actor, id)
                .await
                .map_err(|e| fail(e, lang))?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut ctx = Ctx::new(app, u, &format!("/customers/{id}"), "customers");
    ctx = with_flash(ctx, x.flash.as_deref());
    let timeline = timeline_items(app, &u.actor, &ctx, items).await;
    let c = &d.customer;
    let merged_into = match c.merged_into_id {
        // Named only when the caller may see it.
        Some(mid) => customers::visible_customer(app, &u.actor, mid)
            .await
            .ok()
            .map(|m| (m.id, format!("{} {}", m.code, m.name))),
        None => None,
    };
    let t = DetailTpl {
        kind: match c.gov_level {
            Some(g) => format!("{} · {}", lang.t(c.kind.label_key()), lang.t(g.label_key())),
            None => lang.t(c.kind.label_key()).to_string(),
        },
        kind_class: kind_class(c.kind),
        status: lang.t(c.status.label_key()).to_string(),
        status_class: status_class(c.status),
        industry: industry_label(lang, &c.industry),
        modes: c
            .service_modes
            .iter()
            .map(|m| lang.t(m.label_key()))
            .collect::<Vec<_>>()
            .join("、"),
        source: lang.t(c.data_source.label_key()).to_string(),
        owner: c
            .owner_name
            .clone()
            .unwrap_or_else(|| lang.t("customer.no_owner").to_string()),
        timeline,
        revealed: x.revealed,
        revealed_id: x.revealed_id,
        form: FormView::new(lang, x.contact_values, x.contact_errors),
        merged_into,
        shipments,
        invoices,
        receivables,
        aging_buckets: consign_domain::billing::AgingBucket::ALL,
        payments,
        class,
        can_log: consign_app::service::can_handle(u.actor.role),
        interactions,
        tasks,
        logform: FormView::new(lang, x.log_values, x.log_errors),
        can_ticket: consign_app::service::can_handle(u.actor.role) && tickets.is_some(),
        tickets,
        d,
        ctx,
    };
    let mut r = render(&t);
    *r.status_mut() = x.status;
    Ok(r)
}

#[derive(serde::Deserialize)]
struct OkQ {
    ok: Option<String>,
    spage: Option<u64>,
    ipage: Option<u64>,
    ppage: Option<u64>,
}

#[derive(Template)]
#[template(path = "shipment.html")]
struct ShipmentTpl {
    ctx: Ctx,
    s: ShipmentView,
    events: Vec<shipments::EventView>,
}

#[derive(Template)]
#[template(path = "shipments.html")]
struct ShipmentSearchTpl {
    ctx: Ctx,
    waybill: String,
    not_found: bool,
}

#[derive(serde::Deserialize)]
struct WaybillQ {
    waybill: Option<String>,
}

/// Find a shipment by its waybill number: found, go to it; else say so.
async fn shipments_page(State(app): State<App>, u: UiUser, Query(q): Query<WaybillQ>) -> UiResult {
    let waybill = q.waybill.unwrap_or_default().trim().to_string();
    let mut not_found = false;
    if !waybill.is_empty() {
        match shipments::get_by_waybill(&app, &u.actor, &waybill).await {
            Ok(s) => return Ok(Redirect::to(&format!("/shipments/{}", s.id)).into_response()),
            Err(AppError::NotFound) => not_found = true,
            Err(e) => return Err(fail(e, u.lang)),
        }
    }
    let ctx = Ctx::new(&app, &u, "/shipments", "shipments");
    Ok(render(&ShipmentSearchTpl {
        ctx,
        waybill,
        not_found,
    }))
}

async fn shipment_show(State(app): State<App>, u: UiUser, Path(id): Path<String>) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    let s = shipments::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let events = shipments::events(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let ctx = Ctx::new(&app, &u, &format!("/shipments/{id}"), "shipments");
    Ok(render(&ShipmentTpl { ctx, s, events }))
}

pub(crate) fn parse_id(s: &str, lang: Lang) -> Result<i64, Response> {
    s.parse().map_err(|_| fail(AppError::NotFound, lang))
}

async fn customer_show(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<OkQ>,
) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    detail_page(
        &app,
        &u,
        id,
        DetailExtras {
            flash: q.ok,
            spage: q.spage.unwrap_or(1).max(1),
            ipage: q.ipage.unwrap_or(1).max(1),
            ppage: q.ppage.unwrap_or(1).max(1),
            ..Default::default()
        },
    )
    .await
}

async fn contact_reveal(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let r = customers::reveal(&app, &p.user.actor, id, Some(cid))
        .await
        .map_err(|e| fail(e, lang))?;
    detail_page(
        &app,
        &p.user,
        id,
        DetailExtras {
            revealed: Some((cid, r)),
            flash: Some("contact.revealed".into()),
            ..Default::default()
        },
    )
    .await
}

async fn reveal_id_number(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let r = customers::reveal(&app, &p.user.actor, id, None)
        .await
        .map_err(|e| fail(e, lang))?;
    detail_page(
        &app,
        &p.user,
        id,
        DetailExtras {
            revealed_id: r.id_number,
            flash: Some("contact.revealed".into()),
            ..Default::default()
        },
    )
    .await
}

fn contact_input(f: &FormData) -> ContactInput {
    ContactInput {
        name: Some(f.text("name")),
        title: Some(f.text("title")),
        phone: Some(f.text("phone")),
        email: Some(f.text("email")),
        wechat: Some(f.text("wechat")),
        is_primary: Some(f.checked("is_primary")),
    }
}

async fn contact_add(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    match customers::add_contact(&app, &p.user.actor, id, &contact_input(&p.form)).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/customers/{id}?ok=common.saved#contacts")).into_response())
        }
        Err(AppError::Validation(errs)) => {
            let values = p.form.0.iter().cloned().collect();
            detail_page(
                &app,
                &p.user,
                id,
                DetailExtras {
                    contact_errors: errs,
                    contact_values: values,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

/// Logs an interaction from the customer's page.
async fn interaction_add(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::InteractionInput {
        kind: p.form.text("kind"),
        at: p.form.text("at"),
        contact_id: p.form.text("contact_id"),
        summary: p.form.text("summary"),
        next_step: p.form.text("next_step"),
    };
    match consign_app::followups::log(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/customers/{id}?ok=followup.logged#interactions"))
                .into_response(),
        ),
        Err(AppError::Validation(errs)) => {
            detail_page(
                &app,
                &p.user,
                id,
                DetailExtras {
                    log_errors: errs,
                    log_values: p.form.0.iter().cloned().collect(),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

/// Adds a task by hand from the customer's page.
async fn task_add(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::TaskInput {
        title: p.form.text("title"),
        due_on: p.form.text("due_on"),
        assignee_id: p.form.text("assignee_id"),
    };
    match consign_app::followups::add(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/customers/{id}?ok=followup.task_added#tasks")).into_response(),
        ),
        Err(AppError::Validation(errs)) => {
            detail_page(
                &app,
                &p.user,
                id,
                DetailExtras {
                    log_errors: errs,
                    log_values: p.form.0.iter().cloned().collect(),
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

async fn contact_delete(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    customers::delete_contact(&app, &p.user.actor, id, cid)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!("/customers/{id}?ok=common.saved#contacts")).into_response())
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactFormTpl {
    ctx: Ctx,
    customer_id: i64,
    customer_name: String,
    contact_id: i64,
    form: FormView,
    /// The phone and e-mail are not shown (only their masked forms, as placeholders):
    /// left empty they stay as they are; revealing them to edit is a POST, audited.
    masked: Option<(String, String)>,
    can_reveal: bool,
}

/// The contact form. Opening it reveals nothing: the phone and e-mail show masked, and
/// stay unchanged unless typed anew or revealed (POST `…/edit/reveal`, audited).
async fn contact_edit(
    State(app): State<App>,
    u: UiUser,
    Path((id, cid)): Path<(String, String)>,
) -> UiResult {
    contact_form(&app, &u, id, cid, false).await
}

async fn contact_reveal_to_edit(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    contact_form(&app, &p.user, id, cid, true).await
}

async fn contact_form(app: &App, u: &UiUser, id: String, cid: String, reveal: bool) -> UiResult {
    let lang = u.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let d = customers::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.edit_contacts {
        return Err(fail(AppError::Forbidden, lang));
    }
    let k = d
        .contacts
        .iter()
        .find(|k| k.id == cid)
        .ok_or_else(|| fail(AppError::NotFound, lang))?;
    let mut values = HashMap::new();
    let masked = if reveal {
        let r = customers::reveal(app, &u.actor, id, Some(cid))
            .await
            .map_err(|e| fail(e, lang))?;
        values.insert("phone".into(), r.phone.unwrap_or_default());
        values.insert("email".into(), r.email.unwrap_or_default());
        None
    } else {
        Some((
            k.phone.clone().unwrap_or_default(),
            k.email.clone().unwrap_or_default(),
        ))
    };
    values.insert("name".into(), k.name.clone());
    values.insert("title".into(), k.title.clone().unwrap_or_default());
    values.insert("wechat".into(), k.wechat.clone().unwrap_or_default());
    if k.is_primary {
        values.insert("is_primary".into(), "on".into());
    }
    let ctx = Ctx::new(
        app,
        u,
        &format!("/customers/{id}/contacts/{cid}/edit"),
        "customers",
    );
    Ok(render(&ContactFormTpl {
        ctx,
        customer_id: id,
        customer_name: d.customer.name.clone(),
        contact_id: cid,
        form: FormView::new(lang, values, FieldErrors::new()),
        masked,
        can_reveal: d.permissions.unmask,
    }))
}

async fn contact_update(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let mut input = contact_input(&p.form);
    // Masked fields left empty keep their values.
    let masked = p.form.get("masked") == Some("1");
    if masked {
        input.phone = input.phone.filter(|v| !v.trim().is_empty());
        input.email = input.email.filter(|v| !v.trim().is_empty());
    }
    match customers::update_contact(&app, &p.user.actor, id, cid, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/customers/{id}?ok=common.saved#contacts")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let d = customers::get(&app, &p.user.actor, id)
                .await
                .map_err(|e| fail(e, lang))?;
            let ctx = Ctx::new(
                &app,
                &p.user,
                &format!("/customers/{id}/contacts/{cid}/edit"),
                "customers",
            );
            let k = d.contacts.iter().find(|k| k.id == cid);
            let mut r = render(&ContactFormTpl {
                ctx,
                customer_id: id,
                customer_name: d.customer.name,
                contact_id: cid,
                form: FormView::new(lang, p.form.0.into_iter().collect(), errors),
                masked: masked.then(|| {
                    (
                        k.and_then(|k| k.phone.clone()).unwrap_or_default(),
                        k.and_then(|k| k.email.clone()).unwrap_or_default(),
                    )
                }),
                can_reveal: d.permissions.unmask,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}

async fn customer_action(
    State(app): State<App>,
    Path((id, action)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let a = &p.user.actor;
    let r = match action.as_str() {
        "archive" => customers::archive(&app, a, id).await,
        "restore" => customers::restore(&app, a, id).await,
        "release" => customers::release(&app, a, id).await,
        "claim" => customers::claim(&app, a, id).await,
        _ => Err(AppError::NotFound),
    };
    r.map_err(|e| fail(e, lang))?;
    // After releasing, an account manager may no longer see the customer: go to the pool.
    let back = p
        .form
        .get("back")
        .map(|b| safe_next(Some(b)))
        .unwrap_or_else(|| format!("/customers/{id}?ok=common.saved"));
    Ok(Redirect::to(&back).into_response())
}

// ---- create / edit ----

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormTpl {
    ctx: Ctx,
    editing: Option<i64>,
    modes_checked: Vec<String>,
    form: FormView,
    duplicates: Vec<DuplicateView>,
    kinds: Vec<Opt>,
    levels: Vec<Opt>,
    statuses: Vec<Opt>,
    sources: Vec<Opt>,
    industries: Vec<Opt>,
    provinces: Vec<Opt>,
    owners: Vec<Opt>,
    modes: Vec<Opt>,
    can_assign: bool,
    conflict: String,
}

pub struct DuplicateView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub owner: String,
    pub reasons: String,
}

impl FormTpl {
    fn mode_checked(&self, m: &str) -> bool {
        self.modes_checked.iter().any(|x| x == m)
    }
}

struct FormState {
    editing: Option<i64>,
    values: HashMap<String, String>,
    modes: Vec<String>,
    errors: FieldErrors,
    duplicates: Vec<DuplicateHit>,
    conflict: String,
}

async fn form_page(app: &App, u: &UiUser, s: FormState) -> UiResult {
    let lang = u.lang;
    let path = match s.editing {
        Some(id) => format!("/customers/{id}/edit"),
        None => "/customers/new".into(),
    };
    let ctx = Ctx::new(app, u, &path, "customers");
    let owners_list = users::assignable_owners(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut owner_items = vec![(String::new(), lang.t("customer.no_owner").to_string())];
    owner_items.extend(owners_list.iter().map(|o| {
        (
            o.id.to_string(),
            format!("{} · {}", o.display_name, o.org_unit),
        )
    }));
    let v = |k: &str| s.values.get(k).cloned().unwrap_or_default();
    let t = FormTpl {
        kinds: vocab_opts!(CustomerKind, lang, &v("kind")),
        levels: vocab_opts!(GovLevel, lang, &v("gov_level")),
        statuses: vocab_opts!(CustomerStatus, lang, &v("status")),
        sources: vocab_opts!(DataSource, lang, &v("data_source")),
        industries: vocab_opts!(Industry, lang, &v("industry")),
        provinces: province_opts(&v("province")),
        owners: opts(owner_items, &v("owner_id")),
        modes: vocab_opts!(ServiceMode, lang, ""),
        can_assign: u.actor.role.can_assign_owner(),
        duplicates: s
            .duplicates
            .iter()
            .map(|h| DuplicateView {
                id: h.id,
                code: if h.hidden {
                    "—".into()
                } else {
                    h.code.clone()
                },
                name: if h.hidden {
                    lang.t("customer.duplicate_hidden").to_string()
                } else {
                    h.name.clone()
                },
                owner: match (&h.owner_name, h.hidden) {
                    (_, true) => "—".to_string(),
                    (Some(o), false) => o.clone(),
                    (None, false) => lang.t("customer.no_owner").to_string(),
                },
                reasons: h
                    .reasons
                    .iter()
                    .map(|r| lang.t(r))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        editing: s.editing,
        form: FormView::new(lang, s.values, s.errors),
        modes_checked: s.modes,
        conflict: s.conflict,
        ctx,
    };
    let status = if t.form.errors.is_empty() && t.duplicates.is_empty() && t.conflict.is_empty() {
        StatusCode::OK
    } else if !t.conflict.is_empty() || !t.duplicates.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&t);
    *r.status_mut() = status;
    Ok(r)
}

async fn customer_new(State(app): State<App>, u: UiUser) -> UiResult {
    let mut values = HashMap::new();
    values.insert("kind".into(), "enterprise".into());
    values.insert("status".into(), "prospect".into());
    values.insert("data_source".into(), "internal".into());
    if let Some(id) = u.actor.id {
        if matches!(u.actor.role, Role::AccountManager | Role::Manager) {
            values.insert("owner_id".into(), id.to_string());
        }
    }
    form_page(
        &app,
        &u,
        FormState {
            editing: None,
            values,
            modes: vec![],
            errors: FieldErrors::new(),
            duplicates: vec![],
            conflict: String::new(),
        },
    )
    .await
}

/// "name=value" lines → custom fields; a malformed line is a field error.
fn parse_custom_fields(text: &str) -> Result<BTreeMap<String, String>, &'static str> {
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=').or_else(|| line.split_once('＝')) {
            Some((k, v)) if !k.trim().is_empty() => {
                out.insert(k.trim().to_string(), v.trim().to_string());
            }
            _ => return Err("err.custom_field_format"),
        }
    }
    Ok(out)
}

fn customer_input(f: &FormData, can_assign: bool) -> (CustomerInput, Option<&'static str>) {
    let (custom, custom_err) = match parse_custom_fields(&f.text("custom_fields")) {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e)),
    };
    let owner_id = if can_assign {
        match f.get("owner_id").map(str::trim) {
            Some("") => Some(None),
            Some(s) => s.parse().ok().map(Some),
            None => None,
        }
    } else {
        None
    };
    let input = CustomerInput {
        code: Some(f.text("code")),
        name: Some(f.text("name")),
        short_name: Some(f.text("short_name")),
        kind: Some(f.text("kind")),
        gov_level: Some(f.text("gov_level")),
        industry: Some(f.text("industry")),
        province: Some(f.text("province")),
        city: Some(f.text("city")),
        address: Some(f.text("address")),
        goods_types: Some(f.text("goods_types")),
        service_modes: Some(f.all("service_modes")),
        data_source: Some(f.text("data_source")),
        owner_id,
        status: Some(f.text("status")),
        uscc: Some(f.text("uscc")),
        // An empty ID field on edit keeps the stored (encrypted) number.
        id_number: f
            .get("id_number")
            .filter(|s| !s.trim().is_empty())
            .map(String::from),
        notes: Some(f.text("notes")),
        tags: Some(
            f.text("tags")
                .split([',', '，', ';', '；'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        custom_fields: custom,
        confirm_duplicates: f.checked("confirm_duplicates"),
    };
    (input, custom_err)
}

async fn save_form(app: &App, p: UiPost, editing: Option<i64>) -> UiResult {
    let lang = p.user.lang;
    let can_assign = p.user.actor.role.can_assign_owner();
    let (input, custom_err) = customer_input(&p.form, can_assign);
    let values: HashMap<String, String> = p
        .form
        .0
        .iter()
        .filter(|(k, _)| k != "service_modes")
        .cloned()
        .collect();
    let modes = p.form.all("service_modes");
    let again = |errors: FieldErrors, duplicates: Vec<DuplicateHit>, conflict: String| FormState {
        editing,
        values: values.clone(),
        modes: modes.clone(),
        errors,
        duplicates,
        conflict,
    };
    if let Some(code) = custom_err {
        let mut e = FieldErrors::new();
        e.add("custom_fields", code);
        return form_page(app, &p.user, again(e, vec![], String::new())).await;
    }
    let r = match editing {
        Some(id) => customers::update(app, &p.user.actor, id, &input).await,
        None => {
            let mut contacts = Vec::new();
            if !p.form.text("contact_name").trim().is_empty()
                || !p.form.text("contact_phone").trim().is_empty()
            {
                contacts.push(ContactInput {
                    name: Some(p.form.text("contact_name")),
                    title: Some(p.form.text("contact_title")),
                    phone: Some(p.form.text("contact_phone")),
                    email: Some(p.form.text("contact_email")),
                    wechat: None,
                    is_primary: Some(true),
                });
            }
            customers::create(
                app,
                &p.user.actor,
                &NewCustomer {
                    customer: input,
                    contacts,
                },
            )
            .await
        }
    };
    match r {
        Ok(d) => {
            let ok = if editing.is_some() {
                "customer.updated"
            } else {
                "customer.created"
            };
            Ok(Redirect::to(&format!("/customers/{}?ok={ok}", d.customer.id)).into_response())
        }
        Err(AppError::Validation(mut errs)) => {
            // Contact fields of the create form are named contact_*.
            for e in errs.0.iter_mut() {
                if let Some(rest) = e.field.strip_prefix("contacts[0].") {
                    e.field = format!("contact_{rest}");
                }
            }
            form_page(app, &p.user, again(errs, vec![], String::new())).await
        }
        Err(AppError::Duplicates(hits)) => {
            form_page(app, &p.user, again(FieldErrors::new(), hits, String::new())).await
        }
        Err(AppError::Conflict { field, code }) => {
            let mut e = FieldErrors::new();
            e.add(field, code);
            form_page(app, &p.user, again(e, vec![], lang.t(code).to_string())).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

async fn customer_create(State(app): State<App>, p: UiPost) -> UiResult {
    save_form(&app, p, None).await
}

async fn customer_edit(State(app): State<App>, u: UiUser, Path(id): Path<String>) -> UiResult {
    let lang = u.lang;
    let id = parse_id(&id, lang)?;
    let d = customers::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.edit {
        return Err(fail(AppError::Forbidden, lang));
    }
    let c = d.customer;
    let mut values = HashMap::new();
    let mut put = |k: &str, v: Option<String>| {
        values.insert(k.to_string(), v.unwrap_or_default());
    };
    put("code", Some(c.code));
    put("name", Some(c.name));
    put("short_name", c.short_name);
    put("kind", Some(c.kind.as_str().into()));
    put("gov_level", c.gov_level.map(|g| g.as_str().into()));
    put("industry", c.industry);
    put("province", c.province);
    put("city", c.city);
    put("address", c.address);
    put("goods_types", c.goods_types);
    put("data_source", Some(c.data_source.as_str().into()));
    put("owner_id", c.owner_id.map(|o| o.to_string()));
    put("status", Some(c.status.as_str().into()));
    put("uscc", c.uscc);
    put("notes", c.notes);
    put("tags", Some(c.tags.join(", ")));
    put(
        "custom_fields",
        Some(
            c.custom_fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    );
    put("id_number_masked", c.id_number);
    let modes = c
        .service_modes
        .iter()
        .map(|m| m.as_str().to_string())
        .collect();
    form_page(
        &app,
        &u,
        FormState {
            editing: Some(id),
            values,
            modes,
            errors: FieldErrors::new(),
            duplicates: vec![],
            conflict: String::new(),
        },
    )
    .await
}

async fn customer_update(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id = parse_id(&id, p.user.lang)?;
    save_form(&app, p, Some(id)).await
}

// ---- merge ----

#[derive(Template)]
#[template(path = "merge.html")]
struct MergeTpl {
    ctx: Ctx,
    source: CustomerView,
    q: String,
    candidates: Vec<Row>,
    error: String,
}

#[derive(serde::Deserialize)]
struct QQ {
    q: Option<String>,
}

async fn merge_render(app: &App, u: &UiUser, id: i64, q: String, error: String) -> UiResult {
    let lang = u.lang;
    let d = customers::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.merge {
        return Err(fail(AppError::Forbidden, lang));
    }
    let ctx = Ctx::new(app, u, &format!("/customers/{id}/merge"), "customers");
    let candidates = if q.trim().is_empty() {
        // Without a query, offer the likely duplicates of this customer.
        let hits = customers::find_duplicates(
            app,
            &u.actor,
            &d.customer.name,
            d.customer.uscc.as_deref(),
            &[],
            Some(id),
        )
        .await
        .map_err(|e| fail(e, lang))?;
        let mut rows = Vec::new();
        for h in hits {
            if let Ok(x) = customers::get(app, &u.actor, h.id).await {
                rows.push(row(&ctx, &x.customer));
            }
        }
        rows
    } else {
        let page = customers::list(
            app,
            &u.actor,
            &ListQuery {
                q: Some(q.clone()),
                per_page: Some("20".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| fail(e, lang))?;
        page.items
            .iter()
            .filter(|c| c.id != id)
            .map(|c| row(&ctx, c))
            .collect()
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&MergeTpl {
        ctx,
        source: d.customer,
        q,
        candidates,
        error,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn merge_page(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<QQ>,
) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    merge_render(&app, &u, id, q.q.unwrap_or_default(), String::new()).await
}

async fn merge_submit(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let into = p.form.text("into_id").trim().parse::<i64>().ok();
    let r = match into {
        Some(into) => customers::merge(&app, &p.user.actor, id, into).await,
        None => Err(AppError::field("into_id", "err.merge_target_missing")),
    };
    match r {
        Ok(d) => Ok(
            Redirect::to(&format!("/customers/{}?ok=common.saved", d.customer.id)).into_response(),
        ),
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .0
                .iter()
                .map(|e| lang.t(e.code))
                .collect::<Vec<_>>()
                .join("；");
            merge_render(&app, &p.user, id, p.form.text("q"), msg).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

// ---- administration ----

#[derive(Template)]
#[template(path = "users.html")]
struct UsersTpl {
    ctx: Ctx,
    users: Vec<UserView>,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    form: FormView,
    conflict: String,
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

async fn users_render(
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
    let units = users::units(app).await.map_err(|e| fail(e, lang))?;
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

async fn users_page(State(app): State<App>, u: UiUser, Query(q): Query<OkQ>) -> UiResult {
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

async fn user_create(State(app): State<App>, p: UiPost) -> UiResult {
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

async fn user_update(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
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

async fn unit_create(State(app): State<App>, p: UiPost) -> UiResult {
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
#[template(path = "audit.html")]
struct AuditTpl {
    ctx: Ctx,
    items: Vec<(TimelineItem, String, String)>,
    total: u64,
    page: u64,
    pages: u64,
    actions: Vec<Opt>,
    action: String,
}

#[derive(serde::Deserialize)]
struct AuditQ {
    action: Option<String>,
    page: Option<u64>,
}

const AUDIT_ACTIONS: &[&str] = &[
    "customer.create",
    "customer.update",
    "customer.assign",
    "customer.archive",
    "customer.restore",
    "customer.release",
    "customer.claim",
    "customer.reclaim",
    "customer.merge",
    "customer.merged_from",
    "contact.create",
    "contact.update",
    "contact.delete",
    "pii.reveal",
    "user.create",
    "user.update",
    "user.password",
    "user.disable",
    "user.enable",
    "token.create",
    "token.revoke",
    "auth.login",
    "auth.login_failed",
    "settings.update",
];

async fn audit_page(State(app): State<App>, u: UiUser, Query(q): Query<AuditQ>) -> UiResult {
    let lang = u.lang;
    let action = q
        .action
        .clone()
        .filter(|a| AUDIT_ACTIONS.contains(&a.as_str()));
    let aq = AuditQuery {
        action: action.clone(),
        page: q.page.unwrap_or(1).max(1),
        per_page: 50,
        ..Default::default()
    };
    let (items, total) = consign_app::audit::list(&app, &u.actor, &aq)
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = Ctx::new(&app, &u, "/admin/audit", "audit");
    let extra: Vec<(String, String)> = items
        .iter()
        .map(|a| {
            (
                format!("{} #{}", a.entity_type, a.entity_id),
                a.ip.clone().unwrap_or_default(),
            )
        })
        .collect();
    let rows = timeline_items(&app, &u.actor, &ctx, items).await;
    let actions = opts(
        AUDIT_ACTIONS
            .iter()
            .map(|a| (a.to_string(), lang.t(&format!("action.{a}")).to_string())),
        action.as_deref().unwrap_or(""),
    );
    Ok(render(&AuditTpl {
        items: rows
            .into_iter()
            .zip(extra)
            .map(|(t, (e, ip))| (t, e, ip))
            .collect(),
        total,
        page: aq.page,
        pages: total.div_ceil(50).max(1),
        actions,
        action: action.unwrap_or_default(),
        ctx,
    }))
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsTpl {
    ctx: Ctx,
    reclaim_days: String,
    error: String,
}

async fn settings_page(State(app): State<App>, u: UiUser, Query(q): Query<OkQ>) -> UiResult {
    let lang = u.lang;
    if !u.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let d = customers::reclaim_days(&app)
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

async fn settings_save(State(app): State<App>, p: UiPost) -> UiResult {
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

// ---- account ----

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTpl {
    ctx: Ctx,
    tokens: Vec<users::TokenView>,
    new_token: String,
    error: String,
    username: String,
}

async fn account_render(
    app: &App,
    u: &UiUser,
    new_token: String,
    error: String,
    flash: Option<&str>,
) -> UiResult {
    let lang = u.lang;
    let tokens = users::tokens(app, &u.actor, u.actor.user_id())
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

async fn account_page(State(app): State<App>, u: UiUser, Query(q): Query<OkQ>) -> UiResult {
    account_render(&app, &u, String::new(), String::new(), q.ok.as_deref()).await
}

async fn account_password(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    match users::change_own_password(
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

async fn token_create(State(app): State<App>, p: UiPost) -> UiResult {
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

async fn token_revoke(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    auth::revoke_token(&app, &p.user.actor, p.user.actor.user_id(), id)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to("/account?ok=common.saved").into_response())
}
