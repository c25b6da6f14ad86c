//! The service dashboard.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/dashboard.html")]
pub(crate) struct DashTpl {
    pub(crate) ctx: Ctx,
    pub(crate) d: service::ServiceDashboard,
    pub(crate) status_svg: String,
    pub(crate) kind_svg: String,
    pub(crate) cause_svg: String,
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
