//! The customer list: filters, search, paging, export.

#[allow(unused_imports)]
use super::super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

// ---- customer list ----

#[derive(Template)]
#[template(path = "customers/list.html")]
pub(crate) struct ListTpl {
    pub(crate) ctx: Ctx,
    pub(crate) title: String,
    pub(crate) pool: bool,
    pub(crate) q: ListQuery,
    pub(crate) rows: Vec<Row>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) pages: u64,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) owners: Vec<Opt>,
    pub(crate) provinces: Vec<Opt>,
    pub(crate) industries: Vec<Opt>,
    pub(crate) modes: Vec<Opt>,
    pub(crate) sources: Vec<Opt>,
    pub(crate) tags: Vec<Opt>,
    pub(crate) sorts: Vec<Opt>,
    pub(crate) grades: Vec<Opt>,
    pub(crate) value_classes: Vec<Opt>,
    pub(crate) lifecycles: Vec<Opt>,
    pub(crate) rfm_segments: Vec<Opt>,
    pub(crate) risk: Vec<Opt>,
    pub(crate) can_create: bool,
    pub(crate) can_claim: bool,
    pub(crate) query_string: String,
    pub(crate) filter_errors: String,
    /// Saved views and the columns shown.
    pub(crate) lv: crate::ui::views::ListViews,
}

impl ListTpl {
    /// The set filters, each a chip that removes itself (the pool's owner filter is the
    /// page itself).
    fn chips(&self) -> Vec<listing::Chip> {
        let lang = self.ctx.lang;
        let base = if self.pool { "/pool" } else { "/customers" };
        let mut pairs = pairs(&self.q);
        if self.pool {
            pairs.retain(|(k, _)| *k != "owner");
        }
        let t = |k: &str| lang.t(k).to_string();
        listing::chips(base, &pairs, |k, v| {
            let of = |opts: &[Opt]| listing::option_label(opts, v);
            Some(match k {
                "q" => (t("common.search"), v.to_string()),
                "kind" => (t("customer.kind"), of(&self.kinds)),
                "status" => (t("customer.status"), of(&self.statuses)),
                "owner" => (t("customer.owner"), of(&self.owners)),
                "province" => (t("customer.province"), of(&self.provinces)),
                "city" => (t("customer.city"), v.to_string()),
                "industry" => (t("customer.industry"), of(&self.industries)),
                "service_mode" => (t("customer.service_modes"), of(&self.modes)),
                "tag" => (t("customer.tags"), v.to_string()),
                "data_source" => (t("customer.data_source"), of(&self.sources)),
                "archived" => (t("customer.show_archived"), listing::yes(lang)),
                "grade" => (t("classify.grade"), of(&self.grades)),
                "value_class" => (t("classify.value_class"), of(&self.value_classes)),
                "lifecycle" => (t("classify.lifecycle"), of(&self.lifecycles)),
                "at_risk" => (t("classify.churn"), of(&self.risk)),
                "rfm_segment" => (t("classify.rfm"), of(&self.rfm_segments)),
                "r" | "f" | "m" => (k.to_uppercase(), v.to_string()),
                _ => return None,
            })
        })
    }
    /// A filter behind "more filters" is set: the panel opens.
    fn more_set(&self) -> bool {
        let q = &self.q;
        [
            &q.kind,
            &q.province,
            &q.city,
            &q.industry,
            &q.service_mode,
            &q.tag,
            &q.data_source,
            &q.archived,
            &q.grade,
            &q.lifecycle,
            &q.at_risk,
            &q.rfm_segment,
            &q.r,
            &q.f,
            &q.m,
        ]
        .into_iter()
        .any(nonblank)
    }
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

pub(crate) fn nonblank(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

pub(crate) fn query_string(q: &ListQuery) -> String {
    listing::query(&pairs(q), None)
}

/// The list's query as (key, value) pairs, in the order the list writes them.
pub(crate) fn pairs(q: &ListQuery) -> listing::Pairs<'static> {
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
        .map(|(k, v)| (k, v.clone().unwrap_or_default()))
        .collect()
}

pub(crate) async fn list_page(
    app: &App,
    u: &UiUser,
    mut q: ListQuery,
    pool: bool,
    uri: &str,
    v: crate::ui::views::ViewQ,
) -> UiResult {
    let view = v.view;
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
    let tags = customers::all_tags(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
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
    let mut view_q = q.clone();
    if pool {
        view_q.owner = None;
    }
    let mut lv = crate::ui::views::for_page(
        app,
        u,
        consign_domain::views::ListKind::Customers,
        view.as_deref(),
        query_string(&view_q),
    )
    .await?;
    if pool {
        lv.base = "/pool".into();
    }
    let t = ListTpl {
        lv,
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
        filter_errors: crate::ui::views::view_error(lang, v.view_error.as_deref())
            .unwrap_or(filter_errors),
        q,
        ctx,
    };
    Ok(render(&t))
}

pub(crate) async fn customers_list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQuery>,
    Query(v): Query<crate::ui::views::ViewQ>,
    uri: axum::http::Uri,
) -> UiResult {
    list_page(&app, &u, q, false, &uri.to_string(), v).await
}

#[derive(serde::Deserialize)]
pub(crate) struct FormatQ {
    pub(crate) format: Option<String>,
}

pub(crate) fn format_of(q: &FormatQ) -> consign_app::exports::Format {
    q.format
        .as_deref()
        .and_then(consign_app::exports::Format::parse)
        .unwrap_or(consign_app::exports::Format::Csv)
}

/// The customer list as it is filtered, as CSV or XLSX (`format=xlsx`).
pub(crate) async fn customers_export(
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
pub(crate) async fn customer_records_export(
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

pub(crate) async fn pool_list(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<ListQuery>,
    Query(v): Query<crate::ui::views::ViewQ>,
    uri: axum::http::Uri,
) -> UiResult {
    list_page(&app, &u, q, true, &uri.to_string(), v).await
}
