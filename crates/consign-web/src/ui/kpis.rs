//! Service KPIs on the pages (issue 20): a customer's service-quality panel and the
//! company's page (分析 → 服务质量), each figure read, shown and linked as `FIGURES` says.

use crate::charts;
use consign_app::kpis::{GroupBy, GroupQuery, KpiPanel};
use consign_domain::kpis::Kpis;
use consign_domain::Lang;

/// One figure of the panel: its label, its value per window (text, drill-down link),
/// the company's, and its trend over 12 months.
pub struct PanelRow {
    pub label: String,
    /// Where an improvement action on this figure is opened.
    pub improve: Option<String>,
    pub cells: Vec<(String, Option<String>)>,
    pub company: String,
    pub spark: String,
}

/// A customer's service-quality panel, ready to show.
pub struct PanelView {
    pub heads: Vec<String>,
    pub rows: Vec<PanelRow>,
    /// The months the trend covers (first – last).
    pub months: String,
}

/// How a figure reads.
#[derive(Clone, Copy)]
enum Shown {
    Count,
    Hours,
    Percent,
    PerThousand,
    /// A mean score (CSAT, 1–5).
    Score,
    /// A whole number that can be negative (NPS).
    Signed,
}

fn show(v: Option<f64>, how: Shown) -> String {
    match v {
        None => "—".into(),
        Some(x) => match how {
            Shown::Count => format!("{}", x.round() as i64),
            Shown::Hours => format!("{x:.1}"),
            Shown::Percent => format!("{:.1}%", x * 100.0),
            Shown::PerThousand => format!("{x:.2}"),
            Shown::Score => format!("{x:.2}"),
            Shown::Signed => format!("{x:.0}"),
        },
    }
}

