//! Reading customers: one, a page of the list, search.

#[allow(unused_imports)]
use super::*;

pub async fn get(app: &App, actor: &Actor, id: CustomerId) -> Result<CustomerDetail> {
    let vis = visibility(app, actor).await?;
    let row = repo::find_row(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(&vis, &row.customer) {
        return Err(AppError::NotFound);
    }
    let permissions = permissions(actor, &row.customer);
    let contacts = row.contacts.iter().map(|k| contact_view(k, app)).collect();
    let mut customer = views(app, vec![row])?;
    let Some(customer) = customer.pop() else {
        return Err(AppError::NotFound);
    };
    Ok(CustomerDetail {
        customer,
        contacts,
        permissions,
    })
}

/// Turns a search string into index lookups (Chinese bigrams, pinyin, code, phone).
pub fn text_search(app: &App, q: &str) -> Option<TextSearch> {
    let mut s = TextSearch::default();
    match search::parse_query(q) {
        Query::Empty => return None,
        Query::Cjk { keys, text, prefix } => {
            s.cjk_keys = keys;
            s.cjk_text = Some(text);
            s.cjk_prefix = prefix;
        }
        Query::Ascii { prefix } => s.ascii_prefix = Some(prefix),
    }
    let digits: String = q
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() >= 7 {
        if let Ok(p) = Phone::parse(&digits) {
            s.phone_hash = Some(app.vault.phone_hash(&p));
        }
    }
    Some(s)
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<Page<CustomerView>> {
    let vis = visibility(app, actor).await?;
    let mut errs = FieldErrors::new();
    let mut f = CustomerFilter {
        search: nonempty(&q.q).and_then(|s| text_search(app, &s)),
        province: nonempty(&q.province),
        city: nonempty(&q.city),
        industry: nonempty(&q.industry),
        tag: nonempty(&q.tag),
        ..Default::default()
    };
    macro_rules! vocab {
        ($field:ident, $ty:ty) => {
            if let Some(v) = nonempty(&q.$field) {
                match <$ty>::parse(&v) {
                    Some(x) => f.$field = Some(x.as_str().to_string()),
                    None => errs.add(stringify!($field), "err.invalid_choice"),
                }
            }
        };
    }
    f.archived = errs
        .check("archived", params::flag(q.archived.as_deref()))
        .unwrap_or(false);
    vocab!(kind, CustomerKind);
    vocab!(status, CustomerStatus);
    vocab!(service_mode, ServiceMode);
    vocab!(data_source, DataSource);
    if let Some(o) = nonempty(&q.owner) {
        if o == "pool" {
            f.owner = Some(OwnerFilter::Pool);
        } else if o == "me" {
            f.owner = Some(OwnerFilter::User(actor.user_id()));
        } else {
            match o.parse() {
                Ok(id) => f.owner = Some(OwnerFilter::User(id)),
                Err(_) => errs.add("owner", "err.invalid_choice"),
            }
        }
    }
    f.class = class_filter(app, q, &mut errs).await?;
    match nonempty(&q.sort) {
        Some(s) => match Sort::parse(&s) {
            Some(s) => f.sort = s,
            None => errs.add("sort", "err.invalid_choice"),
        },
        // Search results come newest first: that order walks the search index.
        None if f.search.is_some() => f.sort = Sort::Newest,
        None => {}
    }
    f.page = errs
        .check("page", params::page(q.page.as_deref()))
        .unwrap_or(1);
    f.per_page = errs
        .check("per_page", params::per_page(q.per_page.as_deref(), 50, 500))
        .unwrap_or(50);
    errs.into_result()?;
    let (rows, total) = repo::list(&app.db.conn, &vis, &f).await?;
    let mut items = views(app, rows)?;
    if let Some(run) = f.class.as_ref().map(|k| k.run_id) {
        let ids: Vec<i64> = items.iter().map(|v| v.id.get()).collect();
        let mut found =
            consign_store::classification::verdicts_for(&app.db.conn, run, &ids).await?;
        for v in &mut items {
            v.class = found.remove(&v.id.get()).map(ClassBrief::of);
        }
    }
    Ok(Page {
        items,
        total,
        page: f.page,
        per_page: f.per_page,
    })
}

/// The current run's verdict filters of a list query (None before the first run).
pub(crate) async fn class_filter(
    app: &App,
    q: &ListQuery,
    errs: &mut FieldErrors,
) -> Result<Option<consign_store::customers::ClassFilter>> {
    use consign_domain::classify::{Grade, Lifecycle, RfmSegment, ValueClass};
    // The values are checked whether or not a run exists yet: a bad filter is refused alike.
    let mut k = consign_store::customers::ClassFilter::default();
    macro_rules! vocab {
        ($field:ident, $param:ident, $ty:ty) => {
            if let Some(v) = nonempty(&q.$param) {
                match <$ty>::parse(&v) {
                    Some(x) => k.$field = Some(x.as_str().to_string()),
                    None => errs.add(stringify!($param), "err.invalid_choice"),
                }
            }
        };
    }
    vocab!(grade, grade, Grade);
    vocab!(value_class, value_class, ValueClass);
    vocab!(lifecycle, lifecycle, Lifecycle);
    vocab!(rfm_segment, rfm_segment, RfmSegment);
    if nonempty(&q.at_risk).is_some() {
        k.at_risk = errs.check("at_risk", params::flag(q.at_risk.as_deref()));
    }
    for (param, slot) in [("r", &q.r), ("f", &q.f), ("m", &q.m)] {
        if let Some(v) = nonempty(slot) {
            match v.parse::<i32>().ok().filter(|n| (1..=5).contains(n)) {
                Some(n) => match param {
                    "r" => k.r_score = Some(n),
                    "f" => k.f_score = Some(n),
                    _ => k.m_score = Some(n),
                },
                None => errs.add(param, "err.invalid_choice"),
            }
        }
    }
    let Some(run) = crate::classification::current_run(app).await? else {
        return Ok(None);
    };
    k.run_id = run.id;
    Ok(Some(k))
}

/// A customer's current verdict as lists show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassBrief {
    pub grade: String,
    pub value_class: String,
    pub value_rank: Option<i64>,
    pub lifecycle: String,
    pub at_risk: bool,
    pub r: Option<i32>,
    pub f: Option<i32>,
    pub m: Option<i32>,
    pub rfm_segment: Option<String>,
}

impl ClassBrief {
    fn of(v: consign_store::classification::VerdictRow) -> ClassBrief {
        ClassBrief {
            grade: v.grade,
            value_class: v.value_class,
            value_rank: v.value_rank,
            lifecycle: v.lifecycle,
            at_risk: v.at_risk,
            r: v.r_score,
            f: v.f_score,
            m: v.m_score,
            rfm_segment: v.rfm_segment,
        }
    }
}

/// The tags in use and how many customers carry each, for those who see customers.
pub async fn all_tags(app: &App, actor: &Actor) -> Result<Vec<(String, i64)>> {
    visibility(app, actor).await?;
    Ok(repo::all_tags(&app.db.conn).await?)
}
