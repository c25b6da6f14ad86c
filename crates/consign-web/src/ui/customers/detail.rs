//! A customer's page: archive record, contacts, operations, classification, service, history.

#[allow(unused_imports)]
use super::super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

// ---- customer detail ----

#[derive(Template)]
#[template(path = "customers/detail.html")]
pub(crate) struct DetailTpl {
    pub(crate) ctx: Ctx,
    pub(crate) d: CustomerDetail,
    pub(crate) kind: String,
    pub(crate) kind_class: &'static str,
    pub(crate) status: String,
    pub(crate) status_class: &'static str,
    pub(crate) industry: String,
    pub(crate) modes: String,
    pub(crate) source: String,
    pub(crate) owner: String,
    pub(crate) timeline: Vec<TimelineItem>,
    pub(crate) revealed: Option<(i64, Revealed)>,
    pub(crate) revealed_id: Option<String>,
    pub(crate) form: FormView,
    pub(crate) merged_into: Option<(CustomerId, String)>,
    pub(crate) shipments: Page<ShipmentView>,
    /// The columns the user chose for the shipment list, for the shipments shown here.
    pub(crate) lv: crate::ui::views::ListViews,
    pub(crate) invoices: Page<InvoiceView>,
    pub(crate) receivables: Receivables,
    pub(crate) aging_buckets: &'static [consign_domain::billing::AgingBucket],
    pub(crate) payments: Page<PaymentView>,
    pub(crate) class: Option<consign_app::classification::CustomerClass>,
    /// The customer's latest tickets, when the user sees its tickets.
    pub(crate) tickets: Option<consign_app::service::TicketPage>,
    pub(crate) can_ticket: bool,
    /// May log interactions and add tasks.
    pub(crate) can_log: bool,
    /// A mail relay is configured: portal invitations may go by e-mail.
    pub(crate) mail_ok: bool,
    pub(crate) interactions: Vec<consign_app::followups::InteractionView>,
    pub(crate) tasks: Vec<consign_app::followups::TaskView>,
    pub(crate) logform: FormView,
    /// The customer's service quality (KPIs over 30/90/365 days, the company's, trends).
    pub(crate) kpis: crate::ui::kpis::PanelView,
    /// The latest surveys (and how many there are).
    pub(crate) surveys: consign_app::surveys::SurveyPage,
    /// Its credit, when the user may see credit.
    pub(crate) credit: Option<consign_app::credit::CreditView>,
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
    fn survey_class(&self, s: &consign_app::surveys::SurveyView) -> &'static str {
        crate::ui::surveys::status_class(s)
    }
    fn due_class(&self, d: &consign_domain::followup::Due) -> &'static str {
        match d {
            consign_domain::followup::Due::Overdue => "badge-red",
            consign_domain::followup::Due::Today => "badge-amber",
            consign_domain::followup::Due::Upcoming => "badge-gray",
        }
    }
    fn ticket_status_class(&self, s: &consign_domain::service::Status) -> &'static str {
        crate::ui::service::status_class(s)
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
pub(crate) fn field_label(lang: Lang, f: &str) -> String {
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
pub(crate) fn value_label(
    lang: Lang,
    field: &str,
    v: &str,
    users: &HashMap<String, String>,
) -> String {
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

/// The timeline's entries as the page prints them, users named by `names` (by id).
pub(crate) fn timeline_items(
    ctx: &Ctx,
    items: Vec<AuditView>,
    names: &HashMap<i64, String>,
) -> Vec<TimelineItem> {
    let names: HashMap<String, String> = names
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    items
        .into_iter()
        .map(|a| TimelineItem {
            at: ctx.dt(&a.at),
            actor: a.actor_name.clone(),
            action: ctx.lang.t(&format!("action.{}", a.action)).to_string(),
            summary: match &a.summary_key {
                Some(k) => ctx.lang.said(k, &a.summary_args),
                None => a.summary.clone().unwrap_or_default(),
            },
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

pub(crate) struct DetailExtras {
    /// Pages of the customer's shipments, invoices and payments shown.
    pub(crate) spage: u64,
    pub(crate) ipage: u64,
    pub(crate) ppage: u64,
    pub(crate) revealed: Option<(i64, Revealed)>,
    pub(crate) revealed_id: Option<String>,
    pub(crate) contact_errors: FieldErrors,
    pub(crate) contact_values: HashMap<String, String>,
    pub(crate) status: StatusCode,
    pub(crate) flash: Option<String>,
    /// A refused interaction or task form, with what was typed.
    pub(crate) log_errors: FieldErrors,
    pub(crate) log_values: HashMap<String, String>,
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

pub(crate) async fn detail_page(
    app: &App,
    u: &UiUser,
    id: CustomerId,
    x: DetailExtras,
) -> UiResult {
    let lang = u.lang;
    let q = customers::PageQuery {
        shipments: x.spage,
        invoices: x.ipage,
        payments: x.ppage,
    };
    let p = customers::page(app, &u.actor, id, q, lang)
        .await
        .map_err(|e| fail(e, lang))?;
    let kpi_panel = consign_app::kpis::panel(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    let surveys = consign_app::surveys::list(
        app,
        &u.actor,
        Some(id),
        &consign_app::surveys::SurveyQuery {
            per_page: Some(5),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| fail(e, lang))?;
    let credit = if u.actor.role.can_see_credit() {
        Some(
            consign_app::credit::get(app, &u.actor, id)
                .await
                .map_err(|e| fail(e, lang))?,
        )
    } else {
        None
    };
    let mut ctx = Ctx::new(app, u, &format!("/customers/{id}"), "customers");
    ctx = with_flash(ctx, x.flash.as_deref());
    let timeline = timeline_items(&ctx, p.timeline, &p.user_names);
    let mut lv = crate::ui::views::for_page(
        app,
        u,
        consign_domain::views::ListKind::Shipments,
        None,
        format!("customer_id={id}"),
    )
    .await?;
    lv.omit("customer");
    let d = p.detail;
    let c = &d.customer;
    let t = DetailTpl {
        credit,
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
        merged_into: p.merged_into,
        shipments: p.shipments,
        lv,
        invoices: p.invoices,
        receivables: p.receivables,
        aging_buckets: consign_domain::billing::AgingBucket::ALL,
        payments: p.payments,
        class: p.class,
        can_log: u.actor.role.handles_tickets(),
        mail_ok: app.settings.smtp.is_some(),
        interactions: p.interactions,
        tasks: p.tasks,
        logform: FormView::new(lang, x.log_values, x.log_errors),
        kpis: crate::ui::kpis::panel_view(lang, id.get(), &kpi_panel),
        surveys,
        can_ticket: u.actor.role.handles_tickets() && p.tickets.is_some(),
        tickets: p.tickets,
        d,
        ctx,
    };
    let mut r = render(&t);
    *r.status_mut() = x.status;
    Ok(r)
}

#[derive(serde::Deserialize)]
pub(crate) struct OkQ {
    pub(crate) ok: Option<String>,
    pub(crate) spage: Option<u64>,
    pub(crate) ipage: Option<u64>,
    pub(crate) ppage: Option<u64>,
}

/// A path's id (`CustomerId` for a customer); one that does not parse is "not found".
pub(crate) fn parse_id<T: std::str::FromStr>(s: &str, lang: Lang) -> Result<T, Response> {
    s.parse().map_err(|_| fail(AppError::NotFound, lang))
}

pub(crate) async fn customer_show(
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

pub(crate) async fn reveal_id_number(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
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

/// Which form on a customer's page was posted: its errors and values show there.
pub(crate) enum FormSlot {
    Contact,
    Log,
}

/// What a form posted on a customer's page leads to: back to the page with the message
/// and anchor of `ok` ("key#anchor"), or the page again with the form's errors and the
/// values as sent (422); any other error is its own page.
pub(crate) async fn after_form<T>(
    app: &App,
    p: &UiPost,
    id: CustomerId,
    r: Result<T, AppError>,
    ok: &str,
    slot: FormSlot,
) -> UiResult {
    let errs = match r {
        Ok(_) => {
            let (key, anchor) = ok.split_once('#').unwrap_or((ok, ""));
            let to = format!("/customers/{id}?ok={key}#{anchor}");
            return Ok(Redirect::to(&to).into_response());
        }
        Err(AppError::Validation(errs)) => errs,
        Err(e) => return Err(fail(e, p.user.lang)),
    };
    let values = p.form.0.iter().cloned().collect();
    let x = match slot {
        FormSlot::Contact => DetailExtras {
            contact_errors: errs,
            contact_values: values,
            ..Default::default()
        },
        FormSlot::Log => DetailExtras {
            log_errors: errs,
            log_values: values,
            ..Default::default()
        },
    };
    let x = DetailExtras {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..x
    };
    detail_page(app, &p.user, id, x).await
}

/// Logs an interaction from the customer's page.
pub(crate) async fn interaction_add(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::InteractionInput {
        kind: p.form.text("kind"),
        at: p.form.text("at"),
        contact_id: p.form.text("contact_id"),
        summary: p.form.text("summary"),
        next_step: p.form.text("next_step"),
    };
    let r = consign_app::followups::log(&app, &p.user.actor, id, &input).await;
    after_form(
        &app,
        &p,
        id,
        r,
        "followup.logged#interactions",
        FormSlot::Log,
    )
    .await
}

/// Adds a task by hand from the customer's page.
pub(crate) async fn task_add(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::TaskInput {
        title: p.form.text("title"),
        due_on: p.form.text("due_on"),
        assignee_id: p.form.text("assignee_id"),
    };
    let r = consign_app::followups::add(&app, &p.user.actor, id, &input).await;
    after_form(&app, &p, id, r, "followup.task_added#tasks", FormSlot::Log).await
}

pub(crate) async fn customer_action(
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