/// Where a figure's shipments or tickets are listed.
#[derive(Clone, Copy)]
enum Behind {
    Shipments(&'static str),
    Tickets(&'static str),
    /// The survey answers behind CSAT and NPS.
    Surveys,
    Nothing,
}

type Figure = (&'static str, fn(&Kpis) -> Option<f64>, Shown, Behind);

/// The panel's figures in order.
const FIGURES: [Figure; 19] = [
    (
        "kpi.shipments",
        |k| Some(k.shipments as f64),
        Shown::Count,
        Behind::Shipments(""),
    ),
    (
        "kpi.delivered",
        |k| Some(k.delivered as f64),
        Shown::Count,
        Behind::Shipments("&status=delivered"),
    ),
    (
        "kpi.overdue_in_transit",
        |k| Some(k.overdue_in_transit as f64),
        Shown::Count,
        Behind::Shipments("&overdue=true"),
    ),
    (
        "kpi.avg_cycle",
        |k| k.avg_cycle_hours,
        Shown::Hours,
        Behind::Shipments("&status=delivered"),
    ),
    (
        "kpi.std_cycle",
        |k| k.std_cycle_hours,
        Shown::Hours,
        Behind::Shipments("&status=delivered"),
    ),
    (
        "kpi.on_time_rate",
        |k| k.on_time_rate,
        Shown::Percent,
        Behind::Shipments("&exception=delayed"),
    ),
    (
        "kpi.damage_rate",
        |k| k.damage_rate,
        Shown::Percent,
        Behind::Shipments("&exception=damaged"),
    ),
    (
        "kpi.short_rate",
        |k| k.short_rate,
        Shown::Percent,
        Behind::Shipments("&exception=short"),
    ),
    (
        "kpi.in_stock_ratio",
        |k| k.in_stock_ratio,
        Shown::Percent,
        Behind::Shipments("&exception=stockout"),
    ),
    (
        "kpi.substitution_rate",
        |k| k.substitution_rate,
        Shown::Percent,
        Behind::Shipments("&exception=substituted"),
    ),
    (
        "kpi.route_change_rate",
        |k| k.route_change_rate,
        Shown::Percent,
        Behind::Shipments("&exception=route_changed"),
    ),
    (
        "kpi.return_rate",
        |k| k.return_rate,
        Shown::Percent,
        Behind::Shipments("&exception=returned"),
    ),
    (
        "kpi.invoice_error_rate",
        |k| k.invoice_error_rate,
        Shown::Percent,
        Behind::Shipments("&exception=invoice_error"),
    ),
    (
        "kpi.complaints_per_1000",
        |k| k.complaints_per_1000,
        Shown::PerThousand,
        Behind::Tickets("&kind=complaint"),
    ),
    (
        "kpi.claim_ratio",
        |k| k.claim_ratio,
        Shown::Percent,
        Behind::Tickets("&kind=claim"),
    ),
    (
        "kpi.first_response",
        |k| k.avg_first_response_hours,
        Shown::Hours,
        Behind::Tickets(""),
    ),
    (
        "kpi.resolution",
        |k| k.avg_resolution_hours,
        Shown::Hours,
        Behind::Nothing,
    ),
    ("kpi.csat", |k| k.csat, Shown::Score, Behind::Surveys),
    ("kpi.nps", |k| k.nps, Shown::Signed, Behind::Surveys),
];

/// The figure of `FIGURES` with this label key.
fn figure(key: &str) -> &'static Figure {
    FIGURES.iter().find(|f| f.0 == key).unwrap_or(&FIGURES[0])
}

/// The panel of a customer's KPIs, with each window's figures linking to the list behind
/// them.
pub fn panel_view(lang: Lang, customer_id: i64, p: &KpiPanel) -> PanelView {
    let heads = p
        .windows
        .iter()
        .map(|w| lang.tf("kpi.window_days", &[&w.days]))
        .collect();
    let rows = FIGURES
        .iter()
        .map(|(key, get, how, behind)| {
            let label = lang.t(key).to_string();
            let cells = p
                .windows
                .iter()
                .map(|w| {
                    let range = format!("customer_id={customer_id}&from={}&to={}", w.from, w.to);
                    let value = get(&w.kpis);
                    // A link where there is something behind the figure.
                    let href = match behind {
                        _ if value.is_none_or(|v| v == 0.0) && w.kpis.shipments == 0 => None,
                        Behind::Shipments(more) => Some(format!("/shipments?{range}{more}")),
                        Behind::Tickets(more) => Some(format!("/tickets?{range}{more}")),
                        Behind::Surveys => Some(format!("/surveys?{range}&status=answered")),
                        Behind::Nothing => None,
                    };
                    (show(value, *how), href)
                })
                .collect();
            let company = match how {
                // The company's counts are not this customer's business: rates only.
                Shown::Count => String::new(),
                _ => show(get(&p.company), *how),
            };
            let trend: Vec<Option<f64>> = p.months.iter().map(|(_, k)| get(k)).collect();
            let spark = charts::sparkline(&format!("{label} · {}", lang.t("kpi.trend")), &trend);
            PanelRow {
                improve: crate::ui::improvements::metric_of_label(key).map(|m| {
                    crate::ui::improvements::new_link(m, &format!("customer:{customer_id}"), "kpi")
                }),
                label,
                cells,
                company,
                spark,
            }
        })
        .collect();
    let months = match (p.months.first(), p.months.last()) {
        (Some(a), Some(b)) => format!("{} – {}", a.0, b.0),
        _ => String::new(),
    };
    PanelView {
        heads,
        rows,
        months,
    }
}

/// The company's service quality (分析 → 服务质量).
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    axum::Router::new().route(
        "/analysis/service-quality",
        axum::routing::get(company_page),
    )
}

/// A KPI card: label, value, link.
pub struct Card {
    pub label: String,
    pub value: String,
    pub href: String,
}

/// One segment's row: its label and link, then its figures (text, link).
pub struct SegmentRow {
    pub label: String,
    pub href: Option<String>,
    /// Where an improvement action on this segment is opened.
    pub improve: Option<String>,
    pub cells: Vec<(String, Option<String>)>,
}

/// The worst customers on one KPI.
pub struct WorstTable {
    pub title: String,
    pub rows: Vec<(String, String, String)>,
}

#[derive(askama::Template)]
#[template(path = "kpis/company.html")]
struct CompanyTpl {
    ctx: crate::ui::Ctx,
    from: String,
    to: String,
    by_opts: Vec<crate::ui::Opt>,
    /// The window as read: first day – last day.
    window: String,
    read_at: String,
    cards: Vec<Card>,
    /// (title, SVG) per monthly trend.
    charts: Vec<(String, String)>,
    seg_heads: Vec<String>,
    segments: Vec<SegmentRow>,
    /// May open improvement actions on segments and the company.
    can_improve: bool,
    worst: Vec<WorstTable>,
}

/// The segment figures shown, in order: (label key, value, how, shipment-list filter).
/// How each ranking of the worst customers reads: (field, label key, how, value).
type WorstShown = (&'static str, &'static str, Shown, fn(&Kpis) -> Option<f64>);
const WORST_SHOWN: [WorstShown; 5] = [
    ("delay_rate", "kpi.delay_rate", Shown::Percent, |k| {
        k.delay_rate
    }),
    ("avg_cycle_hours", "kpi.avg_cycle", Shown::Hours, |k| {
        k.avg_cycle_hours
    }),
    ("damage_rate", "kpi.damage_rate", Shown::Percent, |k| {
        k.damage_rate
    }),
    (
        "complaints_per_1000",
        "kpi.complaints_per_1000",
        Shown::PerThousand,
        |k| k.complaints_per_1000,
    ),
    ("return_rate", "kpi.return_rate", Shown::Percent, |k| {
        k.return_rate
    }),
];

/// The figures of the segment table, by label key (from `FIGURES`).
const SEGMENT_FIGURES: [&str; 8] = [
    "kpi.shipments",
    "kpi.on_time_rate",
    "kpi.avg_cycle",
    "kpi.damage_rate",
    "kpi.short_rate",
    "kpi.return_rate",
    "kpi.complaints_per_1000",
    "kpi.overdue_in_transit",
];
/// The headline cards of the company's page, by label key.
const CARDS: [&str; 7] = [
    "kpi.on_time_rate",
    "kpi.avg_cycle",
    "kpi.damage_rate",
    "kpi.complaints_per_1000",
    "kpi.overdue_in_transit",
    "kpi.csat",
    "kpi.nps",
];
/// The monthly trend charts, by label key, with their colours.
const CHARTS: [(&str, &str); 4] = [
    ("kpi.on_time_rate", "#1a7f4b"),
    ("kpi.avg_cycle", "#1456d6"),
    ("kpi.damage_rate", "#b3261e"),
    ("kpi.complaints_per_1000", "#9a6200"),
];

fn segment_label(lang: Lang, by: GroupBy, r: &consign_app::kpis::GroupKpis) -> String {
    let Some(g) = r.group.as_deref() else {
        return match by {
            GroupBy::Owner => lang.t("nav.pool").to_string(),
            _ => lang.t("kpi.segment_none").to_string(),
        };
    };
    match by {
        GroupBy::ValueClass => lang.t(&format!("value_class.{g}")).to_string(),
        GroupBy::Grade => lang.t(&format!("grade.{g}")).to_string(),
        GroupBy::ServiceMode => lang.t(&format!("mode.{g}")).to_string(),
        GroupBy::Industry => match consign_domain::customer::Industry::parse(g) {
            Some(i) => lang.t(i.label_key()).to_string(),
            None => g.to_string(),
        },
        GroupBy::Owner => r.label.clone().unwrap_or_else(|| g.to_string()),
        _ => g.to_string(),
    }
}

/// Where a segment's customers are listed, and the shipment-list filter of its
/// shipments (where the shipment list has one).
fn segment_links(
    by: GroupBy,
    r: &consign_app::kpis::GroupKpis,
    owner_ids: &std::collections::HashMap<String, i64>,
) -> (Option<String>, Option<String>) {
    let enc = |s: &str| crate::extract::urlencode(s);
    match (by, r.group.as_deref()) {
        (GroupBy::ValueClass, Some(g)) => {
            (Some(format!("/customers?value_class={}", enc(g))), None)
        }
        (GroupBy::Grade, Some(g)) => (Some(format!("/customers?grade={}", enc(g))), None),
        (GroupBy::Province, Some(g)) => (Some(format!("/customers?province={}", enc(g))), None),
        (GroupBy::Industry, Some(g)) => (Some(format!("/customers?industry={}", enc(g))), None),
        (GroupBy::ServiceMode, Some(g)) => (
            Some(format!("/customers?service_mode={}", enc(g))),
            Some(format!("&service_mode={}", enc(g))),
        ),
        (GroupBy::Owner, Some(g)) => match owner_ids.get(g) {
            Some(id) => (
                Some(format!("/customers?owner={id}")),
                Some(format!("&owner_id={id}")),
            ),
            None => (None, None),
        },
        (GroupBy::Owner, None) => (Some("/customers?owner=pool".into()), None),
        _ => (None, None),
    }
}

async fn company_page(
    axum::extract::State(app): axum::extract::State<consign_app::App>,
    u: crate::extract::UiUser,
    axum::extract::Query(q): axum::extract::Query<GroupQuery>,
    uri: axum::http::Uri,
) -> crate::ui::UiResult {
    let lang = u.lang;
    let p = consign_app::kpis::company_quality(&app, &u.actor, &q)
        .await
        .map_err(|e| crate::ui::fail(e, lang))?;
    let ctx = crate::ui::Ctx::new(&app, &u, &uri.to_string(), "analysis");
    let range = format!("from={}&to={}", p.from, p.to);
    let ship = |more: &str| format!("/shipments?{range}{more}");
    let t = &p.total;
    let cards = CARDS
        .iter()
        .map(|key| {
            let (_, get, how, behind) = figure(key);
            let href = match behind {
                Behind::Tickets(more) => format!("/tickets?{range}{more}"),
                Behind::Shipments(more) => ship(more),
                Behind::Surveys => format!("/surveys?{range}&status=answered"),
                Behind::Nothing => ship(""),
            };
            Card {
                label: lang.t(key).into(),
                value: show(get(t), *how),
                href,
            }
        })
        .collect();
    let charts = CHARTS
        .iter()
        .map(|(key, color)| {
            let (_, get, how, _) = figure(key);
            let items: Vec<(String, f64, String)> = p
                .months
                .iter()
                .map(|(m, k)| (m.clone(), get(k).unwrap_or(0.0), show(get(k), *how)))
                .collect();
            let svg = charts::columns(lang.t(key), &items, color, &|v| match how {
                Shown::Percent => format!("{:.1}%", v * 100.0),
                _ => format!("{v:.1}"),
            });
            (lang.t(key).to_string(), svg)
        })
        .collect();
    let owner_ids: std::collections::HashMap<String, i64> = if p.by == GroupBy::Owner {
        consign_app::users::assignable_owners(&app, &u.actor)
            .await
            .map_err(|e| crate::ui::fail(e, lang))?
            .into_iter()
            .map(|o| (o.username, o.id))
            .collect()
    } else {
        Default::default()
    };
    let segments = p
        .segments
        .iter()
        .map(|r| {
            let (href, filter) = segment_links(p.by, r, &owner_ids);
            let cells = SEGMENT_FIGURES
                .iter()
                .map(|key| {
                    let (_, get, how, behind) = figure(key);
                    // The segment's shipments (the ticket list has no segment filter).
                    let more = match behind {
                        Behind::Shipments(more) => more,
                        _ => "",
                    };
                    let link = filter.as_ref().map(|f| ship(&format!("{f}{more}")));
                    (show(get(&r.kpis), *how), link)
                })
                .collect();
            SegmentRow {
                label: segment_label(lang, p.by, r),
                improve: r.group.as_ref().map(|g| {
                    crate::ui::improvements::new_link(
                        "on_time_rate",
                        &format!("{}:{g}", p.by.as_str()),
                        "kpi",
                    )
                }),
                href,
                cells,
            }
        })
        .collect();
    let worst = p
        .worst
        .iter()
        .map(|(field, rows)| {
            let (key, how, get) = WORST_SHOWN
                .iter()
                .find(|w| w.0 == field)
                .map(|w| (w.1, w.2, w.3))
                .unwrap_or(("kpi.return_rate", Shown::Percent, |k: &Kpis| k.return_rate));
            WorstTable {
                title: lang.t(key).to_string(),
                rows: rows
                    .iter()
                    .map(|r| {
                        (
                            format!(
                                "/customers/{}#service-quality",
                                r.customer_id.clone().unwrap_or_default()
                            ),
                            r.label.clone().unwrap_or_default(),
                            show(get(&r.kpis), how),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let read_at = p
        .read_at
        .with_timezone(&app.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let by_opts = crate::ui::opts(
        GroupBy::SEGMENTS.iter().map(|g| {
            (
                g.as_str().to_string(),
                lang.t(&format!("kpi.by.{}", g.as_str())).to_string(),
            )
        }),
        p.by.as_str(),
    );
    let tpl = CompanyTpl {
        ctx,
        from: p.from.to_string(),
        to: p.to.to_string(),
        by_opts,
        window: format!("{} – {}", p.from, p.to.pred_opt().unwrap_or(p.to)),
        read_at,
        cards,
        charts,
        seg_heads: SEGMENT_FIGURES
            .iter()
            .map(|key| lang.t(key).to_string())
            .collect(),
        segments,
        worst,
        can_improve: consign_app::improvements::leads(u.actor.role),
    };
    Ok(crate::ui::render(&tpl))
}
