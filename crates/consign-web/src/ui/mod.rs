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
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use consign_app::audit::AuditView;
use consign_app::auth::{self, LoginError};
use consign_app::billing::{InvoiceView, PaymentView, Receivables};
use consign_app::customers::{
    ContactInput, ContactView, CustomerDetail, CustomerInput, CustomerView, DuplicateHit,
    ListQuery, NewCustomer, Page, Revealed,
};
use consign_app::shipments::ShipmentView;
use consign_app::users::UserView;
use consign_app::{App, AppError};
use consign_domain::classify::{Grade, Lifecycle, RfmSegment, ValueClass};
use consign_domain::customer::CustomerId;
use consign_domain::customer::{
    CustomerKind, CustomerStatus, DataSource, GovLevel, Industry, ServiceMode, PROVINCES,
};
use consign_domain::ops::Fen;
use consign_domain::role::Role;
use consign_domain::shipment::ShipmentStatus;
use consign_domain::{FieldErrors, Lang};
use std::collections::{BTreeMap, HashMap};

pub(crate) type UiResult = Result<Response, Response>;

/// The badge colour of a shipment's status (staff pages and public tracking alike).
pub(crate) fn shipment_badge(s: &ShipmentStatus) -> &'static str {
    match s {
        ShipmentStatus::Delivered => "badge-green",
        ShipmentStatus::InTransit => "badge-blue",
        ShipmentStatus::Created => "badge-gray",
        ShipmentStatus::Returned => "badge-amber",
        ShipmentStatus::Cancelled => "badge-red",
    }
}

pub(crate) fn fail(e: AppError, lang: Lang) -> Response {
    WebError::ui(e, lang).into_response()
}

