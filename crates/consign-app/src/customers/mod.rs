//! The customer archive (SPEC §1): create, edit, archive, restore, search, duplicates,
//! merge, the pool, contacts and personal data. Row-level scope is enforced here.

use crate::audit::{self, AuditView, Entry};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::customer::{
    join_modes, split_modes, CustomerCode, CustomerId, CustomerKind, CustomerStatus, DataSource,
    GovLevel, Phone, ServiceMode,
};
use consign_domain::params;
use consign_domain::role::Role;
use consign_domain::search::{self, Query};
use consign_domain::validate::{self, optional_text, required_text};
use consign_domain::{mask, FieldErrors};
use consign_store::customers::{self as repo, CustomerFilter, OwnerFilter, Sort, TextSearch};
use consign_store::entity::{contact, customer};
use consign_store::users as users_repo;
use sea_orm::{ConnectionTrait, Set};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use tokio::sync::oneshot;

/// `null` → Some(None) (clear), absent → None (unchanged).
pub(crate) fn double_option<'de, D: Deserializer<'de>>(
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

/// `owner_id` as the server reads it: a user's id as a number or as text, or null or
/// empty text for none.
fn owner_id_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Integer,
            Type::String,
            Type::Null,
        ]))
        .minimum(Some(i64::MIN as f64))
        .maximum(Some(i64::MAX as f64))
        .pattern(Some(r"^\s*([+-]?[0-9]{1,18})?\s*$"))
        .build()
}

/// What a client sends to create or change a customer. On update, absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// 客户编号: 2–32 of A–Z, 0–9, - and _ (stored upper-case); absent or empty on create: the next number
    pub code: Option<String>,
    /// required on create; at most 100 characters
    pub name: Option<String>,
    pub short_name: Option<String>,
    #[schema(value_type = Option<consign_domain::customer::CustomerKind>)]
    pub kind: Option<String>,
    /// government customers only
    #[schema(value_type = Option<consign_domain::customer::GovLevel>)]
    pub gov_level: Option<String>,
    pub industry: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub goods_types: Option<String>,
    #[schema(value_type = Option<Vec<consign_domain::customer::ServiceMode>>)]
    pub service_modes: Option<Vec<String>>,
    #[schema(value_type = Option<consign_domain::customer::DataSource>)]
    pub data_source: Option<String>,
    /// a user's id; null or empty puts the customer in the pool
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = owner_id_schema)]
    pub owner_id: Option<Option<i64>>,
    #[schema(value_type = Option<consign_domain::customer::CustomerStatus>)]
    pub status: Option<String>,
    /// 统一社会信用代码: 18 characters with its check character
    pub uscc: Option<String>,
    /// resident ID (individuals), 18 characters with its check character; stored encrypted
    pub id_number: Option<String>,
    pub notes: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<BTreeMap<String, String>>,
    /// Create even though likely duplicates exist.
    #[serde(default)]
    pub confirm_duplicates: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Contact)]
pub struct ContactView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    #[schema(value_type = String)]
    pub customer_id: CustomerId,
    pub name: String,
    pub title: Option<String>,
    /// Masked, e.g. 138****5678.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Customer)]
pub struct CustomerView {
    #[schema(value_type = String)]
    pub id: CustomerId,
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
    #[schema(value_type = Option<String>)]
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
    #[schema(value_type = Option<String>)]
    pub merged_into_id: Option<CustomerId>,
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
#[derive(Debug, Clone, Copy, Serialize, Default, utoipa::ToSchema)]
pub struct Permissions {
    pub edit: bool,
    pub edit_contacts: bool,
    pub unmask: bool,
    pub release: bool,
    pub claim: bool,
    pub merge: bool,
    pub assign: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerDetail {
    pub customer: CustomerView,
    pub contacts: Vec<ContactView>,
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateHit {
    /// None when the customer is outside the caller's scope: counted, not named (code,
    /// name and owner empty too).
    pub id: Option<CustomerId>,
    pub code: String,
    pub name: String,
    pub owner_name: Option<String>,
    /// Message keys: customer.duplicate_reason.{uscc,phone,name,similar_name}.
    pub reasons: Vec<&'static str>,
    /// For scope checks by the caller; not part of the API's answer.
    #[serde(skip)]
    pub owner_id: Option<i64>,
}

pub use crate::Page;

/// A list request as it arrives from the UI or the API (all strings, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Chinese substring (2+ characters), full pinyin, pinyin initials, customer code prefix or exact phone
    pub q: Option<String>,
    #[param(inline, value_type = Option<consign_domain::customer::CustomerKind>)]
    pub kind: Option<String>,
    #[param(inline, value_type = Option<consign_domain::customer::CustomerStatus>)]
    pub status: Option<String>,
    /// user id, `me` or `pool`
    #[param(pattern = r"^\s*(me|pool|[+-]?[0-9]+)?\s*$")]
    pub owner: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    #[param(inline, value_type = Option<consign_domain::customer::ServiceMode>)]
    pub service_mode: Option<String>,
    pub tag: Option<String>,
    #[param(inline, value_type = Option<consign_domain::customer::DataSource>)]
    pub data_source: Option<String>,
    /// archived customers instead of live ones
    #[param(inline, value_type = Option<consign_domain::params::Flag>)]
    pub archived: Option<String>,
    /// Classification (the current run): grade, value class, lifecycle, churn warning,
    /// RFM segment and scores.
    #[param(inline, value_type = Option<consign_domain::classify::Grade>)]
    pub grade: Option<String>,
    #[param(inline, value_type = Option<consign_domain::classify::ValueClass>)]
    pub value_class: Option<String>,
    #[param(inline, value_type = Option<consign_domain::classify::Lifecycle>)]
    pub lifecycle: Option<String>,
    /// on the churn warning list
    #[param(inline, value_type = Option<consign_domain::params::Flag>)]
    pub at_risk: Option<String>,
    #[param(inline, value_type = Option<consign_domain::classify::RfmSegment>)]
    pub rfm_segment: Option<String>,
    /// RFM recency score
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5)]
    pub r: Option<String>,
    /// RFM frequency score
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5)]
    pub f: Option<String>,
    /// RFM monetary score
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5)]
    pub m: Option<String>,
    /// default -updated_at; with q, -id (newest first)
    #[param(inline, value_type = Option<CustomerSort>)]
    pub sort: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

