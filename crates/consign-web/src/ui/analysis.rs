//! The manager's dashboard page (`/analysis`): the current classification run's
//! distributions, Pareto curve, revenue trend, top and at-risk customers, each number a
//! link to the customer list behind it, filtered by region, industry, service mode and
//! owner; and a recompute button for those who may run one.

use crate::charts::{self, Bar};
use crate::extract::{UiPost, UiUser};
use crate::ui::{fail, opts, province_opts, render, with_flash, Ctx, Opt, UiResult};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use consign_app::dashboard::{self, Bucket, DashQuery, Dashboard};
use consign_app::App;
use consign_domain::customer::{Industry, ServiceMode};
use consign_domain::ops::Fen;
use consign_domain::Lang;

/// The manager's analysis screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/analysis", get(page))
        .route("/analysis/recompute", post(recompute))
        .route("/admin/classification", get(policy_page).post(policy_save))
}

#[derive(Template)]
#[template(path = "analysis/dashboard.html")]
struct AnalysisTpl {
    ctx: Ctx,
    d: Option<Dashboard>,
    provinces: Vec<Opt>,
    industries: Vec<Opt>,
    modes: Vec<Opt>,
    owners: Vec<Opt>,
    /// `province=…&…` of the filters, for drill-down links.
    qs: String,
    value_svg: String,
    grade_svg: String,
    life_svg: String,
    rfm_svg: String,
    pareto_svg: String,
    trend_svg: String,
    can_classify: bool,
}

impl AnalysisTpl {
    /// The customer list behind a number: the dashboard's filters plus `extra`.
    fn list(&self, extra: &str) -> String {
        link(&self.qs, extra)
    }
    fn money(&self, fen: &i64) -> String {
        Fen(*fen).to_string()
    }
    fn pct(&self, v: &f64) -> String {
        format!("{:.1}%", v * 100.0)
    }
    fn drop(&self, now: &i64, before: &i64) -> String {
        if *before <= 0 {
            return String::new();
        }
        format!("-{:.0}%", 100.0 - 100.0 * *now as f64 / *before as f64)
    }
    fn class_label(&self, v: &str) -> String {
        consign_domain::classify::ValueClass::parse(v)
            .map(|c| self.ctx.t(c.label_key()))
            .unwrap_or_default()
    }
}

/// `province=…&industry=…` of the filters set (for drill-down links).
fn query_string(q: &DashQuery) -> String {
    [
        ("province", &q.province),
        ("industry", &q.industry),
        ("service_mode", &q.service_mode),
        ("owner", &q.owner),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{k}={}", crate::extract::urlencode(s)))
    })
    .collect::<Vec<_>>()
    .join("&")
}

fn link(qs: &str, extra: &str) -> String {
    match (qs.is_empty(), extra.is_empty()) {
        (true, true) => "/customers".into(),
        (true, false) => format!("/customers?{extra}"),
        (false, true) => format!("/customers?{qs}"),
        (false, false) => format!("/customers?{qs}&{extra}"),
    }
}

fn bars(lang: Lang, qs: &str, param: &str, buckets: &[Bucket]) -> Vec<Bar> {
    buckets
        .iter()
        .map(|b| Bar {
            label: lang.t(b.label_key).to_string(),
            value: b.customers as f64,
            text: lang.tf(
                "analysis.customers_n",
                &[&consign_domain::ops::thousands(b.customers.into())],
            ),
            href: link(qs, &format!("{param}={}", b.key)),
        })
        .collect()
}

#[derive(serde::Deserialize)]
pub(crate) struct OkQ {
    ok: Option<String>,
}

