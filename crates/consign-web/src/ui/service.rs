//! The service desk's pages: the ticket list (filtered, paged, exported), registering a
//! ticket, and a ticket's page with its workflow steps, assignment, notes, attachments
//! and history. Deadlines past due show in red everywhere.

use crate::extract::{UiPost, UiUser};
use crate::ui::{fail, opts, parse_id, render, Ctx, FormView, Opt, UiResult};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use consign_app::service::{
    self, AssignInput, EventView, StepInput, TicketDetail, TicketInput, TicketQuery, TicketView,
};
use consign_app::{App, AppError};
use consign_domain::service::{Action, Channel, RootCause, Severity, Status, TicketKind};
use consign_domain::{FieldErrors, Lang};
use std::collections::HashMap;

fn vocab<T: Copy>(
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
#[template(path = "tickets.html")]
struct ListTpl {
    ctx: Ctx,
    q: TicketQuery,
    rows: Vec<TicketView>,
    total: u64,
    total_capped: bool,
    page: u64,
    pages: u64,
    has_next: bool,
    query_string: String,
    filter_errors: String,
    statuses: Vec<Opt>,
    kinds: Vec<Opt>,
    severities: Vec<Opt>,
    channels: Vec<Opt>,
    causes: Vec<Opt>,
    assignees: Vec<Opt>,
    sorts: Vec<Opt>,
    open: bool,
    breached: bool,
    can_create: bool,
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
    fn severity_class(&self, s: &Severity) -> &'static str {
        severity_class(s)
    }
}

/// The query string of a list's filters (without the page), for links and exports.
fn query_string(q: &TicketQuery) -> String {
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

fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "true" | "on" | "yes"))
}

pub(crate) async fn list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TicketQuery>,
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
    let people = service::assignees(&app).await.map_err(|e| fail(e, lang))?;
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
    let t = ListTpl {
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
        can_create: service::can_handle(u.actor.role),
        total: page.total,
        total_capped: page.total_capped,
        page: page.page,
        pages: page.pages(),
        has_next: page.has_next(),
        rows: page.items,
        filter_errors,
        q,
    };
    Ok(render(&t))
}

