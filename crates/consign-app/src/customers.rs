//! The customer archive (SPEC §1): create, edit, archive, restore, search, duplicates,
//! merge, the pool, contacts and personal data. Row-level scope is enforced here.

use crate::audit::{self, AuditView, Entry};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::customer::{
    join_modes, split_modes, CustomerKind, CustomerStatus, DataSource, GovLevel, ServiceMode,
};
use consign_domain::params;
use consign_domain::role::{Role, Scope};
use consign_domain::search::{self, Query};
use consign_domain::validate::{self, optional_text, required_text};
use consign_domain::{mask, FieldErrors};
use consign_store::customers::{
    self as repo, CustomerFilter, OwnerFilter, Sort, TextSearch, Visibility,
};
use consign_store::entity::{contact, customer};
use consign_store::users as users_repo;
use sea_orm::{ConnectionTrait, Set};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeMap, HashMap};
use tokio::sync::oneshot;

/// `null` → Some(None) (clear), absent → None (unchanged).
fn double_option<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<i64>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdOrString {
        Id(i64),
        Text(String),
    }
    let v: Option<IdOrString> = Option::deserialize(d)?;
    Ok(Some(match v {
        None => None,
        Some(IdOrString::Id(i)) => Some(i),
        Some(IdOrString::Text(s)) if s.trim().is_empty() => None,
        Some(IdOrString::Text(s)) => Some(s.trim().parse().map_err(serde::de::Error::custom)?),
    }))
}

/// What a client sends to create or change a customer. On update, absent fields stay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub kind: Option<String>,
    pub gov_level: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub goods_types: Option<String>,
    pub service_modes: Option<Vec<String>>,
    pub data_source: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<i64>>,
    pub status: Option<String>,
    pub uscc: Option<String>,
    pub id_number: Option<String>,
    pub notes: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<BTreeMap<String, String>>,
    /// Create even though likely duplicates exist.
    #[serde(default)]
    pub confirm_duplicates: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    #[serde(serialize_with = "crate::ser::id")]
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    /// Masked, e.g. 138****5678.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: CustomerKind,
    pub gov_level: Option<GovLevel>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub goods_types: Option<String>,
    pub service_modes: Vec<ServiceMode>,
    pub data_source: DataSource,
    #[serde(serialize_with = "crate::ser::opt_id")]
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: CustomerStatus,
    pub uscc: Option<String>,
    /// Masked ID number of an individual.
    pub id_number: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: BTreeMap<String, String>,
    pub archived_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::ser::opt_id")]
    pub merged_into_id: Option<i64>,
    pub pool_since: Option<DateTime<Utc>>,
    pub last_interaction_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub primary_contact: Option<ContactView>,
    /// The current classification (lists only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<ClassBrief>,
}

