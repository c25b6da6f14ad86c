//! Service KPIs on the pages (issue 20): a customer's service-quality panel.

use crate::charts;
use consign_app::kpis::KpiPanel;
use consign_domain::kpis::Kpis;
use consign_domain::Lang;

/// One figure of the panel: its label, its value per window (text, drill-down link),
/// the company's, and its trend over 12 months.
pub struct PanelRow {
    pub label: String,
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
}

fn show(v: Option<f64>, how: Shown) -> String {
    match v {
        None => "—".into(),
        Some(x) => match how {
            Shown::Count => format!("{}", x.round() as i64),
            Shown::Hours => format!("{x:.1}"),
            Shown::Percent => format!("{:.1}%", x * 100.0),
            Shown::PerThousand => format!("{x:.2}"),
        },
    }
}

/// Where a figure's shipments or tickets are listed.
#[derive(Clone, Copy)]
enum Behind {
    Shipments(&'static str),
    Tickets(&'static str),
    Nothing,
}

type Figure = (&'static str, fn(&Kpis) -> Option<f64>, Shown, Behind);

/// The panel's figures in order (surveys' CSAT and NPS join them once surveys are sent).
const FIGURES: [Figure; 17] = [
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
];

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
