//! The portal's pages: the overview, shipments with tracking, invoices and tickets.

#[allow(unused_imports)]
use super::*;
use consign_app::billing::{InvoiceView, Receivables};
use consign_app::portal::views;
use consign_app::service::{EventView as StepView, TicketView};
use consign_app::shipments::{EventView as TrackView, ShipmentQuery, ShipmentView};
use consign_domain::kpis::Kpis;

pub(super) fn routes() -> axum::Router<App> {
    use axum::routing::get;
    axum::Router::new()
        .route("/portal", get(home))
        .route("/portal/shipments", get(shipments))
        .route("/portal/shipments/{waybill}", get(shipment))
        .route("/portal/invoices", get(invoices))
        .route(
            "/portal/tickets",
            get(tickets)
                .post(super::filing::file)
                .layer(axum::extract::DefaultBodyLimit::max(
                    super::filing::BODY_LIMIT,
                )),
        )
        .route("/portal/tickets/new", get(new_ticket))
        .route("/portal/tickets/{id}", get(ticket))
        .route(
            "/portal/tickets/{id}/callback",
            axum::routing::post(callback),
        )
        .route(
            "/portal/tickets/{id}/attachments",
            axum::routing::post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(11 * 1024 * 1024)),
        )
        .route("/portal/tickets/{id}/attachments/{aid}", get(download))
}

pub(super) fn pfail(e: AppError, s: &PortalSession) -> Response {
    fail(e, s.lang)
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomeTpl {
    ctx: PCtx,
    kpis: Kpis,
    r: Receivables,
    open: Vec<TicketView>,
    recent: Vec<ShipmentView>,
    surveys: Vec<views::SurveyInvite>,
}

async fn home(State(app): State<App>, s: PortalSession) -> Response {
    match views::home(&app, &s.user).await {
        Ok(h) => render(&HomeTpl {
            ctx: PCtx::new(&app, &s, "home", "/portal"),
            kpis: h.kpis,
            r: h.receivables,
            open: h.open_tickets,
            recent: h.recent,
            surveys: h.surveys,
        }),
        Err(e) => pfail(e, &s),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShipQ {
    q: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/shipments.html")]
struct ShipmentsTpl {
    ctx: PCtx,
    rows: Vec<ShipmentView>,
    q: String,
    status: String,
    from: String,
    to: String,
    statuses: Vec<Opt>,
    page: u64,
    pages: u64,
    total: u64,
}

impl ShipmentsTpl {
    fn page_link(&self, p: u64) -> String {
        format!(
            "/portal/shipments?q={}&status={}&from={}&to={}&page={p}",
            extract::urlencode(&self.q),
            self.status,
            self.from,
            self.to
        )
    }
    fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.page_link(self.page - 1))
    }
    fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.page_link(self.page + 1))
    }
}

async fn shipments(State(app): State<App>, s: PortalSession, Query(q): Query<ShipQ>) -> Response {
    let query = ShipmentQuery {
        q: q.q.clone(),
        status: q.status.clone().filter(|x| !x.is_empty()),
        from: q.from.clone().filter(|x| !x.is_empty()),
        to: q.to.clone().filter(|x| !x.is_empty()),
        page: q.page.clone(),
        ..Default::default()
    };
    let p = match views::shipments(&app, &s.user, &query).await {
        Ok(p) => p,
        Err(e) => return pfail(e, &s),
    };
    let status = q.status.clone().unwrap_or_default();
    let mut statuses = vec![Opt {
        value: String::new(),
        label: s.lang.t("common.all").to_string(),
        selected: status.is_empty(),
    }];
    statuses.extend(ShipmentStatus::ALL.iter().map(|x| Opt {
        value: x.as_str().into(),
        label: s.lang.t(x.label_key()).to_string(),
        selected: x.as_str() == status,
    }));
    render(&ShipmentsTpl {
        ctx: PCtx::new(&app, &s, "shipments", "/portal/shipments"),
        pages: p.pages(),
        page: p.page,
        total: p.total,
        rows: p.items,
        q: q.q.unwrap_or_default(),
        status,
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        statuses,
    })
}

#[derive(Template)]
#[template(path = "portal/shipment.html")]
struct ShipmentTpl {
    ctx: PCtx,
    s: ShipmentView,
    events: Vec<TrackView>,
}