/// Every screen: each capability's module owns its routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/customers") }))
        .merge(login::routes())
        .merge(customers::routes())
        .merge(shipments::routes())
        .merge(imports::routes())
        .merge(service::routes())
        .merge(analysis::routes())
        .merge(kpis::routes())
        .merge(surveys::routes())
        .merge(improvements::routes())
        .merge(credit::routes())
        .merge(admin::routes())
        .merge(users::routes())
        .merge(audit::routes())
        .merge(account::routes())
        .merge(views::routes())
        .merge(webhooks::routes())
        .merge(portal::routes())
        .merge(tracking::routes())
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
    /// Sees credit (the credit list, holds, a customer's credit).
    pub can_credit: bool,
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
            can_credit: u.actor.role.can_see_credit(),
            unread: u.unread,
            flash: None,
            tz: app.tz(),
        }
    }
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key).to_string()
    }
    pub fn total(&self, n: &u64) -> String {
        self.lang.tf("common.total", &[&self.count(n)])
    }
    /// A count that stopped at `n`: more than `n`.
    pub fn total_more(&self, n: &u64) -> String {
        self.lang.tf("common.total_more", &[&self.count(n)])
    }
    pub fn page_only(&self, page: &u64) -> String {
        self.lang.tf("common.page_only", &[&self.count(page)])
    }
    /// A message with one text filled in.
    pub fn tf1s(&self, key: &str, s: &str) -> String {
        self.lang.tf(key, &[&s])
    }
    /// A message with one number filled in.
    pub fn tf1(&self, key: &str, n: &i64) -> String {
        self.lang.tf(key, &[n])
    }
    /// A task's title in the page's language (a generated one from its key).
    pub fn task_title(&self, k: &consign_app::followups::TaskView) -> String {
        match &k.title_key {
            Some(key) => consign_app::followups::generated_title(self.lang, key, &k.title_args),
            None => k.title.clone(),
        }
    }
    /// A message with one text filled in.
    pub fn tfs(&self, key: &str, s: &str) -> String {
        self.lang.tf(key, &[&s])
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
        self.lang
            .tf("common.page", &[&self.count(page), &self.count(pages)])
    }
    pub fn other_lang(&self) -> &'static str {
        self.lang.other_code()
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
    /// A count with thousands separators: 1,234,567.
    pub fn count(&self, n: &impl AsCount) -> String {
        consign_domain::ops::thousands(n.as_count())
    }
    /// ¥12,345.67, from a `Fen` or a sum of fen.
    pub fn money(&self, fen: impl AsFen) -> String {
        fen.fen().to_string()
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
        shipment_badge(s)
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
        "webhook.deleted",
        "webhook.replayed",
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

pub use crate::error::error_page;

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

/// The options of a vocabulary (its values and their labels in `lang`), `cur` selected.
pub(crate) fn vocab<T: Copy>(
    lang: Lang,
    all: &[T],
    s: impl Fn(T) -> &'static str,
    k: impl Fn(T) -> &'static str,
    cur: &str,
) -> Vec<Opt> {
    opts(
        all.iter()
            .map(|v| (s(*v).to_string(), lang.t(k(*v)).to_string())),
        cur,
    )
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

/// The staff by display name, as options of a "who" filter, for roles that see everyone's
/// records (admins and those who write operations data); empty for the others.
pub(crate) async fn people_opts(
    app: &consign_app::App,
    u: &crate::extract::UiUser,
    current: &str,
) -> Result<Vec<Opt>, axum::response::Response> {
    let role = u.actor.role;
    if !(role.is_admin() || role.can_write_operations()) {
        return Ok(Vec::new());
    }
    let mut named: Vec<(String, String)> = consign_app::users::display_names(app, &u.actor)
        .await
        .map_err(|e| fail(e, u.lang))?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    named.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(opts(named, current))
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
    let owners = consign_app::users::assignable_owners(app, &u.actor)
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
    pub id: CustomerId,
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
                // One token: 广东·东莞 (a municipality once: 上海).
                if acc.is_empty() || acc == *s {
                    s.to_string()
                } else {
                    format!("{acc}·{s}")
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

// The screens, one module per capability (declared after the macros above, which they use).
mod account;
mod admin;
pub(crate) mod analysis;
mod audit;
pub(crate) mod credit;
mod customers;
pub(crate) mod imports;
pub(crate) mod improvements;
pub(crate) mod kpis;
pub(crate) mod listing;
mod login;
pub(crate) mod portal;
pub(crate) mod service;
mod shipments;
pub(crate) mod surveys;
mod tracking;
mod users;
pub(crate) mod views;
pub(crate) mod webhooks;
#[allow(unused_imports)]
use account::*;
#[allow(unused_imports)]
use admin::*;
#[allow(unused_imports)]
use customers::*;
#[allow(unused_imports)]
use login::*;
#[allow(unused_imports)]
use shipments::*;

/// An amount a template prints as money: a `Fen`, or an integer sum of fen (the
/// dashboards' figures).
pub trait AsFen {
    fn fen(&self) -> Fen;
}

impl AsFen for Fen {
    fn fen(&self) -> Fen {
        *self
    }
}

impl AsFen for i64 {
    fn fen(&self) -> Fen {
        Fen(*self)
    }
}

impl<T: AsFen + ?Sized> AsFen for &T {
    fn fen(&self) -> Fen {
        (**self).fen()
    }
}

/// A count a template prints (`Ctx::count`), however the template holds it.
pub trait AsCount {
    fn as_count(&self) -> i128;
}

macro_rules! as_count {
    ($($t:ty),*) => {$(
        impl AsCount for $t {
            fn as_count(&self) -> i128 {
                i128::from(*self)
            }
        }
    )*};
}
as_count!(i64, u64, i32, u32);

impl AsCount for usize {
    fn as_count(&self) -> i128 {
        i128::try_from(*self).unwrap_or(i128::MAX)
    }
}

impl<T: AsCount + ?Sized> AsCount for &T {
    fn as_count(&self) -> i128 {
        (**self).as_count()
    }
}
