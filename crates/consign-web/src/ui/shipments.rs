//! Shipment pages: the waybill search and one shipment.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// The shipment screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::get;
    axum::Router::new()
        .route("/shipments", get(shipments_page))
        .route("/shipments/export", get(shipments_export))
        .route("/shipments/{id}", get(shipment_show))
}

#[derive(Template)]
#[template(path = "shipments/detail.html")]
pub(crate) struct ShipmentTpl {
    pub(crate) ctx: Ctx,
    pub(crate) s: ShipmentView,
    pub(crate) events: Vec<shipments::EventView>,
}

#[derive(Template)]
#[template(path = "shipments/list.html")]
pub(crate) struct ShipmentListTpl {
    pub(crate) ctx: Ctx,
    pub(crate) lv: crate::ui::views::ListViews,
    pub(crate) page: shipments::ShipmentPage,
    pub(crate) q: shipments::ShipmentQuery,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) modes: Vec<Opt>,
    pub(crate) exceptions: Vec<Opt>,
    /// Account managers to filter by (empty for a role that sees only its own).
    pub(crate) owners: Vec<Opt>,
    pub(crate) sorts: Vec<Opt>,
    /// The role writes operations data (and so may export every customer's shipments).
    pub(crate) writes_operations: bool,
    pub(crate) filter_errors: String,
    /// A whole waybill number was asked for (`?waybill=`) and is not in scope.
    pub(crate) not_found: bool,
}

#[derive(serde::Deserialize)]
pub(crate) struct WaybillQ {
    pub(crate) waybill: Option<String>,
}

impl ShipmentListTpl {
    fn pairs(&self) -> listing::Pairs<'static> {
        Self::pairs_of(&self.q)
    }
    fn pairs_of(q: &shipments::ShipmentQuery) -> listing::Pairs<'static> {
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        vec![
            ("q", v(&q.q)),
            ("status", v(&q.status)),
            ("service_mode", v(&q.service_mode)),
            ("exception", v(&q.exception)),
            ("from", v(&q.from)),
            ("to", v(&q.to)),
            ("customer_id", v(&q.customer_id)),
            ("origin_city", v(&q.origin_city)),
            ("destination_city", v(&q.destination_city)),
            ("owner_id", v(&q.owner_id)),
            ("overdue", v(&q.overdue)),
            ("sort", v(&q.sort)),
            ("per_page", v(&q.per_page)),
        ]
    }
    /// This list with its totals, and as a file.
    fn totals_link(&self) -> String {
        let q = listing::query(&self.pairs(), None);
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/shipments?{q}{sep}totals=true")
    }
    fn export_link(&self, format: &str) -> String {
        let q = listing::query(&self.pairs(), None);
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/shipments/export?{q}{sep}format={format}")
    }
    /// Whether the export is offered: every customer's shipments to roles that write
    /// them, one customer's to whoever sees the list.
    fn may_export(&self) -> bool {
        self.writes_operations
            || self
                .q
                .customer_id
                .as_deref()
                .is_some_and(|c| !c.trim().is_empty())
    }
    fn overdue_on(&self) -> bool {
        consign_domain::params::flag(self.q.overdue.as_deref()) == Ok(true)
    }
    fn page_link(&self, page: u64) -> String {
        let q = listing::query(&self.pairs(), None);
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/shipments?{q}{sep}page={page}")
    }
    fn more_set(&self) -> bool {
        let q = &self.q;
        [
            &q.from,
            &q.to,
            &q.customer_id,
            &q.origin_city,
            &q.destination_city,
            &q.owner_id,
            &q.overdue,
            &q.sort,
        ]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }
    fn chips(&self) -> Vec<listing::Chip> {
        let lang = self.ctx.lang;
        let t = |k: &str| lang.t(k).to_string();
        listing::chips("/shipments", &self.pairs(), |k, val| {
            let of = |opts: &[Opt]| listing::option_label(opts, val);
            Some(match k {
                "q" => (t("shipment.waybill_no"), val.to_string()),
                "status" => (t("shipment.status"), of(&self.statuses)),
                "service_mode" => (t("shipment.service_mode"), of(&self.modes)),
                "exception" => (t("shipment.exception"), of(&self.exceptions)),
                "from" => (t("shipment.ordered_from"), val.to_string()),
                "to" => (t("shipment.ordered_to"), val.to_string()),
                "customer_id" => (t("shipment.customer_id"), format!("#{val}")),
                "origin_city" => (t("shipment.origin"), val.to_string()),
                "destination_city" => (t("shipment.destination"), val.to_string()),
                "owner_id" => (t("customer.owner"), of(&self.owners)),
                "overdue" => (t("shipment.overdue"), t("common.yes")),
                "sort" => (t("common.sort"), of(&self.sorts)),
                _ => return None,
            })
        })
    }
}