/// The orders of the customer list (`sort`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum CustomerSort {
    #[schema(rename = "-updated_at")]
    UpdatedDesc,
    #[schema(rename = "updated_desc")]
    UpdatedDescWord,
    #[schema(rename = "-created_at")]
    CreatedDesc,
    #[schema(rename = "created_desc")]
    CreatedDescWord,
    #[schema(rename = "-id")]
    Newest,
    #[schema(rename = "newest")]
    NewestWord,
    #[schema(rename = "code")]
    Code,
    #[schema(rename = "name")]
    Name,
    #[schema(rename = "value_rank")]
    ValueRank,
    #[schema(rename = "-rfm")]
    RfmDesc,
    #[schema(rename = "rfm")]
    Rfm,
}

pub(crate) fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

// ---- scope (crate::scope, re-exported for the web crate) ----

pub(crate) use crate::scope::{load_visible, visible};
pub use crate::scope::{may_unmask, owner_visible, visibility};
pub use crate::scope::{outside, resolve_refs, visible_customer, CustomerRefIn};

pub(crate) fn permissions(actor: &Actor, c: &customer::Model) -> Permissions {
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

// ---- views ----

pub(crate) fn contact_view(k: &repo::ContactRow, app: &App) -> ContactView {
    ContactView {
        id: k.id,
        customer_id: CustomerId::trusted(k.customer_id),
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
pub(crate) fn views(app: &App, rows: Vec<repo::CustomerRow>) -> Result<Vec<CustomerView>> {
    rows.into_iter()
        .map(|row| {
            let c = row.customer;
            let primary = row.contacts.first().map(|k| contact_view(k, app));
            Ok(CustomerView {
                id: c.cid(),
                owner_name: row.owner_name,
                tags: row.tags,
                kind: AppError::stored("customers.kind", &c.kind, CustomerKind::parse(&c.kind))?,
                gov_level: c.gov_level.as_deref().and_then(GovLevel::parse),
                service_modes: split_modes(&c.service_modes),
                data_source: AppError::stored(
                    "customers.data_source",
                    &c.data_source,
                    DataSource::parse(&c.data_source),
                )?,
                status: AppError::stored(
                    "customers.status",
                    &c.status,
                    CustomerStatus::parse(&c.status),
                )?,
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
                merged_into_id: c.merged_into_id.map(CustomerId::trusted),
                pool_since: c.pool_since,
                last_interaction_at: c.last_interaction_at,
                created_at: c.created_at,
                updated_at: c.updated_at,
                primary_contact: primary,
                class: None,
            })
        })
        .collect()
}

/// What the audit log keeps of a customer: no personal data in clear.
pub(crate) fn audit_json(c: &customer::Model, tags: &[String]) -> serde_json::Value {
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

/// A customer as integrations hear of it (webhooks): its id and what the audit log keeps.
pub(crate) fn webhook_json(c: &customer::Model, tags: &[String]) -> serde_json::Value {
    let mut v = audit_json(c, tags);
    v["id"] = c.id.into();
    v
}

mod reading;
#[allow(unused_imports)]
pub use reading::*;
mod validation;
#[allow(unused_imports)]
pub use validation::*;
mod duplicates;
#[allow(unused_imports)]
pub use duplicates::*;
mod writing;
#[allow(unused_imports)]
pub use writing::*;
mod contacts;
#[allow(unused_imports)]
pub use contacts::*;
mod pool;
#[allow(unused_imports)]
pub use pool::*;
mod page;
pub use page::*;