/// What the actor may do with one customer (drives buttons; the use cases re-check).
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Permissions {
    pub edit: bool,
    pub edit_contacts: bool,
    pub unmask: bool,
    pub release: bool,
    pub claim: bool,
    pub merge: bool,
    pub assign: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerDetail {
    pub customer: CustomerView,
    pub contacts: Vec<ContactView>,
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateHit {
    #[serde(serialize_with = "crate::ser::id")]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub owner_name: Option<String>,
    /// Message keys: customer.duplicate_reason.{uscc,phone,name,similar_name}.
    pub reasons: Vec<&'static str>,
    /// For scope checks by the caller; not part of the API's answer.
    #[serde(skip)]
    pub owner_id: Option<i64>,
    /// Outside the caller's scope: counted, not named (id, code, name, owner empty).
    #[serde(skip)]
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// A list request as it arrives from the UI or the API (all strings, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    /// A user id, or `pool`.
    pub owner: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub service_mode: Option<String>,
    pub tag: Option<String>,
    pub data_source: Option<String>,
    pub archived: Option<String>,
    /// Classification (the current run): grade, value class, lifecycle, churn warning,
    /// RFM segment and scores.
    pub grade: Option<String>,
    pub value_class: Option<String>,
    pub lifecycle: Option<String>,
    pub at_risk: Option<String>,
    pub rfm_segment: Option<String>,
    pub r: Option<String>,
    pub f: Option<String>,
    pub m: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

// ---- scope ----

pub async fn visibility(app: &App, actor: &Actor) -> Result<Visibility> {
    match actor.role.customer_scope() {
        Scope::All => Ok(Visibility::All),
        Scope::Unit => Ok(Visibility::OwnersAndPool(
            users_repo::user_ids_in_subtree(&app.db.conn, &actor.unit_path).await?,
        )),
        Scope::Own => Ok(Visibility::OwnersAndPool(vec![actor.user_id()])),
        Scope::None => Err(AppError::Forbidden),
    }
}

fn visible(vis: &Visibility, c: &customer::Model) -> bool {
    owner_visible(vis, c.owner_id)
}

/// Whether a customer with this owner (None: the pool) is within the visibility.
pub fn owner_visible(vis: &Visibility, owner_id: Option<i64>) -> bool {
    match vis {
        Visibility::All => true,
        Visibility::OwnersAndPool(ids) => owner_id.is_none_or(|o| ids.contains(&o)),
    }
}

/// Whether the actor may see a customer's personal data in clear: roles that unmask, and
/// of account managers only the owner (not the pool, not another's).
pub fn may_unmask(actor: &Actor, owner_id: Option<i64>) -> bool {
    let role = actor.role;
    role.can_unmask()
        && (role != Role::AccountManager || (owner_id.is_some() && owner_id == actor.id))
}

fn permissions(actor: &Actor, c: &customer::Model) -> Permissions {
    let role = actor.role;
    let own = c.owner_id.is_some() && c.owner_id == actor.id;
    let in_pool = c.owner_id.is_none();
    let live = c.archived_at.is_none();
    let edit = live
        && match role {
            Role::Admin | Role::Manager => true,
            Role::AccountManager => own,
            _ => false,
        };
    Permissions {
        edit,
        edit_contacts: live && role.can_edit_contacts() && (role != Role::AccountManager || own),
        unmask: may_unmask(actor, c.owner_id),
        release: live && !in_pool && (role.can_assign_owner() || own),
        claim: live
            && in_pool
            && matches!(role, Role::AccountManager | Role::Manager | Role::Admin),
        merge: live && role.can_merge(),
        assign: live && role.can_assign_owner(),
    }
}

/// Loads a customer the actor may see; anything else is "not found".
async fn load_visible(app: &App, actor: &Actor, id: i64) -> Result<(customer::Model, Visibility)> {
    let vis = visibility(app, actor).await?;
    let c = repo::find(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(&vis, &c) {
        return Err(AppError::NotFound);
    }
    Ok((c, vis))
}

// ---- views ----

fn contact_view(k: &repo::ContactRow, app: &App) -> ContactView {
    ContactView {
        id: k.id,
        customer_id: k.customer_id,
        name: k.name.clone(),
        title: k.title.clone(),
        phone: k.phone_enc.as_deref().map(|p| {
            app.vault
                .decrypt(p)
                .map(|p| mask::phone(&p))
                .unwrap_or_else(|_| "****".into())
        }),
        email: k.email_enc.as_deref().map(|p| {
            app.vault
                .decrypt(p)
                .map(|e| mask::email(&e))
                .unwrap_or_else(|_| "***".into())
        }),
        wechat: k.wechat.clone(),
        is_primary: k.is_primary,
    }
}

/// Views of customer rows; the primary contact is the first of the row's contacts.
fn views(app: &App, rows: Vec<repo::CustomerRow>) -> Vec<CustomerView> {
    rows.into_iter()
        .map(|row| {
            let c = row.customer;
            let primary = row.contacts.first().map(|k| contact_view(k, app));
            CustomerView {
                id: c.id,
                owner_name: row.owner_name,
                tags: row.tags,
                kind: CustomerKind::parse(&c.kind).unwrap_or(CustomerKind::Enterprise),
                gov_level: c.gov_level.as_deref().and_then(GovLevel::parse),
                service_modes: split_modes(&c.service_modes),
                data_source: DataSource::parse(&c.data_source).unwrap_or(DataSource::Internal),
                status: CustomerStatus::parse(&c.status).unwrap_or(CustomerStatus::Active),
                id_number: c.id_number_enc.as_deref().map(|v| {
                    app.vault
                        .decrypt(v)
                        .map(|p| mask::id_number(&p))
                        .unwrap_or_else(|_| "****".into())
                }),
                custom_fields: serde_json::from_str(&c.custom_fields).unwrap_or_default(),
                code: c.code,
                name: c.name,
                short_name: c.short_name,
                industry: c.industry,
                province: c.province,
                city: c.city,
                address: c.address,
                goods_types: c.goods_types,
                owner_id: c.owner_id,
                uscc: c.uscc,
                notes: c.notes,
                archived_at: c.archived_at,
                merged_into_id: c.merged_into_id,
                pool_since: c.pool_since,
                last_interaction_at: c.last_interaction_at,
                created_at: c.created_at,
                updated_at: c.updated_at,
                primary_contact: primary,
                class: None,
            }
        })
        .collect()
}

/// What the audit log keeps of a customer: no personal data in clear.
fn audit_json(c: &customer::Model, tags: &[String]) -> serde_json::Value {
    serde_json::json!({
        "code": c.code, "name": c.name, "short_name": c.short_name, "kind": c.kind,
        "gov_level": c.gov_level, "industry": c.industry, "province": c.province, "city": c.city,
        "address": c.address, "goods_types": c.goods_types,
        "service_modes": split_modes(&c.service_modes).iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "data_source": c.data_source, "owner_id": c.owner_id, "status": c.status, "uscc": c.uscc,
        "id_number": if c.id_number_enc.is_some() { Some("******") } else { None },
        "notes": c.notes, "tags": tags, "custom_fields": serde_json::from_str::<serde_json::Value>(&c.custom_fields).unwrap_or_default(),
        "archived": c.archived_at.is_some(), "merged_into_id": c.merged_into_id,
    })
}

// ---- reading ----

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<CustomerDetail> {
    let vis = visibility(app, actor).await?;
    let row = repo::find_row(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(&vis, &row.customer) {
        return Err(AppError::NotFound);
    }
    let permissions = permissions(actor, &row.customer);
    let contacts = row.contacts.iter().map(|k| contact_view(k, app)).collect();
    let mut customer = views(app, vec![row]);
    let Some(customer) = customer.pop() else {
        return Err(AppError::NotFound);
    };
    Ok(CustomerDetail {
        customer,
        contacts,
        permissions,
    })
}

/// Of these customers, the ones outside `vis` (none for a company-wide scope). Writes by
/// natural key (a waybill, invoice or payment number that already exists) use it: a
/// number that belongs to a customer the caller cannot see is refused, never moved.
pub async fn outside<C: consign_store::ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashSet<i64>> {
    if matches!(vis, Visibility::All) {
        return Ok(Default::default());
    }
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let owners = repo::owners_of(conn, &ids).await?;
    Ok(ids
        .into_iter()
        .filter(|id| owners.get(id).is_none_or(|o| !owner_visible(vis, *o)))
        .collect())
}

/// Refuses a batch in which a number already belongs to a customer the caller cannot
/// see (`owners`: per item, the customer that holds its number now): such a record is
/// not moved to the caller's customer. The error names `items[i].<field>`.
pub(crate) async fn refuse_numbers_out_of_scope<C: consign_store::ConnectionTrait>(
    app: &App,
    actor: &Actor,
    conn: &C,
    owners: impl Iterator<Item = Option<i64>>,
    single: bool,
    field: &str,
) -> Result<()> {
    let owners: Vec<Option<i64>> = owners.collect();
    let vis = visibility(app, actor).await?;
    let hidden = outside(conn, &vis, owners.iter().flatten().copied()).await?;
    let mut errs = FieldErrors::new();
    for (i, o) in owners.iter().enumerate() {
        if o.is_some_and(|c| hidden.contains(&c)) {
            let path = if single {
                String::new()
            } else {
                format!("items[{i}].")
            };
            errs.add(format!("{path}{field}"), "err.number_out_of_scope");
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errs))
    }
}

/// The customer, if the actor may see it (else NotFound, as if it did not exist).
pub async fn visible_customer(app: &App, actor: &Actor, id: i64) -> Result<customer::Model> {
    let vis = visibility(app, actor).await?;
    match repo::find(&app.db.conn, id).await? {
        Some(c) if visible(&vis, &c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
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
        if let Ok(p) = validate::phone(&digits) {
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
    let mut items = views(app, rows);
    if let Some(run) = f.class.as_ref().map(|k| k.run_id) {
        let ids: Vec<i64> = items.iter().map(|v| v.id).collect();
        let mut found =
            consign_store::classification::verdicts_for(&app.db.conn, run, &ids).await?;
        for v in &mut items {
            v.class = found.remove(&v.id).map(ClassBrief::of);
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
async fn class_filter(
    app: &App,
    q: &ListQuery,
    errs: &mut FieldErrors,
) -> Result<Option<consign_store::customers::ClassFilter>> {
    use consign_domain::classify::{Grade, Lifecycle, RfmSegment, ValueClass};
    let Some(run) = crate::classification::current_run(app).await? else {
        return Ok(None);
    };
    let mut k = consign_store::customers::ClassFilter {
        run_id: run.id,
        ..Default::default()
    };
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
    if let Some(v) = nonempty(&q.at_risk) {
        match v.as_str() {
            "1" | "true" | "yes" => k.at_risk = Some(true),
            "0" | "false" | "no" => k.at_risk = Some(false),
            _ => errs.add("at_risk", "err.invalid_choice"),
        }
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
    Ok(Some(k))
}

/// A customer's current verdict as lists show it.
#[derive(Debug, Clone, Serialize)]
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

pub async fn all_tags(app: &App) -> Result<Vec<(String, i64)>> {
    Ok(repo::all_tags(&app.db.conn).await?)
}

// ---- validation ----

struct Draft {
    name: String,
    short_name: Option<String>,
    kind: CustomerKind,
    gov_level: Option<GovLevel>,
    industry: Option<String>,
    province: Option<String>,
    city: Option<String>,
    address: Option<String>,
    goods_types: Option<String>,
    service_modes: Vec<ServiceMode>,
    data_source: DataSource,
    status: CustomerStatus,
    uscc: Option<String>,
    id_number: Option<String>,
    notes: Option<String>,
    tags: Vec<String>,
    custom_fields: BTreeMap<String, String>,
}

/// An optional text field: the new value if sent, else the stored one; checked for length.
fn opt_field(
    e: &mut FieldErrors,
    field: &str,
    new: &Option<String>,
    old: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = new.clone().unwrap_or_else(|| old.unwrap_or("").to_string());
    e.check(field, optional_text(&v, max)).flatten()
}

/// Validates every field of `input` over `base` (the current values on update).
fn validate_input(
    input: &CustomerInput,
    base: Option<(&customer::Model, &[String], Option<String>)>,
) -> Result<Draft> {
    let mut e = FieldErrors::new();
    let pick = |new: &Option<String>, old: Option<&str>| -> String {
        new.clone().unwrap_or_else(|| old.unwrap_or("").to_string())
    };
    let b = base.as_ref().map(|(m, _, _)| *m);
    let name = e.check(
        "name",
        required_text(&pick(&input.name, b.map(|m| m.name.as_str())), 100),
    );
    let short_name = e.check(
        "short_name",
        optional_text(
            &pick(&input.short_name, b.and_then(|m| m.short_name.as_deref())),
            40,
        ),
    );
    let kind_s = pick(&input.kind, b.map(|m| m.kind.as_str()));
    let kind = if kind_s.trim().is_empty() {
        e.add("kind", "err.required");
        None
    } else {
        let k = CustomerKind::parse(&kind_s);
        if k.is_none() {
            e.add("kind", "err.invalid_choice");
        }
        k
    };
    let gov_s = pick(&input.gov_level, b.and_then(|m| m.gov_level.as_deref()));
    let gov_level = if gov_s.trim().is_empty() {
        None
    } else {
        match GovLevel::parse(&gov_s) {
            Some(g) if kind == Some(CustomerKind::Government) => Some(g),
            Some(_) => {
                e.add("gov_level", "err.gov_level_only_government");
                None
            }
            None => {
                e.add("gov_level", "err.invalid_choice");
                None
            }
        }
    };
    let industry = opt_field(
        &mut e,
        "industry",
        &input.industry,
        b.and_then(|m| m.industry.as_deref()),
        40,
    );
    let province = opt_field(
        &mut e,
        "province",
        &input.province,
        b.and_then(|m| m.province.as_deref()),
        20,
    );
    let city = opt_field(
        &mut e,
        "city",
        &input.city,
        b.and_then(|m| m.city.as_deref()),
        40,
    );
    let address = opt_field(
        &mut e,
        "address",
        &input.address,
        b.and_then(|m| m.address.as_deref()),
        200,
    );
    let goods_types = opt_field(
        &mut e,
        "goods_types",
        &input.goods_types,
        b.and_then(|m| m.goods_types.as_deref()),
        200,
    );
    let service_modes = match &input.service_modes {
        Some(list) => {
            let mut out = Vec::new();
            for m in list.iter().filter(|m| !m.trim().is_empty()) {
                match ServiceMode::parse(m) {
                    Some(x) => out.push(x),
                    None => e.add("service_modes", "err.invalid_choice"),
                }
            }
            out
        }
        None => b.map(|m| split_modes(&m.service_modes)).unwrap_or_default(),
    };
    let ds = pick(&input.data_source, b.map(|m| m.data_source.as_str()));
    let data_source = if ds.trim().is_empty() {
        Some(DataSource::Internal)
    } else {
        let d = DataSource::parse(&ds);
        if d.is_none() {
            e.add("data_source", "err.invalid_choice");
        }
        d
    };
    let st = pick(&input.status, b.map(|m| m.status.as_str()));
    let status = if st.trim().is_empty() {
        Some(CustomerStatus::Prospect)
    } else {
        let s = CustomerStatus::parse(&st);
        if s.is_none() {
            e.add("status", "err.invalid_choice");
        }
        s
    };
    let uscc_s = pick(&input.uscc, b.and_then(|m| m.uscc.as_deref()));
    let uscc = if uscc_s.trim().is_empty() {
        None
    } else {
        e.check("uscc", validate::uscc(&uscc_s))
    };
    let id_number = match &input.id_number {
        Some(s) if s.trim().is_empty() => None,
        Some(s) => e.check("id_number", validate::id_number(s)),
        None => base.as_ref().and_then(|(_, _, id)| id.clone()),
    };
    let notes = e
        .check(
            "notes",
            optional_text(
                &pick(&input.notes, b.and_then(|m| m.notes.as_deref())),
                2000,
            ),
        )
        .flatten();
    let tags = match &input.tags {
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for t in list {
                let t = validate::clean_text(t);
                if t.is_empty() {
                    continue;
                }
                if t.chars().count() > 20 {
                    e.add("tags", "err.too_long");
                } else if !out.contains(&t) {
                    out.push(t);
                }
            }
            if out.len() > 20 {
                e.add("tags", "err.too_long");
            }
            out
        }
        None => base
            .as_ref()
            .map(|(_, t, _)| t.to_vec())
            .unwrap_or_default(),
    };
    let custom_fields = match &input.custom_fields {
        Some(map) => {
            let mut out = BTreeMap::new();
            for (k, v) in map {
                let k = validate::clean_text(k);
                if k.is_empty() || k.chars().count() > 40 || v.chars().count() > 200 {
                    e.add("custom_fields", "err.custom_field_format");
                } else {
                    out.insert(k, v.trim().to_string());
                }
            }
            if out.len() > 30 {
                e.add("custom_fields", "err.too_long");
            }
            out
        }
        None => b
            .and_then(|m| serde_json::from_str(&m.custom_fields).ok())
            .unwrap_or_default(),
    };
    e.clone().into_result()?;
    match (name, short_name, kind, data_source, status) {
        (Some(name), Some(short_name), Some(kind), Some(data_source), Some(status)) => Ok(Draft {
            name,
            short_name,
            kind,
            gov_level,
            industry,
            province,
            city,
            address,
            goods_types,
            service_modes,
            data_source,
            status,
            uscc,
            id_number,
            notes,
            tags,
            custom_fields,
        }),
        _ => Err(AppError::Validation(e)),
    }
}

fn apply(am: &mut customer::ActiveModel, d: &Draft, app: &App) {
    am.name = Set(d.name.clone());
    am.short_name = Set(d.short_name.clone());
    am.name_norm = Set(search::normalize_name(&d.name));
    am.kind = Set(d.kind.as_str().into());
    am.gov_level = Set(d.gov_level.map(|g| g.as_str().into()));
    am.industry = Set(d.industry.clone());
    am.province = Set(d.province.clone());
    am.city = Set(d.city.clone());
    am.address = Set(d.address.clone());
    am.goods_types = Set(d.goods_types.clone());
    am.service_modes = Set(join_modes(&d.service_modes));
    am.data_source = Set(d.data_source.as_str().into());
    am.status = Set(d.status.as_str().into());
    am.uscc = Set(d.uscc.clone());
    am.id_number_enc = Set(d.id_number.as_deref().map(|v| app.vault.encrypt(v)));
    am.notes = Set(d.notes.clone());
    am.custom_fields = Set(serde_json::to_string(&d.custom_fields).unwrap_or_else(|_| "{}".into()));
}

fn search_keys(d: &Draft) -> Vec<String> {
    search::customer_keys(&d.name, d.short_name.as_deref())
}

/// Setting holding the search-key scheme the stored keys were built with.
const KEYS_VERSION_SETTING: &str = "search.keys_version";

/// Rebuilds every customer's search keys when they were built by an older scheme
/// (`search::KEYS_VERSION`); a no-op otherwise. Runs at start-up, in batches of 1,000
/// customers per transaction; returns how many customers were re-indexed.
pub async fn reindex_if_needed(app: &App) -> Result<u64> {
    let current = search::KEYS_VERSION.to_string();
    let stored = consign_store::settings::get(&app.db.conn, KEYS_VERSION_SETTING).await?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(0);
    }
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch = repo::key_sources(&app.db.conn, after, 1000).await?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        let keys: Vec<(i64, Vec<String>)> = batch
            .iter()
            .map(|c| {
                let mut k = search::customer_keys(&c.name, c.short_name.as_deref());
                if c.archived {
                    for key in &mut k {
                        key.insert(0, 'x');
                    }
                }
                (c.id, k)
            })
            .collect();
        let txn = app.db.begin_write().await?;
        repo::delete_search_keys_between(&txn, first.id, last.id).await?;
        let refs: Vec<(i64, &[String])> = keys.iter().map(|(id, k)| (*id, k.as_slice())).collect();
        repo::insert_search_keys(&txn, &refs).await?;
        txn.commit().await?;
        done += batch.len() as u64;
        after = last.id;
    }
    consign_store::settings::set(&app.db.conn, KEYS_VERSION_SETTING, &current, None).await?;
    Ok(done)
}

/// Checks an owner choice against the actor's role and scope.
async fn resolve_owner(
    app: &App,
    actor: &Actor,
    requested: Option<Option<i64>>,
    current: Option<i64>,
    creating: bool,
) -> Result<Option<i64>> {
    match requested {
        None => Ok(if creating {
            match actor.role {
                Role::AccountManager | Role::Manager => actor.id,
                _ => None,
            }
        } else {
            current
        }),
        Some(req) if req == current && !creating => Ok(current),
        Some(req) => {
            if !actor.role.can_assign_owner() {
                // An account manager may only own its own customers.
                if creating && req == actor.id {
                    return Ok(req);
                }
                return Err(AppError::field("owner_id", "err.owner_out_of_scope"));
            }
            if let Some(uid) = req {
                let allowed = crate::users::assignable_owners(app, actor).await?;
                if !allowed.iter().any(|u| u.id == uid) {
                    let exists = users_repo::user(&app.db.conn, uid).await?.is_some();
                    return Err(AppError::field(
                        "owner_id",
                        if exists {
                            "err.owner_out_of_scope"
                        } else {
                            "err.unknown_user"
                        },
                    ));
                }
            }
            Ok(req)
        }
    }
}

// ---- duplicates ----

/// Likely duplicates of a prospective customer: same USCC, same contact phone, same or
/// near-same name. `exclude` leaves out the customer itself on edit.
/// A name bigram held by this many customers is too common to suggest a near-duplicate.
const COMMON_BIGRAM_AT: u32 = 1000;

///
/// Customers outside the actor's scope are not named: such a hit keeps its reasons (a
/// duplicate still blocks a create) but has no id, code, name or owner (`hidden`).
pub async fn find_duplicates(
    app: &App,
    actor: &Actor,
    name: &str,
    uscc: Option<&str>,
    phones: &[String],
    exclude: Option<i64>,
) -> Result<Vec<DuplicateHit>> {
    use repo::DupReason;
    let norm = search::normalize_name(name);
    // Near-same: candidates sharing most name bigrams, then a similarity check.
    let grams: Vec<String> = {
        let chars: Vec<char> = norm.chars().collect();
        let mut g: Vec<String> = chars
            .windows(2)
            .map(|w| format!("c:{}{}", w[0], w[1]))
            .collect();
        g.sort();
        g.dedup();
        if g.len() < 2 {
            g.clear();
        }
        g
    };
    let mut hashes: Vec<String> = phones.iter().map(|p| app.vault.phone_hash(p)).collect();
    hashes.sort();
    hashes.dedup();
    let rows = repo::duplicate_candidates(
        &app.db.conn,
        uscc,
        &hashes,
        Some(norm.as_str()).filter(|n| !n.is_empty()),
        &grams,
        COMMON_BIGRAM_AT,
    )
    .await?;
    let mut hits: BTreeMap<i64, DuplicateHit> = BTreeMap::new();
    for r in rows {
        if Some(r.id) == exclude {
            continue;
        }
        let reason = match r.reason() {
            DupReason::Uscc => "customer.duplicate_reason.uscc",
            DupReason::Phone => "customer.duplicate_reason.phone",
            DupReason::Name => "customer.duplicate_reason.name",
            DupReason::SimilarCandidate => {
                // Only when nothing stronger names it, and the names are close enough.
                if hits.contains_key(&r.id) || search::name_similarity(&norm, &r.name_norm) < 0.75 {
                    continue;
                }
                "customer.duplicate_reason.similar_name"
            }
        };
        let hit = hits.entry(r.id).or_insert_with(|| DuplicateHit {
            reasons: vec![],
            hidden: false,
            owner_name: r.owner_name.clone(),
            owner_id: r.owner_id,
            id: r.id,
            code: r.code.clone(),
            name: r.name.clone(),
        });
        if !hit.reasons.contains(&reason) {
            hit.reasons.push(reason);
        }
    }
    let vis = visibility(app, actor).await?;
    let hits: Vec<DuplicateHit> = hits
        .into_values()
        .map(|h| {
            if owner_visible(&vis, h.owner_id) {
                h
            } else {
                DuplicateHit {
                    id: 0,
                    code: String::new(),
                    name: String::new(),
                    owner_name: None,
                    owner_id: None,
                    reasons: h.reasons,
                    hidden: true,
                }
            }
        })
        .collect();
    Ok(hits)
}

// ---- writing ----

/// A contact given together with a new customer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: Option<bool>,
}

struct ContactDraft {
    name: String,
    title: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    wechat: Option<String>,
    is_primary: bool,
}

fn validate_contact(
    input: &ContactInput,
    base: Option<&(contact::Model, Option<String>, Option<String>)>,
    prefix: &str,
) -> Result<ContactDraft, FieldErrors> {
    let mut e = FieldErrors::new();
    let f = |n: &str| format!("{prefix}{n}");
    let pick = |new: &Option<String>, old: Option<&str>| {
        new.clone().unwrap_or_else(|| old.unwrap_or("").to_string())
    };
    let b = base.map(|(m, _, _)| m);
    let name = e.check(
        &f("name"),
        required_text(&pick(&input.name, b.map(|m| m.name.as_str())), 40),
    );
    let title = e
        .check(
            &f("title"),
            optional_text(&pick(&input.title, b.and_then(|m| m.title.as_deref())), 40),
        )
        .flatten();
    let phone_s = pick(&input.phone, base.and_then(|(_, p, _)| p.as_deref()));
    let phone = if phone_s.trim().is_empty() {
        None
    } else {
        e.check(&f("phone"), validate::phone(&phone_s))
    };
    let email_s = pick(&input.email, base.and_then(|(_, _, m)| m.as_deref()));
    let email = if email_s.trim().is_empty() {
        None
    } else {
        e.check(&f("email"), validate::email(&email_s))
    };
    let wechat = e
        .check(
            &f("wechat"),
            optional_text(
                &pick(&input.wechat, b.and_then(|m| m.wechat.as_deref())),
                40,
            ),
        )
        .flatten();
    let is_primary = input.is_primary.unwrap_or(b.is_some_and(|m| m.is_primary));
    if !e.is_empty() {
        return Err(e);
    }
    match name {
        Some(name) => Ok(ContactDraft {
            name,
            title,
            phone,
            email,
            wechat,
            is_primary,
        }),
        None => Err(e),
    }
}

fn contact_audit(d: &ContactDraft) -> serde_json::Value {
    serde_json::json!({
        "name": d.name, "title": d.title,
        "phone": d.phone.as_deref().map(mask::phone),
        "email": d.email.as_deref().map(mask::email),
        "wechat": d.wechat, "is_primary": d.is_primary,
    })
}

/// A new customer with its first contacts.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub customer: CustomerInput,
    pub contacts: Vec<ContactInput>,
}

pub async fn create(app: &App, actor: &Actor, input: &NewCustomer) -> Result<CustomerDetail> {
    if !actor.role.can_edit_customers() {
        return Err(AppError::Forbidden);
    }
    let c = &input.customer;
    let mut errs = FieldErrors::new();
    let code = match c.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => errs.check("code", validate::customer_code(code)),
        None => None,
    };
    let draft = match validate_input(c, None) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    let mut contacts = Vec::new();
    for (i, k) in input.contacts.iter().enumerate() {
        match validate_contact(k, None, &format!("contacts[{i}].")) {
            Ok(d) => contacts.push(d),
            Err(e) => errs.0.extend(e.0),
        }
    }
    let owner = match resolve_owner(app, actor, c.owner_id, None, true).await {
        Ok(o) => o,
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    errs.clone().into_result()?;
    let Some(draft) = draft else {
        return Err(AppError::Validation(errs));
    };
    if let Some(code) = &code {
        if repo::find_by_code(&app.db.conn, code).await?.is_some() {
            return Err(AppError::Conflict {
                field: "code".into(),
                code: "err.duplicate_code",
            });
        }
    }
    if !c.confirm_duplicates {
        let phones: Vec<String> = contacts.iter().filter_map(|k| k.phone.clone()).collect();
        let hits = find_duplicates(
            app,
            actor,
            &draft.name,
            draft.uscc.as_deref(),
            &phones,
            None,
        )
        .await?;
        if !hits.is_empty() {
            return Err(AppError::Duplicates(hits));
        }
    }
    let created = write_new(
        app,
        CreateJob {
            actor: actor.clone(),
            code,
            draft,
            owner,
            contacts,
        },
    )
    .await?;
    get(app, actor, created).await
}

// ---- group commit of creates ----

/// New customers waiting to be written. Concurrent creates are written together: one
/// transaction and one statement per table for all of them (group commit). The first
/// create to get the leader lock writes everything queued until then; the others find
/// their customer already written when their turn comes.
#[derive(Default)]
pub struct CreateQueue {
    pending: std::sync::Mutex<Vec<(CreateJob, oneshot::Sender<Result<i64>>)>>,
    leader: tokio::sync::Mutex<()>,
}

/// Creates per transaction at most.
const MAX_BATCH: usize = 64;
/// Prospects an import creates, per group of statements.
const PROSPECT_BATCH: usize = 500;

struct CreateJob {
    actor: Actor,
    code: Option<String>,
    draft: Draft,
    owner: Option<i64>,
    contacts: Vec<ContactDraft>,
}

/// Writes a validated new customer (queued with concurrent creates) and returns its id.
async fn write_new(app: &App, job: CreateJob) -> Result<i64> {
    let (tx, rx) = oneshot::channel();
    let app = app.clone();
    // A task of its own: a client that goes away must not cancel a batch holding others'
    // customers.
    tokio::spawn(async move {
        let q = &app.creates;
        lock(&q.pending).push((job, tx));
        let _leader = q.leader.lock().await;
        let batch = std::mem::take(&mut *lock(&q.pending));
        let mut rest = batch.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<_> = rest.by_ref().take(MAX_BATCH).collect();
            write_batch(&app, chunk).await;
        }
    });
    rx.await
        .map_err(|_| AppError::internal("customer create was not written"))?
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn write_batch(app: &App, jobs: Vec<(CreateJob, oneshot::Sender<Result<i64>>)>) {
    if jobs.len() > 1 {
        let (js, txs): (Vec<CreateJob>, Vec<_>) = jobs.into_iter().unzip();
        match insert_customers(app, &js).await {
            Ok(ids) => {
                for (tx, id) in txs.into_iter().zip(ids) {
                    let _ = tx.send(Ok(id));
                }
            }
            // One bad create (a code taken twice in the batch, say) must not fail the
            // others: each on its own, so each gets its own answer.
            Err(_) => {
                for (job, tx) in js.into_iter().zip(txs) {
                    let _ = tx.send(insert_one(app, &job).await);
                }
            }
        }
    } else {
        for (job, tx) in jobs {
            let _ = tx.send(insert_one(app, &job).await);
        }
    }
}

/// One create in its own transaction, taking the next generated code on a collision.
async fn insert_one(app: &App, job: &CreateJob) -> Result<i64> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match insert_customers(app, std::slice::from_ref(job)).await {
            // A generated code can collide with a concurrent writer on PostgreSQL: take the next.
            Err(AppError::Store(consign_store::StoreError::Unique(_)))
                if job.code.is_none() && attempts < 5 =>
            {
                continue
            }
            Err(AppError::Store(consign_store::StoreError::Unique(_))) => {
                return Err(AppError::Conflict {
                    field: "code".into(),
                    code: "err.duplicate_code",
                })
            }
            other => return other?.pop().ok_or(AppError::NotFound),
        }
    }
}

/// Writes new customers with their keys, tags, contacts and audit entries in one
/// transaction, one statement per table for the dependants.
async fn insert_customers(app: &App, jobs: &[CreateJob]) -> Result<Vec<i64>> {
    let txn = app.db.begin_write().await?;
    let created = insert_customers_in(app, &txn, jobs, Utc::now()).await?;
    txn.commit().await?;
    Ok(created)
}

/// Customers first seen in operations data (an import was told to create them), as
/// prospects, in the caller's transaction: `(code, name)` in, ids out, in order.
pub(crate) async fn create_prospects<C: ConnectionTrait + 'static>(
    app: &App,
    conn: &C,
    actor: &Actor,
    new: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let jobs: Vec<CreateJob> = new
        .iter()
        .map(|(code, name)| CreateJob {
            actor: actor.clone(),
            code: Some(code.clone()),
            draft: Draft {
                name: name.clone(),
                short_name: None,
                kind: CustomerKind::Enterprise,
                gov_level: None,
                industry: None,
                province: None,
                city: None,
                address: None,
                goods_types: None,
                service_modes: Vec::new(),
                data_source: DataSource::Internal,
                status: CustomerStatus::Prospect,
                uscc: None,
                id_number: None,
                notes: None,
                tags: Vec::new(),
                custom_fields: BTreeMap::new(),
            },
            owner: None,
            contacts: Vec::new(),
        })
        .collect();
    // In groups: each group's customers, keys and audit entries go in a few statements.
    let mut ids = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(PROSPECT_BATCH) {
        ids.extend(insert_customers_in(app, conn, chunk, now).await?);
    }
    Ok(ids)
}

async fn insert_customers_in<C: ConnectionTrait + 'static>(
    app: &App,
    txn: &C,
    jobs: &[CreateJob],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    // Generated inside the write transaction, so writers of this process never collide.
    let mut next_generated: Option<u64> = None;
    let mut models = Vec::with_capacity(jobs.len());
    for job in jobs {
        let code = match &job.code {
            Some(c) => c.clone(),
            None => {
                let n = match next_generated {
                    Some(n) => n,
                    None => repo::next_generated_code(txn).await?[2..]
                        .parse::<u64>()
                        .map_err(AppError::from_err)?,
                };
                next_generated = Some(n + 1);
                format!("KH{n:06}")
            }
        };
        let mut am = customer::ActiveModel {
            code: Set(code),
            owner_id: Set(job.owner),
            archived_at: Set(None),
            merged_into_id: Set(None),
            pool_since: Set(if job.owner.is_none() { Some(now) } else { None }),
            last_interaction_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        apply(&mut am, &job.draft, app);
        models.push(am);
    }
    let created = repo::insert_many(txn, models).await?;
    // New rows have no keys or tags to replace: insert only.
    let keys: Vec<Vec<String>> = jobs.iter().map(|j| search_keys(&j.draft)).collect();
    let key_rows: Vec<(i64, &[String])> = created
        .iter()
        .zip(&keys)
        .map(|(m, k)| (m.id, k.as_slice()))
        .collect();
    repo::insert_new_search_keys(txn, &key_rows).await?;
    let tag_rows: Vec<(i64, &[String])> = created
        .iter()
        .zip(jobs)
        .map(|(m, j)| (m.id, j.draft.tags.as_slice()))
        .collect();
    repo::add_tags_many(txn, &tag_rows).await?;
    let mut contacts = Vec::new();
    for (m, job) in created.iter().zip(jobs) {
        let mut primary_set = false;
        let any_primary = job.contacts.iter().any(|x| x.is_primary);
        for (i, k) in job.contacts.iter().enumerate() {
            let primary = k.is_primary && !primary_set || (i == 0 && !any_primary);
            primary_set |= primary;
            contacts.push(contact_model(app, m.id, k, primary, now));
        }
    }
    repo::insert_contacts_many(txn, contacts).await?;
    audit::record_many(
        txn,
        created
            .iter()
            .zip(jobs)
            .map(|(m, j)| {
                (
                    &j.actor,
                    Entry {
                        action: "customer.create",
                        entity_type: "customer",
                        entity_id: m.id.to_string(),
                        customer_id: Some(m.id),
                        summary: Some(format!("{} {}", m.code, m.name)),
                        before: None,
                        after: Some(audit_json(m, &j.draft.tags)),
                    },
                )
            })
            .collect(),
    )
    .await?;
    Ok(created.iter().map(|m| m.id).collect())
}

fn contact_model(
    app: &App,
    customer_id: i64,
    k: &ContactDraft,
    primary: bool,
    now: DateTime<Utc>,
) -> contact::ActiveModel {
    contact::ActiveModel {
        customer_id: Set(customer_id),
        name: Set(k.name.clone()),
        title: Set(k.title.clone()),
        phone_enc: Set(app.vault.encrypt_opt(k.phone.as_deref())),
        phone_hash: Set(k.phone.as_deref().map(|p| app.vault.phone_hash(p))),
        email_enc: Set(app.vault.encrypt_opt(k.email.as_deref())),
        wechat: Set(k.wechat.clone()),
        is_primary: Set(primary),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn insert_contact_row<C: ConnectionTrait>(
    conn: &C,
    app: &App,
    customer_id: i64,
    k: &ContactDraft,
    primary: bool,
) -> Result<contact::Model> {
    Ok(repo::insert_contact(
        conn,
        contact_model(app, customer_id, k, primary, Utc::now()),
    )
    .await?)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &CustomerInput,
) -> Result<CustomerDetail> {
    let (c, _) = load_visible(app, actor, id).await?;
    let perms = permissions(actor, &c);
    if c.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    if !perms.edit {
        return Err(AppError::Forbidden);
    }
    let tags_before = repo::tags_of(&app.db.conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let id_number = app.vault.decrypt_opt(c.id_number_enc.as_deref())?;
    let mut errs = FieldErrors::new();
    let new_code = match input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => errs.check("code", validate::customer_code(code)),
        None => None,
    };
    let draft = match validate_input(input, Some((&c, &tags_before, id_number))) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    let owner = match resolve_owner(app, actor, input.owner_id, c.owner_id, false).await {
        Ok(o) => o,
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    errs.clone().into_result()?;
    let Some(draft) = draft else {
        return Err(AppError::Validation(errs));
    };
    if let Some(code) = &new_code {
        if code != &c.code && repo::find_by_code(&app.db.conn, code).await?.is_some() {
            return Err(AppError::Conflict {
                field: "code".into(),
                code: "err.duplicate_code",
            });
        }
    }
    let before = audit_json(&c, &tags_before);
    let now = Utc::now();
    let owner_changed = owner != c.owner_id;
    let txn = app.db.begin_write().await?;
    let mut am: customer::ActiveModel = c.clone().into();
    apply(&mut am, &draft, app);
    if let Some(code) = new_code {
        am.code = Set(code);
    }
    if owner_changed {
        am.owner_id = Set(owner);
        am.pool_since = Set(if owner.is_none() { Some(now) } else { None });
        if owner.is_some() {
            am.last_interaction_at = Set(Some(now));
        }
    }
    am.updated_at = Set(now);
    let m = repo::update(&txn, am).await.map_err(|e| match e {
        consign_store::StoreError::Unique(_) => AppError::Conflict {
            field: "code".into(),
            code: "err.duplicate_code",
        },
        other => other.into(),
    })?;
    repo::set_search_keys(&txn, id, &search_keys(&draft)).await?;
    repo::set_tags(&txn, id, &draft.tags).await?;
    let after = audit_json(&m, &draft.tags);
    if before != after {
        audit::record(
            &txn,
            actor,
            Entry {
                action: if owner_changed {
                    "customer.assign"
                } else {
                    "customer.update"
                },
                entity_type: "customer",
                entity_id: id.to_string(),
                customer_id: Some(id),
                summary: Some(format!("{} {}", m.code, m.name)),
                before: Some(before),
                after: Some(after),
            },
        )
        .await?;
    }
    txn.commit().await?;
    get(app, actor, id).await
}

/// Archive / restore / release / claim: one state change with its audit row.
async fn transition(
    app: &App,
    actor: &Actor,
    id: i64,
    action: &'static str,
) -> Result<CustomerDetail> {
    let (c, _) = load_visible(app, actor, id).await?;
    let perms = permissions(actor, &c);
    let now = Utc::now();
    let tags = repo::tags_of(&app.db.conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let before = audit_json(&c, &tags);
    let mut am: customer::ActiveModel = c.clone().into();
    match action {
        "customer.archive" => {
            if c.archived_at.is_some() {
                return get(app, actor, id).await;
            }
            if !perms.edit {
                return Err(AppError::Forbidden);
            }
            am.archived_at = Set(Some(now));
        }
        "customer.restore" => {
            if c.archived_at.is_none() {
                return get(app, actor, id).await;
            }
            let may = match actor.role {
                Role::Admin | Role::Manager => true,
                Role::AccountManager => c.owner_id == actor.id,
                _ => false,
            };
            if !may || c.merged_into_id.is_some() {
                return Err(AppError::Forbidden);
            }
            am.archived_at = Set(None);
        }
        "customer.release" => {
            if c.archived_at.is_some() {
                return Err(AppError::field("archived", "err.archived"));
            }
            if !perms.release {
                return Err(AppError::Forbidden);
            }
            am.owner_id = Set(None);
            am.pool_since = Set(Some(now));
        }
        "customer.claim" => {
            if c.archived_at.is_some() {
                return Err(AppError::field("archived", "err.archived"));
            }
            if c.owner_id.is_some() {
                return Err(AppError::Conflict {
                    field: "owner_id".into(),
                    code: "err.not_in_pool",
                });
            }
            if !perms.claim {
                return Err(AppError::Forbidden);
            }
            am.owner_id = Set(actor.id);
            am.pool_since = Set(None);
            am.last_interaction_at = Set(Some(now));
        }
        _ => return Err(AppError::internal(format!("unknown transition {action}"))),
    }
    am.updated_at = Set(now);
    let txn = app.db.begin_write().await?;
    match action {
        "customer.archive" => repo::set_archived_keys(&txn, id, true).await?,
        "customer.restore" => repo::set_archived_keys(&txn, id, false).await?,
        _ => {}
    }
    let m = if action == "customer.claim" {
        // Claim only if still in the pool: two managers clicking at once get one winner.
        let r = txn
            .execute(consign_store::customers::stmt(
                txn.get_database_backend(),
                "UPDATE customers SET owner_id = ?, pool_since = NULL, last_interaction_at = ?, updated_at = ? WHERE id = ? AND owner_id IS NULL",
                vec![actor.id.into(), now.into(), now.into(), id.into()],
            ))
            .await?;
        if r.rows_affected() == 0 {
            return Err(AppError::Conflict {
                field: "owner_id".into(),
                code: "err.not_in_pool",
            });
        }
        repo::find(&txn, id).await?.ok_or(AppError::NotFound)?
    } else {
        repo::update(&txn, am).await?
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(format!("{} {}", m.code, m.name)),
            before: Some(before),
            after: Some(audit_json(&m, &tags)),
        },
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}

pub async fn archive(app: &App, actor: &Actor, id: i64) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.archive").await
}
pub async fn restore(app: &App, actor: &Actor, id: i64) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.restore").await
}
pub async fn release(app: &App, actor: &Actor, id: i64) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.release").await
}
pub async fn claim(app: &App, actor: &Actor, id: i64) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.claim").await
}

/// Merges `from` into `into`: every record of `from` moves, `from` is archived and
/// points at `into`; both customers' timelines record it.
pub async fn merge(app: &App, actor: &Actor, from: i64, into: i64) -> Result<CustomerDetail> {
    if !actor.role.can_merge() {
        return Err(AppError::Forbidden);
    }
    if from == into {
        return Err(AppError::field("into_id", "err.merge_self"));
    }
    let (src, _) = load_visible(app, actor, from).await?;
    let dst = match load_visible(app, actor, into).await {
        Ok((d, _)) if d.archived_at.is_none() => d,
        Ok(_) | Err(AppError::NotFound) => {
            return Err(AppError::field("into_id", "err.merge_target_missing"))
        }
        Err(e) => return Err(e),
    };
    if src.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    let now = Utc::now();
    let conn = &app.db.conn;
    let src_tags = repo::tags_of(conn, &[from])
        .await?
        .remove(&from)
        .unwrap_or_default();
    let dst_tags = repo::tags_of(conn, &[into])
        .await?
        .remove(&into)
        .unwrap_or_default();
    let txn = app.db.begin_write().await?;
    repo::move_records(&txn, from, into).await?;
    repo::set_archived_keys(&txn, from, true).await?;
    let mut am: customer::ActiveModel = src.clone().into();
    am.archived_at = Set(Some(now));
    am.merged_into_id = Set(Some(into));
    am.updated_at = Set(now);
    let src_after = repo::update(&txn, am).await?;
    let mut dam: customer::ActiveModel = dst.clone().into();
    dam.updated_at = Set(now);
    // The kept customer inherits what it lacked.
    if dst.uscc.is_none() && src.uscc.is_some() {
        dam.uscc = Set(src.uscc.clone());
    }
    if dst.owner_id.is_none() && src.owner_id.is_some() {
        dam.owner_id = Set(src.owner_id);
        dam.pool_since = Set(None);
    }
    let dst_after = repo::update(&txn, dam).await?;
    let mut merged_tags = dst_tags.clone();
    for t in &src_tags {
        if !merged_tags.contains(t) {
            merged_tags.push(t.clone());
        }
    }
    merged_tags.sort();
    let summary = format!("{} {} → {} {}", src.code, src.name, dst.code, dst.name);
    audit::record(
        &txn,
        actor,
        Entry {
            action: "customer.merge",
            entity_type: "customer",
            entity_id: from.to_string(),
            customer_id: Some(from),
            summary: Some(summary.clone()),
            before: Some(audit_json(&src, &src_tags)),
            after: Some(audit_json(&src_after, &[])),
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "customer.merged_from",
            entity_type: "customer",
            entity_id: into.to_string(),
            customer_id: Some(into),
            summary: Some(summary),
            before: Some(audit_json(&dst, &dst_tags)),
            after: Some(audit_json(&dst_after, &merged_tags)),
        },
    )
    .await?;
    txn.commit().await?;
    get(app, actor, into).await
}

// ---- contacts ----

async fn editable_for_contacts(
    app: &App,
    actor: &Actor,
    customer_id: i64,
) -> Result<customer::Model> {
    let (c, _) = load_visible(app, actor, customer_id).await?;
    if c.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    if !permissions(actor, &c).edit_contacts {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

pub async fn add_contact(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    input: &ContactInput,
) -> Result<ContactView> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let d = validate_contact(input, None, "")?;
    let existing = repo::contacts_of(&app.db.conn, customer_id).await?;
    let primary = d.is_primary || existing.is_empty();
    let txn = app.db.begin_write().await?;
    let k = insert_contact_row(&txn, app, customer_id, &d, primary).await?;
    if primary {
        repo::clear_primary(&txn, customer_id, k.id).await?;
    }
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.create",
            entity_type: "contact",
            entity_id: k.id.to_string(),
            customer_id: Some(customer_id),
            summary: Some(k.name.clone()),
            before: None,
            after: Some(contact_audit(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&(&k).into(), app))
}

async fn touch<C: ConnectionTrait>(conn: &C, c: &customer::Model) -> Result<()> {
    let mut am: customer::ActiveModel = c.clone().into();
    am.updated_at = Set(Utc::now());
    repo::update(conn, am).await?;
    Ok(())
}

async fn load_contact(app: &App, customer_id: i64, contact_id: i64) -> Result<contact::Model> {
    match repo::find_contact(&app.db.conn, contact_id).await? {
        Some(k) if k.customer_id == customer_id => Ok(k),
        _ => Err(AppError::NotFound),
    }
}

pub async fn update_contact(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    contact_id: i64,
    input: &ContactInput,
) -> Result<ContactView> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let k = load_contact(app, customer_id, contact_id).await?;
    let phone = app.vault.decrypt_opt(k.phone_enc.as_deref())?;
    let email = app.vault.decrypt_opt(k.email_enc.as_deref())?;
    let before_draft = ContactDraft {
        name: k.name.clone(),
        title: k.title.clone(),
        phone: phone.clone(),
        email: email.clone(),
        wechat: k.wechat.clone(),
        is_primary: k.is_primary,
    };
    let base = (k.clone(), phone, email);
    let d = validate_contact(input, Some(&base), "")?;
    let txn = app.db.begin_write().await?;
    let mut am: contact::ActiveModel = k.into();
    am.name = Set(d.name.clone());
    am.title = Set(d.title.clone());
    am.phone_enc = Set(app.vault.encrypt_opt(d.phone.as_deref()));
    am.phone_hash = Set(d.phone.as_deref().map(|p| app.vault.phone_hash(p)));
    am.email_enc = Set(app.vault.encrypt_opt(d.email.as_deref()));
    am.wechat = Set(d.wechat.clone());
    am.is_primary = Set(d.is_primary);
    am.updated_at = Set(Utc::now());
    let k = repo::update_contact(&txn, am).await?;
    if d.is_primary {
        repo::clear_primary(&txn, customer_id, k.id).await?;
    }
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.update",
            entity_type: "contact",
            entity_id: k.id.to_string(),
            customer_id: Some(customer_id),
            summary: Some(k.name.clone()),
            before: Some(contact_audit(&before_draft)),
            after: Some(contact_audit(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&(&k).into(), app))
}

pub async fn delete_contact(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    contact_id: i64,
) -> Result<()> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let k = load_contact(app, customer_id, contact_id).await?;
    let txn = app.db.begin_write().await?;
    repo::delete_contact(&txn, contact_id).await?;
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.delete",
            entity_type: "contact",
            entity_id: contact_id.to_string(),
            customer_id: Some(customer_id),
            summary: Some(k.name.clone()),
            before: Some(serde_json::json!({"name": k.name, "title": k.title})),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Personal data in clear, for one contact or the customer's ID number; audited.
#[derive(Debug, Clone, Serialize)]
pub struct Revealed {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub id_number: Option<String>,
}

pub async fn reveal(
    app: &App,
    actor: &Actor,
    customer_id: i64,
    contact_id: Option<i64>,
) -> Result<Revealed> {
    let (c, _) = load_visible(app, actor, customer_id).await?;
    if !permissions(actor, &c).unmask {
        return Err(AppError::Forbidden);
    }
    let (revealed, entity_type, entity_id, fields) = match contact_id {
        Some(kid) => {
            let k = load_contact(app, customer_id, kid).await?;
            let r = Revealed {
                phone: app.vault.decrypt_opt(k.phone_enc.as_deref())?,
                email: app.vault.decrypt_opt(k.email_enc.as_deref())?,
                id_number: None,
            };
            (r, "contact", kid.to_string(), vec!["phone", "email"])
        }
        None => (
            Revealed {
                phone: None,
                email: None,
                id_number: app.vault.decrypt_opt(c.id_number_enc.as_deref())?,
            },
            "customer",
            customer_id.to_string(),
            vec!["id_number"],
        ),
    };
    audit::record(
        &app.db.conn,
        actor,
        Entry {
            action: "pii.reveal",
            entity_type,
            entity_id,
            customer_id: Some(customer_id),
            summary: Some(fields.join(",")),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(revealed)
}

/// The customer's activity: its audit entries and those of customers merged into it.
pub async fn timeline(
    app: &App,
    actor: &Actor,
    id: i64,
    page: u64,
) -> Result<(Vec<AuditView>, u64)> {
    load_visible(app, actor, id).await?;
    let mut ids = repo::merged_into(&app.db.conn, id).await?;
    ids.push(id);
    let (rows, total) = consign_store::audit::list(
        &app.db.conn,
        &consign_store::audit::AuditFilter {
            customer_ids: Some(ids),
            page: page.max(1),
            per_page: 30,
            ..Default::default()
        },
    )
    .await?;
    Ok((rows.into_iter().map(audit::view).collect(), total))
}

// ---- pool policy and reclaim ----

pub const POLICY_RECLAIM_DAYS: &str = "policy.pool_reclaim_days";

pub async fn reclaim_days(app: &App) -> Result<i64> {
    Ok(
        consign_store::settings::get(&app.db.conn, POLICY_RECLAIM_DAYS)
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(app.settings.pool_reclaim_days),
    )
}

pub async fn set_reclaim_days(app: &App, actor: &Actor, days: &str) -> Result<i64> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let d: i64 = days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| AppError::field("pool_reclaim_days", "err.invalid_number"))?;
    let before = reclaim_days(app).await?;
    let txn = app.db.begin_write().await?;
    consign_store::settings::set(&txn, POLICY_RECLAIM_DAYS, &d.to_string(), actor.id).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "settings.update",
            entity_type: "setting",
            entity_id: POLICY_RECLAIM_DAYS.into(),
            customer_id: None,
            summary: None,
            before: Some(serde_json::json!({"pool_reclaim_days": before})),
            after: Some(serde_json::json!({"pool_reclaim_days": d})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(d)
}

/// Returns to the pool every customer whose owner logged no interaction for the policy's
/// number of days. Idempotent; run by the background job.
pub async fn reclaim_stale(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let days = reclaim_days(app).await?;
    let actor = Actor::system("pool-reclaim");
    let stale = repo::stale_owned(&app.db.conn, now - Duration::days(days), 500).await?;
    let n = stale.len();
    let ids: Vec<i64> = stale.iter().map(|c| c.id).collect();
    let mut all_tags = repo::tags_of(&app.db.conn, &ids).await?;
    for c in stale {
        let tags = all_tags.remove(&c.id).unwrap_or_default();
        let before = audit_json(&c, &tags);
        let txn = app.db.begin_write().await?;
        let mut am: customer::ActiveModel = c.clone().into();
        am.owner_id = Set(None);
        am.pool_since = Set(Some(now));
        am.updated_at = Set(now);
        let m = repo::update(&txn, am).await?;
        audit::record(
            &txn,
            &actor,
            Entry {
                action: "customer.reclaim",
                entity_type: "customer",
                entity_id: c.id.to_string(),
                customer_id: Some(c.id),
                summary: Some(format!("{} {} ({days})", m.code, m.name)),
                before: Some(before),
                after: Some(audit_json(&m, &tags)),
            },
        )
        .await?;
        txn.commit().await?;
    }
    Ok(n)
}

/// A customer named in an operations record: by id, or else by code.
#[derive(Debug, Clone, Copy)]
pub struct CustomerRefIn<'a> {
    pub id: Option<i64>,
    pub code: &'a str,
}

/// Resolves each reference to (id, code, name) when that customer exists and the actor
/// may see it; `None` otherwise (the caller reports it as an unknown customer, so that
/// customers outside the scope are not revealed).
pub async fn resolve_refs(
    app: &App,
    actor: &Actor,
    refs: &[CustomerRefIn<'_>],
) -> Result<Vec<Option<(i64, String, String)>>> {
    let codes: Vec<&str> = refs
        .iter()
        .filter(|r| r.id.is_none() && !r.code.is_empty())
        .map(|r| r.code)
        .collect();
    let by_code = repo::ids_by_code(&app.db.conn, &codes).await?;
    let vis = visibility(app, actor).await?;
    let mut seen: HashMap<i64, Option<(String, String)>> = HashMap::new();
    let mut out = Vec::with_capacity(refs.len());
    for r in refs {
        let Some(cid) = r.id.or_else(|| by_code.get(r.code).copied()) else {
            out.push(None);
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(cid) {
            slot.insert(match repo::find(&app.db.conn, cid).await? {
                Some(c) if visible(&vis, &c) => Some((c.code, c.name)),
                _ => None,
            });
        }
        out.push(
            seen.get(&cid)
                .and_then(|f| f.clone())
                .map(|(code, name)| (cid, code, name)),
        );
    }
    Ok(out)
}

/// A contact with its personal data decrypted, for comparisons inside the application
/// (imports deciding whether a row changes anything); never shown as such.
pub(crate) struct ContactFull {
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
}

pub(crate) async fn contact_in_full(
    app: &App,
    customer_id: i64,
    contact_id: i64,
) -> Result<ContactFull> {
    let k = load_contact(app, customer_id, contact_id).await?;
    Ok(ContactFull {
        phone: app.vault.decrypt_opt(k.phone_enc.as_deref())?,
        email: app.vault.decrypt_opt(k.email_enc.as_deref())?,
        title: k.title,
        wechat: k.wechat,
        is_primary: k.is_primary,
    })
}