async fn shipment(State(app): State<App>, s: PortalSession, Path(w): Path<String>) -> Response {
    match views::shipment(&app, &s.user, &w).await {
        Ok((sh, events)) => render(&ShipmentTpl {
            ctx: PCtx::new(&app, &s, "shipments", "/portal/shipments"),
            s: sh,
            events,
        }),
        Err(e) => pfail(e, &s),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct PageQ {
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoicesTpl {
    ctx: PCtx,
    rows: Vec<InvoiceView>,
    r: Receivables,
    page: u64,
    pages: u64,
}

async fn invoices(State(app): State<App>, s: PortalSession, Query(q): Query<PageQ>) -> Response {
    match views::invoices(&app, &s.user, q.page.unwrap_or(1).clamp(1, 10_000)).await {
        Ok((p, r)) => render(&InvoicesTpl {
            ctx: PCtx::new(&app, &s, "invoices", "/portal/invoices"),
            pages: p.pages(),
            page: p.page,
            rows: p.items,
            r,
        }),
        Err(e) => pfail(e, &s),
    }
}

#[derive(Template)]
#[template(path = "portal/tickets.html")]
struct TicketsTpl {
    ctx: PCtx,
    rows: Vec<TicketView>,
}

async fn tickets(State(app): State<App>, s: PortalSession) -> Response {
    match views::tickets(&app, &s.user, false).await {
        Ok(rows) => render(&TicketsTpl {
            ctx: PCtx::new(&app, &s, "tickets", "/portal/tickets"),
            rows,
        }),
        Err(e) => pfail(e, &s),
    }
}

#[derive(Template)]
#[template(path = "portal/ticket_new.html")]
struct NewTicketTpl {
    ctx: PCtx,
    form: FormView,
    kinds: Vec<Opt>,
}

pub(super) fn new_ticket_page(
    app: &App,
    s: &PortalSession,
    values: HashMap<String, String>,
    errors: FieldErrors,
) -> Response {
    let kind = values
        .get("kind")
        .cloned()
        .unwrap_or_else(|| "complaint".into());
    let kinds = ["complaint", "claim", "inquiry"]
        .iter()
        .map(|k| Opt {
            value: (*k).into(),
            label: s.lang.t(&format!("ticket_kind.{k}")).to_string(),
            selected: *k == kind,
        })
        .collect();
    let mut r = render(&NewTicketTpl {
        ctx: PCtx::new(app, s, "tickets", "/portal/tickets/new"),
        form: FormView::new(s.lang, values, errors.clone()),
        kinds,
    });
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewQ {
    waybill: Option<String>,
}

async fn new_ticket(State(app): State<App>, s: PortalSession, Query(q): Query<NewQ>) -> Response {
    let values = HashMap::from([("waybills".to_string(), q.waybill.unwrap_or_default())]);
    new_ticket_page(&app, &s, values, FieldErrors::default())
}

#[derive(Template)]
#[template(path = "portal/ticket.html")]
struct TicketTpl {
    ctx: PCtx,
    t: TicketView,
    steps: Vec<StepView>,
    files: Vec<consign_app::service::AttachmentRow>,
    error: String,
}

/// A photo or document added to a ticket of the account's own (multipart, `_csrf` in it).
async fn upload(
    State(app): State<App>,
    s: PortalSession,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return pfail(AppError::NotFound, &s);
    };
    let r = match crate::ui::service::ticket::read_upload(&s.csrf, &mut form).await {
        Ok((name, bytes)) => consign_app::portal::attach(&app, &s.user, id, &name, bytes).await,
        Err(AppError::Forbidden) => return WebError::csrf(Surface::Ui, s.lang).into_response(),
        Err(e) => Err(e),
    };
    match r {
        Ok(()) => Redirect::to(&format!("/portal/tickets/{id}")).into_response(),
        Err(AppError::Validation(e)) => {
            let msg =
                e.0.iter()
                    .map(|x| s.lang.t(x.code))
                    .collect::<Vec<_>>()
                    .join("；");
            ticket_page(&app, &s, id, msg, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => pfail(e, &s),
    }
}

async fn download(
    State(app): State<App>,
    s: PortalSession,
    Path((id, aid)): Path<(String, String)>,
) -> Response {
    let (Ok(id), Ok(aid)) = (id.parse::<i64>(), aid.parse::<i64>()) else {
        return pfail(AppError::NotFound, &s);
    };
    match consign_app::portal::attachment(&app, &s.user, id, aid).await {
        Ok((row, data)) => crate::ui::service::ticket::attachment_response(&row, data),
        Err(e) => pfail(e, &s),
    }
}

impl TicketTpl {
    fn step_label(&self, a: &str) -> String {
        self.ctx.t(&format!("portal.step.{a}"))
    }
}

async fn callback(State(app): State<App>, Path(id): Path<String>, p: PortalPost) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return pfail(AppError::NotFound, &p.s);
    };
    let settled = p.form.text("answer") == "yes";
    match consign_app::portal::answer_callback(&app, &p.s.user, id, settled, &p.form.text("note"))
        .await
    {
        Ok(()) => Redirect::to(&format!("/portal/tickets/{id}")).into_response(),
        Err(e) => pfail(e, &p.s),
    }
}

async fn ticket(State(app): State<App>, s: PortalSession, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return pfail(AppError::NotFound, &s);
    };
    ticket_page(&app, &s, id, String::new(), StatusCode::OK).await
}

async fn ticket_page(
    app: &App,
    s: &PortalSession,
    id: i64,
    error: String,
    status: StatusCode,
) -> Response {
    match views::ticket(app, &s.user, id).await {
        Ok((t, steps, files)) => {
            let mut r = render(&TicketTpl {
                ctx: PCtx::new(app, s, "tickets", "/portal/tickets"),
                t,
                steps,
                files,
                error,
            });
            *r.status_mut() = status;
            r
        }
        Err(e) => pfail(e, s),
    }
}