pub(crate) async fn page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<DashQuery>,
    Query(ok): Query<OkQ>,
    uri: axum::http::Uri,
) -> UiResult {
    let lang = u.lang;
    let d = dashboard::dashboard(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut ctx = Ctx::new(&app, &u, &uri.to_string(), "analysis");
    ctx = with_flash(ctx, ok.ok.as_deref());
    let qs = query_string(&q);
    let (mut value_svg, mut grade_svg, mut life_svg, mut rfm_svg) =
        (String::new(), String::new(), String::new(), String::new());
    let (mut pareto_svg, mut trend_svg) = (String::new(), String::new());
    if let Some(d) = &d {
        value_svg = charts::hbars(
            lang.t("classify.value_class"),
            &bars(lang, &qs, "value_class", &d.by_value_class),
            "#1a7f4b",
        );
        grade_svg = charts::hbars(
            lang.t("classify.grade"),
            &bars(lang, &qs, "grade", &d.by_grade),
            "#1456d6",
        );
        life_svg = charts::hbars(
            lang.t("classify.lifecycle"),
            &bars(lang, &qs, "lifecycle", &d.by_lifecycle),
            "#6a3fb5",
        );
        rfm_svg = charts::hbars(
            lang.t("classify.rfm"),
            &bars(lang, &qs, "rfm_segment", &d.by_rfm),
            "#9a6200",
        );
        pareto_svg = charts::pareto(
            lang.t("analysis.pareto"),
            &d.pareto,
            &[
                (lang.t("analysis.cut_a").to_string(), d.a_cut),
                (lang.t("analysis.cut_b").to_string(), d.b_cut),
            ],
            (lang.t("analysis.pareto_x"), lang.t("analysis.pareto_y")),
        );
        let items: Vec<(String, f64, String)> = d
            .months
            .iter()
            .map(|m| {
                (
                    format!("{}-{:02}", m.month / 100, m.month % 100),
                    m.revenue_fen as f64 / 100.0,
                    lang.tf(
                        "analysis.month_tip",
                        &[
                            &Fen(m.revenue_fen).to_string(),
                            &m.shipments,
                            &Fen(m.profit_fen).to_string(),
                        ],
                    ),
                )
            })
            .collect();
        let zh = lang == Lang::Zh;
        trend_svg = charts::columns(lang.t("analysis.trend"), &items, "#1456d6", &|v| {
            charts::short_yuan(zh, v)
        });
    }
    let owner_items = crate::ui::owner_choices(&app, &u).await?;
    let cur = |v: &Option<String>| v.clone().unwrap_or_default();
    let t = AnalysisTpl {
        provinces: province_opts(&cur(&q.province)),
        industries: opts(
            Industry::ALL
                .iter()
                .map(|v| (v.as_str().to_string(), lang.t(v.label_key()).to_string())),
            &cur(&q.industry),
        ),
        modes: opts(
            ServiceMode::ALL
                .iter()
                .map(|v| (v.as_str().to_string(), lang.t(v.label_key()).to_string())),
            &cur(&q.service_mode),
        ),
        owners: opts(owner_items, &cur(&q.owner)),
        qs,
        value_svg,
        grade_svg,
        life_svg,
        rfm_svg,
        pareto_svg,
        trend_svg,
        can_classify: u.actor.role.can_classify(),
        d,
        ctx,
    };
    Ok(render(&t))
}

/// Recompute now (as of today) and come back to the dashboard.
pub(crate) async fn recompute(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    consign_app::classification::recompute_by(&app, &p.user.actor, None)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to("/analysis?ok=analysis.recomputed").into_response())
}

#[derive(Template)]
#[template(path = "analysis/policy.html")]
struct PolicyTpl {
    ctx: Ctx,
    form: crate::ui::FormView,
    groups: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    versions: Vec<consign_app::classification::PolicyVersion>,
    note: String,
}

fn policy_groups() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let f = consign_app::classification::FORM_FIELDS;
    let pick = |names: &[&str]| -> Vec<(&'static str, &'static str)> {
        f.iter()
            .filter(|(n, _)| names.contains(n))
            .copied()
            .collect()
    };
    vec![
        (
            "policy.individual",
            pick(&["frequent_per_month", "frequent_months"]),
        ),
        (
            "policy.enterprise",
            pick(&[
                "large_revenue_yuan",
                "medium_revenue_yuan",
                "revenue_months",
            ]),
        ),
        (
            "policy.value",
            pick(&["value_months", "a_share_pct", "b_share_pct"]),
        ),
        (
            "policy.lifecycle",
            pick(&["current_days", "churn_days", "churn_ratio_pct"]),
        ),
        ("policy.rfm", pick(&["rfm_months"])),
    ]
}

async fn policy_render(
    app: &App,
    u: &UiUser,
    form: crate::ui::FormView,
    note: String,
    flash: Option<&str>,
) -> UiResult {
    let lang = u.lang;
    let versions = consign_app::classification::policy_versions(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = with_flash(Ctx::new(app, u, "/admin/classification", "settings"), flash);
    Ok(render(&PolicyTpl {
        ctx,
        form,
        groups: policy_groups(),
        versions,
        note,
    }))
}

pub(crate) async fn policy_page(
    State(app): State<App>,
    u: UiUser,
    Query(ok): Query<OkQ>,
) -> UiResult {
    let lang = u.lang;
    if !u.actor.role.is_admin() {
        return Err(fail(consign_app::AppError::Forbidden, lang));
    }
    let pv = consign_app::classification::current_policy(&app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let form = crate::ui::FormView::new(
        lang,
        consign_app::classification::form_values(&pv.policy),
        Default::default(),
    );
    policy_render(&app, &u, form, String::new(), ok.ok.as_deref()).await
}

/// Saves the policy as a new version and reclassifies as of today under it.
pub(crate) async fn policy_save(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    let get = |f: &str| p.form.text(f);
    let note = p.form.text("note");
    let result = match consign_app::classification::policy_from_form(&get) {
        Ok(policy) => {
            consign_app::classification::change_policy(&app, &p.user.actor, policy, &note, true)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/classification?ok=policy.saved").into_response()),
        Err(consign_app::AppError::Validation(errs)) => {
            let values = p.form.0.iter().cloned().collect();
            let form = crate::ui::FormView::new(lang, values, errs);
            let mut r = policy_render(&app, &p.user, form, note, None).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
