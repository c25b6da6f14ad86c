//! The receivables aging dashboard: buckets, DSO by month, the customers most overdue and
//! the aging by account manager, unit or customer.

#[allow(unused_imports)]
use super::*;
use consign_app::credit::{AgingQuery, AgingReport};
use consign_domain::billing::AgingBucket;

#[derive(Template)]
#[template(path = "credit/aging.html")]
struct AgingTpl {
    ctx: Ctx,
    r: AgingReport,
    buckets: &'static [AgingBucket],
    bucket_chart: String,
    dso_chart: String,
    groupings: Vec<(&'static str, String)>,
    group_label: String,
}

impl AgingTpl {
    fn is_group(&self, g: &str) -> bool {
        self.r.group == g
    }
}

pub(super) async fn page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<AgingQuery>,
) -> UiResult {
    let lang = u.lang;
    let r = credit::aging(&app, &u.actor, &q)
        .await
        .map_err(|e| fail(e, lang))?;
    let bars: Vec<crate::charts::Bar> = AgingBucket::ALL
        .iter()
        .map(|b| {
            let v = r.total.get(*b);
            crate::charts::Bar {
                label: lang.t(b.label_key()).to_string(),
                value: v.get() as f64,
                text: v.to_string(),
                href: "#groups".into(),
            }
        })
        .collect();
    let bucket_chart = crate::charts::hbars(lang.t("credit.aging"), &bars, "#c0352b");
    let items: Vec<(String, f64, String)> = r
        .dso
        .iter()
        .map(|d| {
            (
                d.month[2..].to_string(),
                d.days.unwrap_or(0.0),
                d.days
                    .map(|x| lang.tf("credit.days_value", &[&format!("{x:.1}")]))
                    .unwrap_or_else(|| "—".into()),
            )
        })
        .collect();
    let dso_chart = crate::charts::columns(lang.t("credit.dso_trend"), &items, "#1456d6", &|v| {
        format!("{v:.0}")
    });
    let group_label = lang.t(&format!("credit.group.{}", r.group)).to_string();
    Ok(render(&AgingTpl {
        ctx: Ctx::new(&app, &u, "/credit/aging", "credit"),
        buckets: AgingBucket::ALL,
        bucket_chart,
        dso_chart,
        groupings: ["owner", "unit", "customer"]
            .iter()
            .map(|g| (*g, lang.t(&format!("credit.group.{g}")).to_string()))
            .collect(),
        group_label,
        r,
    }))
}
