//! The audit log (审计日志): every state change and reveal, filtered by action, person,
//! kind of record and customer, in the list pattern with its column chooser and saved
//! views.

use super::customers::{timeline_items, TimelineItem};
use super::*;
use consign_app::audit::AuditQuery;
use consign_domain::params;
use consign_domain::views::ListKind;

pub(crate) fn routes() -> Router<App> {
    Router::new().route("/admin/audit", get(page))
}

const PER_PAGE: u64 = 50;

/// One row: the entry, its record (`customer #12`) and the address it came from.
pub(crate) struct Row {
    pub(crate) e: TimelineItem,
    pub(crate) entity: String,
    pub(crate) ip: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
pub(crate) struct ListTpl {
    pub(crate) ctx: Ctx,
    pub(crate) lv: super::views::ListViews,
    pub(crate) rows: Vec<Row>,
    pub(crate) total: u64,
    pub(crate) page: u64,
    pub(crate) pages: u64,
    pub(crate) actions: Vec<Opt>,
    pub(crate) actors: Vec<Opt>,
    pub(crate) entities: Vec<Opt>,
    pub(crate) q: AuditQ,
    pub(crate) filter_errors: String,
}

/// The audit log's filters as its URL names them (all text: a bad value is named, not
/// dropped).
#[derive(serde::Deserialize, Default, Clone)]
pub(crate) struct AuditQ {
    pub(crate) action: Option<String>,
    pub(crate) actor_id: Option<String>,
    pub(crate) entity_type: Option<String>,
    pub(crate) customer_id: Option<String>,
    pub(crate) page: Option<String>,
}

impl AuditQ {
    fn pairs(&self) -> listing::Pairs<'static> {
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        vec![
            ("action", v(&self.action)),
            ("actor_id", v(&self.actor_id)),
            ("entity_type", v(&self.entity_type)),
            ("customer_id", v(&self.customer_id)),
        ]
    }
}

impl ListTpl {
    fn query(&self) -> String {
        listing::query(&self.q.pairs(), None)
    }

    fn page_link(&self, page: u64) -> String {
        let q = self.query();
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/admin/audit?{q}{sep}page={page}")
    }

    fn more_set(&self) -> bool {
        [&self.q.entity_type, &self.q.customer_id]
            .iter()
            .any(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
    }

    fn chips(&self) -> Vec<listing::Chip> {
        let lang = self.ctx.lang;
        let t = |k: &str| lang.t(k).to_string();
        listing::chips("/admin/audit", &self.q.pairs(), |k, val| {
            Some(match k {
                "action" => (t("audit.action"), listing::option_label(&self.actions, val)),
                "actor_id" => (t("audit.actor"), listing::option_label(&self.actors, val)),
                "entity_type" => (t("audit.entity"), entity_label(lang, val)),
                "customer_id" => (t("audit.customer"), format!("#{val}")),
                _ => return None,
            })
        })
    }
}

/// The options named by the catalogue's `prefix.*` labels (every action the log names,
/// every kind of record), by their label.
fn labelled(lang: Lang, prefix: &str, current: &str) -> Vec<Opt> {
    let mut all: Vec<(String, String)> = consign_domain::i18n::KEYS
        .iter()
        .filter_map(|k| k.strip_prefix(prefix))
        .map(|a| (a.to_string(), lang.t(&format!("{prefix}{a}")).to_string()))
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    opts(all, current)
}

/// The kind of record an entry is about, in `lang` (`entity.*`; the stored name when the
/// catalogue has none).
pub(crate) fn entity_label(lang: Lang, entity_type: &str) -> String {
    let key = format!("entity.{entity_type}");
    if consign_domain::i18n::KEYS.contains(&key.as_str()) {
        lang.t(&key).to_string()
    } else {
        entity_type.to_string()
    }
}

/// A number from the query, or the field named as wrong.
fn number(v: &Option<String>, field: &str, errs: &mut consign_domain::FieldErrors) -> Option<i64> {
    let s = params::given(v.as_deref())?;
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errs.add(field, "err.invalid_choice");
            None
        }
    }
}

pub(crate) async fn page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<AuditQ>,
    Query(v): Query<super::views::ViewQ>,
) -> UiResult {
    let lang = u.lang;
    let mut errs = consign_domain::FieldErrors::new();
    let actor_id = number(&q.actor_id, "actor_id", &mut errs);
    let customer_id = number(&q.customer_id, "customer_id", &mut errs);
    let page_no = errs
        .check("page", consign_domain::params::page(q.page.as_deref()))
        .unwrap_or(1);
    let clean = |s: &Option<String>| params::given(s.as_deref()).map(str::to_string);
    let aq = AuditQuery {
        actor_id,
        action: clean(&q.action),
        entity_type: clean(&q.entity_type),
        customer_id,
        page: page_no,
        per_page: PER_PAGE,
    };
    let (items, total) = consign_app::audit::list(&app, &u.actor, &aq)
        .await
        .map_err(|e| fail(e, lang))?;
    let ctx = Ctx::new(&app, &u, "/admin/audit", "audit");
    let extra: Vec<(String, String)> = items
        .iter()
        .map(|a| {
            (
                format!("{} #{}", entity_label(lang, &a.entity_type), a.entity_id),
                a.ip.clone().unwrap_or_default(),
            )
        })
        .collect();
    let names = consign_app::users::display_names(&app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut people: Vec<(String, String)> = names
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    let actors = opts(people, q.actor_id.as_deref().unwrap_or("").trim());
    let rows = timeline_items(&ctx, items, &names)
        .into_iter()
        .zip(extra)
        .map(|(e, (entity, ip))| Row { e, entity, ip })
        .collect();
    let tpl = ListTpl {
        lv: super::views::for_page(
            &app,
            &u,
            ListKind::Audit,
            v.view.as_deref(),
            listing::query(&q.pairs(), None),
        )
        .await?,
        rows,
        total,
        page: page_no,
        pages: total.div_ceil(PER_PAGE).max(1),
        actions: labelled(lang, "action.", q.action.as_deref().unwrap_or("").trim()),
        entities: labelled(
            lang,
            "entity.",
            q.entity_type.as_deref().unwrap_or("").trim(),
        ),
        actors,
        filter_errors: match super::views::view_error(lang, v.view_error.as_deref()) {
            Some(e) => e,
            None if errs.0.is_empty() => String::new(),
            None => crate::error::errors_text(lang, &errs),
        },
        q,
        ctx,
    };
    Ok(render(&tpl))
}
