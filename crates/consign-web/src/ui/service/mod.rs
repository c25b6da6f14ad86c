//! The service desk's pages: the ticket list (filtered, paged, exported), registering a
//! ticket, and a ticket's page with its workflow steps, assignment, notes, attachments
//! and history. Deadlines past due show in red everywhere.

use crate::extract::{UiPost, UiUser};
use crate::ui::{fail, listing, opts, parse_id, render, vocab, Ctx, FormView, Opt, UiResult};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use consign_app::service::{
    self, AssignInput, EventView, StepInput, TicketDetail, TicketInput, TicketQuery, TicketView,
};
use consign_app::{App, AppError};
use consign_domain::customer::CustomerId;
use consign_domain::service::{Action, Channel, RootCause, Severity, Status, TicketKind};
use consign_domain::FieldErrors;
use std::collections::HashMap;

pub(crate) fn status_class(s: &Status) -> &'static str {
    match s {
        Status::Registered => "badge-amber",
        Status::Investigating => "badge-blue",
        Status::Resolved => "badge-purple",
        Status::Confirmed => "badge-green",
        Status::Closed => "badge-gray",
    }
}

pub(crate) fn severity_class(s: &Severity) -> &'static str {
    match s {
        Severity::Critical => "badge-red",
        Severity::High => "badge-amber",
        Severity::Normal => "badge-blue",
        Severity::Low => "badge-gray",
    }
}

#[derive(Template)]
#[template(path = "service/list.html")]
pub(crate) struct ListTpl {
    pub(crate) ctx: Ctx,
    pub(crate) q: TicketQuery,
    pub(crate) rows: Vec<TicketView>,
    pub(crate) total: u64,
    pub(crate) total_capped: bool,
    pub(crate) page: u64,
    pub(crate) pages: u64,
    pub(crate) has_next: bool,
    pub(crate) query_string: String,
    pub(crate) filter_errors: String,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) severities: Vec<Opt>,
    pub(crate) channels: Vec<Opt>,
    pub(crate) causes: Vec<Opt>,
    pub(crate) assignees: Vec<Opt>,
    pub(crate) sorts: Vec<Opt>,
    pub(crate) open: bool,
    pub(crate) breached: bool,
    pub(crate) can_create: bool,
    /// Saved views and the columns shown.
    pub(crate) lv: crate::ui::views::ListViews,
}

impl ListTpl {
    fn page_link(&self, page: u64) -> String {
        if self.query_string.is_empty() {
            format!("/tickets?page={page}")
        } else {
            format!("/tickets?{}&page={page}", self.query_string)
        }
    }
    fn status_class(&self, s: &Status) -> &'static str {
        status_class(s)
    }
    /// The set filters, each a chip that removes itself.
    fn chips(&self) -> Vec<listing::Chip> {
        let lang = self.ctx.lang;
        let q = &self.q;
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        let pairs: listing::Pairs = vec![
            ("q", v(&q.q)),
            ("status", v(&q.status)),
            ("open", v(&q.open)),
            ("kind", v(&q.kind)),
            ("severity", v(&q.severity)),
            ("channel", v(&q.channel)),
            ("root_cause", v(&q.root_cause)),
            ("assignee", v(&q.assignee)),
            ("breached", v(&q.breached)),
            ("customer_id", v(&q.customer_id)),
            ("from", v(&q.from)),
            ("to", v(&q.to)),
            ("sort", v(&q.sort)),
            ("per_page", v(&q.per_page)),
        ];
        let t = |k: &str| lang.t(k).to_string();
        listing::chips("/tickets", &pairs, |k, val| {
            let of = |opts: &[Opt]| listing::option_label(opts, val);
            Some(match k {
                "q" => (t("common.search"), val.to_string()),
                "status" => (t("ticket.status"), of(&self.statuses)),
                "open" => (t("ticket.open_only"), listing::yes(lang)),
                "kind" => (t("ticket.kind"), of(&self.kinds)),
                "severity" => (t("ticket.severity"), of(&self.severities)),
                "channel" => (t("ticket.channel"), of(&self.channels)),
                "root_cause" => (t("ticket.root_cause"), of(&self.causes)),
                "assignee" => (t("ticket.assignee"), of(&self.assignees)),
                "breached" => (t("ticket.breached_only"), listing::yes(lang)),
                "customer_id" => (t("ticket.customer"), val.to_string()),
                "from" => (t("ticket.created_from"), val.to_string()),
                "to" => (t("ticket.created_to"), val.to_string()),
                _ => return None,
            })
        })
    }
    /// A filter behind "more filters" is set.
    fn more_set(&self) -> bool {
        let q = &self.q;
        [
            &q.channel,
            &q.root_cause,
            &q.from,
            &q.to,
            &q.breached,
            &q.open,
        ]
        .into_iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }
    fn severity_class(&self, s: &Severity) -> &'static str {
        severity_class(s)
    }
}