/// The shipment list (运单): every shipment in scope, filtered, newest order first. An
/// old link with a whole waybill number (`?waybill=`) still opens that shipment.
pub(crate) async fn shipments_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<shipments::ShipmentQuery>,
    Query(w): Query<WaybillQ>,
    Query(v): Query<crate::ui::views::ViewQ>,
) -> UiResult {
    let lang = u.lang;
    let mut not_found = false;
    if let Some(waybill) = w
        .waybill
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match shipments::get_by_waybill(&app, &u.actor, waybill).await {
            Ok(s) => return Ok(Redirect::to(&format!("/shipments/{}", s.id)).into_response()),
            Err(AppError::NotFound | AppError::Validation(_)) => not_found = true,
            Err(e) => return Err(fail(e, lang)),
        }
    }
    let (page, filter_errors) = match shipments::list(&app, &u.actor, &q).await {
        Ok(p) => (p, String::new()),
        Err(AppError::Validation(errs)) => {
            let msg = crate::error::errors_text(lang, &errs);
            let p = shipments::list(&app, &u.actor, &Default::default())
                .await
                .map_err(|e| fail(e, lang))?;
            (p, msg)
        }
        Err(e) => return Err(fail(e, lang)),
    };
    let cur = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    use consign_domain::customer::ServiceMode;
    use consign_domain::shipment::{Exception, ShipmentStatus};
    let tpl = ShipmentListTpl {
        lv: crate::ui::views::for_page(
            &app,
            &u,
            consign_domain::views::ListKind::Shipments,
            v.view.as_deref(),
            listing::query(&ShipmentListTpl::pairs_of(&q), None),
        )
        .await?,
        ctx: Ctx::new(&app, &u, "/shipments", "shipments"),
        statuses: vocab(
            lang,
            ShipmentStatus::ALL,
            ShipmentStatus::as_str,
            ShipmentStatus::label_key,
            &cur(&q.status),
        ),
        modes: vocab(
            lang,
            ServiceMode::ALL,
            ServiceMode::as_str,
            ServiceMode::label_key,
            &cur(&q.service_mode),
        ),
        exceptions: vocab(
            lang,
            Exception::ALL,
            Exception::as_str,
            Exception::label_key,
            &cur(&q.exception),
        ),
        owners: crate::ui::people_opts(&app, &u, &cur(&q.owner_id)).await?,
        writes_operations: u.actor.role.can_write_operations(),
        sorts: opts(
            ["newest", "oldest", "revenue", "revenue_asc"]
                .iter()
                .map(|s| {
                    (
                        s.to_string(),
                        lang.t(&format!("shipment.sort.{s}")).to_string(),
                    )
                }),
            &cur(&q.sort),
        ),
        filter_errors: crate::ui::views::view_error(lang, v.view_error.as_deref())
            .unwrap_or(filter_errors),
        not_found,
        page,
        q,
    };
    Ok(render(&tpl))
}

/// The shipment list as it is filtered — every matching shipment, not one page — as CSV
/// or XLSX (`format=xlsx`), with the columns the import reads back.
pub(crate) async fn shipments_export(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<shipments::ShipmentQuery>,
    Query(f): Query<crate::ui::customers::FormatQ>,
) -> UiResult {
    crate::downloads::download(
        &app,
        &u.actor,
        consign_app::exports::Export::ShipmentList(Box::new(q)),
        crate::ui::customers::format_of(&f),
        u.lang.t("shipment.list_title"),
    )
    .await
    .map_err(|e| fail(e, u.lang))
}

pub(crate) async fn shipment_show(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
) -> UiResult {
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
