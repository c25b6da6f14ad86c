//! One ticket: its page, workflow steps, assignment, notes and attachments.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/ticket.html")]
pub(crate) struct ShowTpl {
    pub(crate) ctx: Ctx,
    pub(crate) t: TicketView,
    pub(crate) events: Vec<EventView>,
    pub(crate) shipments: Vec<service::TicketShipment>,
    pub(crate) attachments: Vec<service::AttachmentRow>,
    pub(crate) actions: Vec<Action>,
    pub(crate) can_work: bool,
    pub(crate) is_claim: bool,
    pub(crate) causes: Vec<Opt>,
    pub(crate) assignees: Vec<Opt>,
    pub(crate) error: String,
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
    pub(crate) ok: Option<String>,
}

pub(crate) async fn show_page(
    app: &App,
    u: &UiUser,
    d: TicketDetail,
    flash: Option<&str>,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let people = service::assignees(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
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
pub(crate) async fn refused(app: &App, u: &UiUser, id: i64, e: AppError) -> UiResult {
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

/// A file part's bytes, read no further than the attachment limit: the message key of
/// why not when it is larger or breaks off.
pub(crate) async fn read_file_part(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Vec<u8>, &'static str> {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(c)) => {
                bytes.extend_from_slice(&c);
                if bytes.len() > service::MAX_ATTACHMENT_BYTES {
                    return Err("err.attachment_too_large");
                }
            }
            Ok(None) => return Ok(bytes),
            Err(_) => return Err("import.upload_broken"),
        }
    }
}

/// Reads an uploaded file of at most the attachment limit (and one byte more, so that
/// a larger file is told apart), with the form's CSRF token checked.
pub(crate) async fn read_upload(
    csrf: &str,
    form: &mut Multipart,
) -> Result<(String, Vec<u8>), AppError> {
    let mut csrf_ok = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(mut field)) = form.next_field().await {
        match field.name().unwrap_or_default() {
            "_csrf" => csrf_ok = field.text().await.unwrap_or_default() == csrf,
            "file" => {
                let name = field.file_name().unwrap_or("attachment").to_string();
                let bytes = read_file_part(&mut field)
                    .await
                    .map_err(|k| AppError::field("file", k))?;
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
    let result = match read_upload(&u.csrf, &mut form).await {
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