/// The query string of a list's filters (without the page), for links and exports.
pub(crate) fn query_string(q: &TicketQuery) -> String {
    let mut q = q.clone();
    q.page = None;
    let pairs: Vec<(String, String)> = serde_json::to_value(&q)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter_map(|(k, v)| {
                    v.as_str()
                        .filter(|s| !s.is_empty())
                        .map(|s| (k, s.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub(crate) fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "true" | "on" | "yes"))
}

pub(crate) async fn list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TicketQuery>,
    Query(v): Query<crate::ui::views::ViewQ>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let (page, filter_errors): (service::TicketPage, String) =
        match service::list(&app, &u.actor, &q).await {
            Ok(p) => (p, String::new()),
            Err(AppError::Validation(errs)) => {
                let msg = crate::error::errors_text(lang, &errs);
                let p = service::list(&app, &u.actor, &TicketQuery::default())
                    .await
                    .map_err(|e| fail(e, lang))?;
                (p, msg)
            }
            Err(e) => return Err(fail(e, lang)),
        };
    let people = service::assignees(&app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let cur = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut assignees = vec![
        ("me".to_string(), lang.t("ticket.mine").to_string()),
        ("none".to_string(), lang.t("ticket.unassigned").to_string()),
    ];
    assignees.extend(people.iter().map(|a| (a.id.to_string(), a.name.clone())));
    let sorts = [
        ("newest", "ticket.sort_newest"),
        ("oldest", "ticket.sort_oldest"),
        ("due", "ticket.sort_due"),
    ]
    .iter()
    .map(|(v, k)| (v.to_string(), lang.t(k).to_string()));
    let lv = crate::ui::views::for_page(
        &app,
        &u,
        consign_domain::views::ListKind::Tickets,
        v.view.as_deref(),
        query_string(&q),
    )
    .await?;
    let t = ListTpl {
        lv,
        ctx: Ctx::new(&app, &u, &uri.to_string(), "service"),
        query_string: query_string(&q),
        statuses: vocab(
            lang,
            Status::ALL,
            Status::as_str,
            Status::label_key,
            &cur(&q.status),
        ),
        kinds: vocab(
            lang,
            TicketKind::ALL,
            TicketKind::as_str,
            TicketKind::label_key,
            &cur(&q.kind),
        ),
        severities: vocab(
            lang,
            Severity::ALL,
            Severity::as_str,
            Severity::label_key,
            &cur(&q.severity),
        ),
        channels: vocab(
            lang,
            Channel::ALL,
            Channel::as_str,
            Channel::label_key,
            &cur(&q.channel),
        ),
        causes: vocab(
            lang,
            RootCause::ALL,
            RootCause::as_str,
            RootCause::label_key,
            &cur(&q.root_cause),
        ),
        assignees: opts(assignees, &cur(&q.assignee)),
        sorts: opts(sorts, q.sort.as_deref().unwrap_or("newest")),
        open: flag(&q.open),
        breached: flag(&q.breached),
        can_create: u.actor.role.handles_tickets(),
        total: page.total,
        total_capped: page.total_capped,
        page: page.page,
        pages: page.pages(),
        has_next: page.has_next(),
        rows: page.items,
        filter_errors: crate::ui::views::view_error(lang, v.view_error.as_deref())
            .unwrap_or(filter_errors),
        q,
    };
    Ok(render(&t))
}

#[derive(serde::Deserialize)]
pub(crate) struct FormatQ {
    pub(crate) format: Option<String>,
}

pub(crate) async fn export(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TicketQuery>,
    Query(f): Query<FormatQ>,
) -> UiResult {
    let format = f
        .format
        .as_deref()
        .and_then(consign_app::exports::Format::parse)
        .unwrap_or(consign_app::exports::Format::Csv);
    crate::downloads::download(
        &app,
        &u.actor,
        consign_app::exports::Export::Tickets(Box::new(q)),
        format,
        u.lang.t("ticket.list_title"),
    )
    .await
    .map_err(|e| fail(e, u.lang))
}

// ---- register ----

#[derive(Template)]
#[template(path = "service/ticket_form.html")]
pub(crate) struct FormTpl {
    pub(crate) ctx: Ctx,
    pub(crate) form: FormView,
    /// The customer it is for, when it came from the customer's page: (id, name).
    pub(crate) customer: Option<(CustomerId, String)>,
    pub(crate) contacts: Vec<Opt>,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) channels: Vec<Opt>,
    pub(crate) severities: Vec<Opt>,
    pub(crate) assignees: Vec<Opt>,
}

#[derive(serde::Deserialize)]
pub(crate) struct NewQ {
    pub(crate) customer_id: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) waybill: Option<String>,
}