#[derive(serde::Deserialize)]
pub(crate) struct FormatQ {
    format: Option<String>,
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
#[template(path = "ticket_form.html")]
struct FormTpl {
    ctx: Ctx,
    form: FormView,
    /// The customer it is for, when it came from the customer's page: (id, name).
    customer: Option<(i64, String)>,
    contacts: Vec<Opt>,
    kinds: Vec<Opt>,
    channels: Vec<Opt>,
    severities: Vec<Opt>,
    assignees: Vec<Opt>,
}

#[derive(serde::Deserialize)]
pub(crate) struct NewQ {
    customer_id: Option<String>,
    kind: Option<String>,
    waybill: Option<String>,
}

async fn form_page(
    app: &App,
    u: &UiUser,
    values: HashMap<String, String>,
    errors: FieldErrors,
) -> UiResult {
    let lang = u.lang;
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let mut customer = None;
    let mut contacts = Vec::new();
    if let Ok(id) = v("customer_id").parse::<i64>() {
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
    let people = service::assignees(app).await.map_err(|e| fail(e, lang))?;
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
    if !service::can_handle(u.actor.role) {
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

// ---- a ticket ----

#[derive(Template)]
#[template(path = "ticket.html")]
struct ShowTpl {
    ctx: Ctx,
    t: TicketView,
    events: Vec<EventView>,
    shipments: Vec<service::TicketShipment>,
    attachments: Vec<service::AttachmentRow>,
    actions: Vec<Action>,
    can_work: bool,
    is_claim: bool,
    causes: Vec<Opt>,
    assignees: Vec<Opt>,
    error: String,
}

impl ShowTpl {
    fn status_class(&self, s: &Status) -> &'static str {
        status_class(s)
    }
    fn severity_class(&self, s: &Severity) -> &'static str {
        severity_class(s)
    }
    fn class_label(&self, v: &str) -> String {
        consign_domain::classify::ValueClass::parse(v)
            .map(|c| self.ctx.t(c.label_key()))
            .unwrap_or_default()
    }
    fn size(&self, n: &i64) -> String {
        if *n >= 1024 * 1024 {
            format!("{:.1} MB", *n as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", (*n + 1023) / 1024)
        }
    }
    fn step_note_label(&self, a: &Action) -> String {
        self.ctx.t(match a {
            Action::Resolve => "ticket.note_resolution",
            Action::Confirm | Action::CallbackFailed => "ticket.note_callback",
            _ => "ticket.note",
        })
    }
    fn event_label(&self, e: &EventView) -> String {
        let key = match Action::parse(&e.action) {
            Some(a) => a.label_key().to_string(),
            None => format!("ticket_event.{}", e.action),
        };
        self.ctx.t(&key)
    }
    /// What an event's detail adds: the root cause, the amount settled, who a breach
    /// went to, the new assignee, the deadlines given.
    fn event_detail(&self, e: &EventView) -> String {
        let d = &e.detail;
        let s = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let mut parts = Vec::new();
        if let Some(rc) = s("root_cause").as_deref().and_then(RootCause::parse) {
            parts.push(self.ctx.t(rc.label_key()));
        }
        if let Some(x) = s("settled") {
            parts.push(format!("{} {x}", self.ctx.t("ticket.settled")));
        }
        if e.action == "assign" {
            parts.push(format!(
                "{} → {}",
                s("from").unwrap_or_else(|| "—".into()),
                s("to").unwrap_or_else(|| self.ctx.t("ticket.unassigned"))
            ));
        }
        if let (Some(f), Some(r)) = (
            d.get("first_response_minutes").and_then(|v| v.as_i64()),
            d.get("resolution_minutes").and_then(|v| v.as_i64()),
        ) {
            parts.push(self.ctx.tf2("ticket.targets_given", &f, &r));
        }
        parts.join(" · ")
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct OkQ {
    ok: Option<String>,
}

async fn show_page(
    app: &App,
    u: &UiUser,
    d: TicketDetail,
    flash: Option<&str>,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let people = service::assignees(app).await.map_err(|e| fail(e, lang))?;
    let cur = d
        .ticket
        .assignee_id
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut ctx = Ctx::new(app, u, &format!("/tickets/{}", d.ticket.id), "service");
    const ALLOWED: &[&str] = &[
        "ticket.registered",
        "ticket.stepped",
        "ticket.assigned",
        "ticket.commented",
        "ticket.attached",
    ];
    if let Some(k) = flash.filter(|k| ALLOWED.contains(k)) {
        ctx.flash = Some(lang.t(k).to_string());
    }
    let t = ShowTpl {
        ctx,
        is_claim: d.ticket.kind == TicketKind::Claim,
        causes: vocab(
            lang,
            RootCause::ALL,
            RootCause::as_str,
            RootCause::label_key,
            "",
        ),
        assignees: opts(
            people.iter().map(|a| (a.id.to_string(), a.name.clone())),
            &cur,
        ),
        t: d.ticket,
        events: d.events,
        shipments: d.shipments,
        attachments: d.attachments,
        actions: d.actions,
        can_work: d.can_work,
        error,
    };
    Ok(render(&t))
}

pub(crate) async fn show(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(ok): Query<OkQ>,
) -> UiResult {
    let lang = u.lang;
    let id = parse_id(&id, lang)?;
    let d = service::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    show_page(&app, &u, d, ok.ok.as_deref(), String::new()).await
}

/// A refused step or note shows on the ticket's page with what was wrong (422 or 409),
/// the ticket as it stands.
async fn refused(app: &App, u: &UiUser, id: i64, e: AppError) -> UiResult {
    let lang = u.lang;
    let (status, msg) = match &e {
        AppError::Validation(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errs.0
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        lang.t(&format!("ticket.field.{}", f.field)),
                        lang.t(f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join("；"),
        ),
        AppError::Refused { code, args } => (
            StatusCode::CONFLICT,
            crate::error::refused(lang, code, args),
        ),
        AppError::Conflict { code, .. } => (StatusCode::CONFLICT, lang.t(code).to_string()),
        _ => return Err(fail(e, lang)),
    };
    let d = service::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut r = show_page(app, u, d, None, msg).await?;
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn step(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id = parse_id(&id, p.user.lang)?;
    let input = StepInput {
        action: p.form.text("action"),
        note: p.form.text("note"),
        root_cause: p.form.text("root_cause"),
        settled: p.form.text("settled"),
        responsible_party: p.form.text("responsible_party"),
    };
    match service::step(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{id}?ok=ticket.stepped")).into_response()),
        Err(e) => refused(&app, &p.user, id, e).await,
    }
}

pub(crate) async fn assign(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id = parse_id(&id, p.user.lang)?;
    let input = AssignInput {
        assignee_id: p.form.text("assignee_id"),
        note: p.form.text("note"),
    };
    match service::assign(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{id}?ok=ticket.assigned")).into_response()),
        Err(e) => refused(&app, &p.user, id, e).await,
    }
}

pub(crate) async fn comment(State(app): State<App>, Path(id): Path<String>, p: UiPost) -> UiResult {
    let id = parse_id(&id, p.user.lang)?;
    match service::comment(&app, &p.user.actor, id, &p.form.text("note")).await {
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{id}?ok=ticket.commented")).into_response()),
        Err(e) => refused(&app, &p.user, id, e).await,
    }
}

/// Reads an uploaded file of at most the attachment limit (and one byte more, so that
/// a larger file is told apart), with the form's CSRF token checked.
pub(crate) async fn read_upload(
    u: &UiUser,
    form: &mut Multipart,
) -> Result<(String, Vec<u8>), AppError> {
    let mut csrf_ok = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(mut field)) = form.next_field().await {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf_ok = field.text().await.unwrap_or_default() == u.csrf,
            "file" => {
                let name = field.file_name().unwrap_or("attachment").to_string();
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            bytes.extend_from_slice(&c);
                            if bytes.len() > service::MAX_ATTACHMENT_BYTES {
                                return Err(AppError::field("file", "err.attachment_too_large"));
                            }
                        }
                        Ok(None) => break,
                        Err(_) => return Err(AppError::field("file", "import.upload_broken")),
                    }
                }
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::Forbidden);
    }
    file.ok_or_else(|| AppError::field("file", "err.required"))
}

pub(crate) async fn upload(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    mut form: Multipart,
) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    let result = match read_upload(&u, &mut form).await {
        Ok((name, bytes)) => service::attach(&app, &u.actor, id, &name, bytes).await,
        Err(AppError::Forbidden) => {
            return Err(
                crate::error::WebError::csrf(crate::error::Surface::Ui, u.lang).into_response(),
            )
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tickets/{id}?ok=ticket.attached")).into_response()),
        Err(e) => refused(&app, &u, id, e).await,
    }
}

/// Serves an attachment as a download, never rendered inline (a file cannot run as a
/// page of ours).
pub(crate) fn attachment_response(row: &service::AttachmentRow, data: Vec<u8>) -> Response {
    let name = crate::extract::urlencode(&row.filename);
    (
        [
            (header::CONTENT_TYPE, row.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"attachment\"; filename*=UTF-8''{name}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        data,
    )
        .into_response()
}

pub(crate) async fn attachment(
    State(app): State<App>,
    u: UiUser,
    Path((id, aid)): Path<(String, String)>,
) -> UiResult {
    let lang = u.lang;
    let (id, aid) = (parse_id(&id, lang)?, parse_id(&aid, lang)?);
    let (row, data) = service::attachment(&app, &u.actor, id, aid)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(attachment_response(&row, data))
}

// ---- notifications ----

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsTpl {
    ctx: Ctx,
    n: service::Notifications,
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

// ---- the SLA policy (admins) ----

#[derive(Template)]
#[template(path = "sla.html")]
struct SlaTpl {
    ctx: Ctx,
    form: FormView,
    classes: &'static [consign_domain::classify::ValueClass],
    severities: &'static [Severity],
    grades: &'static [consign_domain::classify::Grade],
    weekdays: Vec<(u8, &'static str)>,
}

impl SlaTpl {
    fn field(
        &self,
        vc: &consign_domain::classify::ValueClass,
        s: &Severity,
        first: bool,
    ) -> String {
        service::target_field(*vc, *s, first)
    }
    fn clock_field(&self, s: &Severity) -> String {
        format!("clock_{}", s.as_str())
    }
    fn grade_field(&self, g: &consign_domain::classify::Grade) -> String {
        format!("g_{}", g.as_str())
    }
    fn wd_field(&self, d: &u8) -> String {
        format!("wd_{d}")
    }
}

fn sla_render(app: &App, u: &UiUser, form: FormView, flash: Option<&str>) -> Response {
    let mut ctx = Ctx::new(app, u, "/admin/sla", "settings");
    if flash == Some("common.saved") {
        ctx.flash = Some(u.lang.t("common.saved").to_string());
    }
    render(&SlaTpl {
        ctx,
        form,
        classes: consign_domain::classify::ValueClass::ALL,
        severities: Severity::ALL,
        grades: consign_domain::classify::Grade::ALL,
        weekdays: (1..=7u8)
            .map(|d| {
                (
                    d,
                    ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"][d as usize - 1],
                )
            })
            .collect(),
    })
}

pub(crate) async fn sla_page(State(app): State<App>, u: UiUser, Query(ok): Query<OkQ>) -> UiResult {
    let lang = u.lang;
    if !u.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let p = service::sla_policy(&app).await.map_err(|e| fail(e, lang))?;
    let form = FormView::new(lang, service::sla_form_values(&p), FieldErrors::new());
    Ok(sla_render(&app, &u, form, ok.ok.as_deref()))
}

pub(crate) async fn sla_save(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    if !p.user.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let get = |f: &str| p.form.text(f);
    let result = match service::sla_from_form(&get) {
        Ok(policy) => service::set_sla_policy(&app, &p.user.actor, &policy)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/sla?ok=common.saved").into_response()),
        Err(AppError::Validation(errs)) => {
            let values = p.form.0.iter().cloned().collect();
            let mut r = sla_render(&app, &p.user, FormView::new(lang, values, errs), None);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}

// ---- tasks ----

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksTpl {
    ctx: Ctx,
    l: consign_app::followups::TaskList,
    kinds: Vec<Opt>,
    error: String,
}

/// One group of the task list as shown: title, rows, id, whole count.
type TaskGroup<'a> = (
    String,
    &'a Vec<consign_app::followups::TaskView>,
    &'static str,
    u64,
);

impl TasksTpl {
    fn groups(&self) -> Vec<TaskGroup<'_>> {
        let l = &self.l;
        [
            ("followup.overdue", &l.overdue, "overdue", l.overdue_total),
            ("followup.today", &l.today, "today", l.today_total),
            (
                "followup.upcoming",
                &l.upcoming,
                "upcoming",
                l.upcoming_total,
            ),
        ]
        .into_iter()
        .filter(|g| l.group.is_none_or(|x| x == g.2))
        .map(|(k, rows, id, n)| (self.ctx.t(k), rows, id, n))
        .collect()
    }
    /// "Showing 1–100 of 12,600", when a group lists only part of its tasks.
    fn shown(&self, rows: &[consign_app::followups::TaskView], total: &u64) -> String {
        if rows.len() as u64 >= *total {
            return String::new();
        }
        let from = (self.l.page - 1) * self.l.per_page + 1;
        let to = from + rows.len() as u64 - 1;
        self.ctx.tf3("followup.shown", &from, &to, total)
    }
    fn has_next(&self, total: &u64) -> bool {
        self.l.page * self.l.per_page < *total
    }
}

#[derive(Default, serde::Deserialize)]
pub(crate) struct TasksQ {
    ok: Option<String>,
    group: Option<String>,
    page: Option<u64>,
}

async fn tasks_render(
    app: &App,
    u: &UiUser,
    q: &TasksQ,
    flash: Option<&str>,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let l = consign_app::followups::my_tasks(
        app,
        &u.actor,
        14,
        q.group.as_deref(),
        q.page.unwrap_or(1),
    )
    .await
    .map_err(|e| fail(e, lang))?;
    let mut ctx = Ctx::new(app, u, "/tasks", "tasks");
    if flash == Some("followup.completed") {
        ctx.flash = Some(lang.t("followup.completed").to_string());
    }
    use consign_domain::followup::InteractionKind;
    Ok(render(&TasksTpl {
        ctx,
        l,
        kinds: vocab(
            lang,
            InteractionKind::ALL,
            InteractionKind::as_str,
            InteractionKind::label_key,
            "call",
        ),
        error,
    }))
}

pub(crate) async fn tasks_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TasksQ>,
) -> UiResult {
    tasks_render(&app, &u, &q, q.ok.as_deref(), String::new()).await
}

pub(crate) async fn task_complete(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::InteractionInput {
        kind: p.form.text("kind"),
        summary: p.form.text("summary"),
        next_step: p.form.text("next_step"),
        ..Default::default()
    };
    match consign_app::followups::complete(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to("/tasks?ok=followup.completed").into_response()),
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .0
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        lang.t(&format!("followup.{}", f.field)),
                        lang.t(f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let mut r = tasks_render(&app, &p.user, &TasksQ::default(), None, msg).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}

// ---- the service dashboard ----

#[derive(Template)]
#[template(path = "service_dash.html")]
struct DashTpl {
    ctx: Ctx,
    d: service::ServiceDashboard,
    status_svg: String,
    kind_svg: String,
    cause_svg: String,
}

impl DashTpl {
    fn periods(&self) -> Vec<(i64, String)> {
        [7, 30, 90, 365]
            .iter()
            .map(|d| (*d, self.ctx.tf1("sdash.days", d)))
            .collect()
    }
    /// 1 h 25 min, in business time.
    fn minutes(&self, m: &Option<f64>) -> String {
        match m {
            None => "—".into(),
            Some(m) => {
                let m = m.round() as i64;
                if m >= 60 {
                    self.ctx.tf2("sdash.h_min", &(m / 60), &(m % 60))
                } else {
                    self.ctx.tf1("sdash.min", &m)
                }
            }
        }
    }
    fn rate(&self, r: &Option<f64>) -> String {
        r.map(|r| format!("{r:.2}")).unwrap_or_else(|| "—".into())
    }
    fn opt(&self, v: &Option<i64>) -> String {
        v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
    }
}

pub(crate) async fn dashboard(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<service::ServiceDashQuery>,
) -> UiResult {
    let lang = u.lang;
    let d = service::dashboard(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let bar = |label: String, n: i64, href: String| crate::charts::Bar {
        label,
        value: n as f64,
        text: n.to_string(),
        href,
    };
    let status_bars: Vec<_> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| {
            let n: i64 = d.open.iter().filter(|o| o.0 == *s).map(|o| o.2).sum();
            bar(
                lang.t(s.label_key()).into(),
                n,
                format!("/tickets?status={}", s.as_str()),
            )
        })
        .collect();
    let kind_bars: Vec<_> = TicketKind::ALL
        .iter()
        .map(|k| {
            let n: i64 = d.open.iter().filter(|o| o.1 == *k).map(|o| o.2).sum();
            bar(
                lang.t(k.label_key()).into(),
                n,
                format!("/tickets?open=1&kind={}", k.as_str()),
            )
        })
        .collect();
    let cause_bars: Vec<_> = d
        .causes
        .iter()
        .map(|(c, n)| {
            bar(
                lang.t(c.label_key()).into(),
                *n,
                format!("/tickets?root_cause={}&from={}", c.as_str(), d.from),
            )
        })
        .collect();
    let t = DashTpl {
        ctx: Ctx::new(&app, &u, "/service", "service"),
        status_svg: crate::charts::hbars(lang.t("sdash.open_by_status"), &status_bars, "#1456d6"),
        kind_svg: crate::charts::hbars(lang.t("sdash.open_by_kind"), &kind_bars, "#6a3fb5"),
        cause_svg: crate::charts::hbars(lang.t("ticket.root_cause"), &cause_bars, "#c0352b"),
        d,
    };
    Ok(render(&t))
}