pub(crate) async fn form_page(
    app: &App,
    u: &UiUser,
    values: HashMap<String, String>,
    errors: FieldErrors,
) -> UiResult {
    let lang = u.lang;
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let mut customer = None;
    let mut contacts = Vec::new();
    if let Ok(id) = CustomerId::parse(&v("customer_id")) {
        let d = consign_app::customers::get(app, &u.actor, id)
            .await
            .map_err(|e| fail(e, lang))?;
        contacts = opts(
            d.contacts
                .iter()
                .map(|c| (c.id.to_string(), c.name.clone())),
            &v("contact_id"),
        );
        customer = Some((id, d.customer.name.clone()));
    }
    let people = service::assignees(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let kind = match v("kind") {
        k if k.is_empty() => "complaint".to_string(),
        k => k,
    };
    let severity = match v("severity") {
        s if s.is_empty() => "normal".to_string(),
        s => s,
    };
    let t = FormTpl {
        ctx: Ctx::new(app, u, "/tickets/new", "service"),
        kinds: vocab(
            lang,
            TicketKind::ALL,
            TicketKind::as_str,
            TicketKind::label_key,
            &kind,
        ),
        channels: vocab(
            lang,
            Channel::ALL,
            Channel::as_str,
            Channel::label_key,
            &v("channel"),
        ),
        severities: vocab(
            lang,
            Severity::ALL,
            Severity::as_str,
            Severity::label_key,
            &severity,
        ),
        assignees: opts(
            people.iter().map(|a| (a.id.to_string(), a.name.clone())),
            &v("assignee_id"),
        ),
        form: FormView::new(lang, values, errors),
        customer,
        contacts,
    };
    Ok(render(&t))
}

pub(crate) async fn new_form(State(app): State<App>, u: UiUser, Query(q): Query<NewQ>) -> UiResult {
    if !u.actor.role.handles_tickets() {
        return Err(fail(AppError::Forbidden, u.lang));
    }
    let mut values = HashMap::new();
    if let Some(c) = q.customer_id {
        values.insert("customer_id".into(), c);
    }
    if let Some(k) = q.kind {
        values.insert("kind".into(), k);
    }
    if let Some(w) = q.waybill {
        values.insert("waybills".into(), w);
    }
    form_page(&app, &u, values, FieldErrors::new()).await
}

pub(crate) async fn create(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let g = |k: &str| p.form.text(k);
    let input = TicketInput {
        kind: g("kind"),
        channel: g("channel"),
        severity: g("severity"),
        customer_id: g("customer_id"),
        customer_code: g("customer_code"),
        contact_id: g("contact_id"),
        assignee_id: g("assignee_id"),
        subject: g("subject"),
        description: g("description"),
        waybills: g("waybills"),
        claimed: g("claimed"),
        responsible_party: g("responsible_party"),
    };
    match service::create(&app, &p.user.actor, &input).await {
        Ok(d) => Ok(
            Redirect::to(&format!("/tickets/{}?ok=ticket.registered", d.ticket.id)).into_response(),
        ),
        Err(AppError::Validation(errs)) => {
            let values = p.form.0.iter().cloned().collect();
            let mut r = form_page(&app, &p.user, values, errs).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) mod ticket;
#[allow(unused_imports)]
pub(crate) use ticket::*;
mod notifications;
#[allow(unused_imports)]
pub(crate) use notifications::*;
mod sla;
#[allow(unused_imports)]
pub(crate) use sla::*;
mod tasks;
#[allow(unused_imports)]
pub(crate) use tasks::*;
mod dashboard;
#[allow(unused_imports)]
pub(crate) use dashboard::*;

/// The service desk's screens: tickets, tasks, the SLA policy, notifications.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/tickets", get(list).post(create))
        .route("/tickets/new", get(new_form))
        .route("/service", get(dashboard))
        .route("/tickets/export", get(export))
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/step", post(step))
        .route("/tickets/{id}/assign", post(assign))
        .route("/tickets/{id}/comment", post(comment))
        .route(
            "/tickets/{id}/attachments",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024)),
        )
        .route("/tickets/{id}/attachments/{aid}", get(attachment))
        .route("/tasks", get(tasks_page))
        .route("/tasks/{id}/complete", post(task_complete))
        .route("/admin/sla", get(sla_page).post(sla_save))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(notifications_read))
}
