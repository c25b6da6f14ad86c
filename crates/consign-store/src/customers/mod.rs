//! The customer archive's tables: customers, contacts, tags and search keys.

use crate::entity::{contact, customer, customer_tag};
use crate::{Result, StoreError};
use consign_domain::customer::CustomerId;
use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Value,
};
use std::collections::HashMap;

use crate::dialect::stmt;

pub use crate::scope::Visibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    UpdatedDesc,
    CreatedDesc,
    /// Newest records first (the order of search results: it walks the index in id order).
    Newest,
    Code,
    Name,
    /// By value rank (best first; unranked last) in the filter's classification run.
    ValueRank,
    /// By R + F + M scores, best first.
    Rfm,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "-updated_at" | "updated_desc" => Some(Sort::UpdatedDesc),
            "-created_at" | "created_desc" => Some(Sort::CreatedDesc),
            "-id" | "newest" => Some(Sort::Newest),
            "code" => Some(Sort::Code),
            "name" => Some(Sort::Name),
            "value_rank" => Some(Sort::ValueRank),
            "-rfm" | "rfm" => Some(Sort::Rfm),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::UpdatedDesc => "-updated_at",
            Sort::CreatedDesc => "-created_at",
            Sort::Newest => "-id",
            Sort::Code => "code",
            Sort::Name => "name",
            Sort::ValueRank => "value_rank",
            Sort::Rfm => "-rfm",
        }
    }
}

/// Owner filter: a specific owner or the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerFilter {
    User(i64),
    Pool,
}

/// A text search already parsed by the domain, plus the keyed hash of a phone number.
#[derive(Debug, Clone, Default)]
pub struct TextSearch {
    pub cjk_keys: Vec<String>,
    /// The CJK keys are single characters, matched as key prefixes.
    pub cjk_prefix: bool,
    pub cjk_text: Option<String>,
    pub ascii_prefix: Option<String>,
    pub phone_hash: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub search: Option<TextSearch>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub owner: Option<OwnerFilter>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub service_mode: Option<String>,
    pub tag: Option<String>,
    pub data_source: Option<String>,
    /// Show archived customers instead of live ones.
    pub archived: bool,
    /// Verdicts of a classification run to match (and sort by).
    pub class: Option<ClassFilter>,
    pub sort: Sort,
    pub page: u64,
    pub per_page: u64,
}

/// Customers whose verdict in run `run_id` matches every field given.
#[derive(Debug, Clone, Default)]
pub struct ClassFilter {
    pub run_id: i64,
    pub grade: Option<String>,
    pub value_class: Option<String>,
    pub lifecycle: Option<String>,
    pub at_risk: Option<bool>,
    pub rfm_segment: Option<String>,
    pub r_score: Option<i32>,
    pub f_score: Option<i32>,
    pub m_score: Option<i32>,
}

impl ClassFilter {
    fn narrows(&self) -> bool {
        self.grade.is_some()
            || self.value_class.is_some()
            || self.lifecycle.is_some()
            || self.at_risk.is_some()
            || self.rfm_segment.is_some()
            || self.r_score.is_some()
            || self.f_score.is_some()
            || self.m_score.is_some()
    }

    /// `customers.id IN (…)` over the run's verdicts, its values bound.
    pub(crate) fn sql(&self) -> Frag {
        let mut w = vec!["k.run_id = ?".to_string()];
        let mut args: Vec<Value> = vec![self.run_id.into()];
        for (col, v) in [
            ("grade", &self.grade),
            ("value_class", &self.value_class),
            ("lifecycle", &self.lifecycle),
            ("rfm_segment", &self.rfm_segment),
        ] {
            if let Some(v) = v {
                w.push(format!("k.{col} = ?"));
                args.push(v.clone().into());
            }
        }
        for (col, v) in [
            ("r_score", self.r_score),
            ("f_score", self.f_score),
            ("m_score", self.m_score),
        ] {
            if let Some(v) = v {
                w.push(format!("k.{col} = ?"));
                args.push(v.into());
            }
        }
        if let Some(b) = self.at_risk {
            w.push("k.at_risk = ?".to_string());
            args.push(b.into());
        }
        Frag::new(
            format!(
                "customers.id IN (SELECT k.customer_id FROM classifications k WHERE {})",
                w.join(" AND ")
            ),
            args,
        )
    }
}

/// A contact as customer views show it (no timestamps).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone_enc: Option<String>,
    pub email_enc: Option<String>,
    pub wechat: Option<String>,
    #[serde(deserialize_with = "bool_or_int")]
    pub is_primary: bool,
}

impl From<&contact::Model> for ContactRow {
    fn from(k: &contact::Model) -> Self {
        ContactRow {
            id: k.id,
            customer_id: k.customer_id,
            name: k.name.clone(),
            title: k.title.clone(),
            phone_enc: k.phone_enc.clone(),
            email_enc: k.email_enc.clone(),
            wechat: k.wechat.clone(),
            is_primary: k.is_primary,
        }
    }
}

/// SQLite's JSON carries booleans as 0/1, PostgreSQL's as true/false.
fn bool_or_int<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Ok(b),
        serde_json::Value::Number(n) => Ok(n.as_i64().unwrap_or(0) != 0),
        other => Err(serde::de::Error::custom(format!("not a boolean: {other}"))),
    }
}

use serde::Deserialize as _;

/// A customer with what every view of it shows: its owner's name, its tags and contacts
/// (all of them, only the primary one, or none, as the query asked).
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub customer: customer::Model,
    pub owner_name: Option<String>,
    pub tags: Vec<String>,
    pub contacts: Vec<ContactRow>,
}

#[derive(FromQueryResult)]
struct Extras {
    owner_name: Option<String>,
    tag_list: Option<String>,
    contact_list: Option<String>,
}

/// Tags are joined with the unit separator (U+001F), which no tag contains.
const TAG_SEP: char = '\u{1f}';

/// Which contacts come with the customer rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithContacts {
    None,
    Primary,
    All,
}

/// Customers with owner name, tags and contacts in the same query (one round trip, not
/// four). Contacts travel as a JSON array: the one place the two dialects differ.
fn select_rows(backend: DbBackend, with: WithContacts) -> sea_orm::Select<customer::Entity> {
    let limit = if with == WithContacts::Primary {
        " LIMIT 1"
    } else {
        ""
    };
    let fields = "'id', k.id, 'customer_id', k.customer_id, 'name', k.name, 'title', k.title, 'phone_enc', k.phone_enc, \
                  'email_enc', k.email_enc, 'wechat', k.wechat, 'is_primary', k.is_primary";
    let tags = crate::dialect::separated_list(
        backend,
        "t.tag",
        "customer_tags t WHERE t.customer_id = customers.id",
        "t.tag",
    );
    let contacts = match with {
        WithContacts::None => "NULL".to_string(),
        _ => crate::dialect::json_objects(
            backend,
            fields,
            &format!("contacts c2 WHERE c2.customer_id = customers.id ORDER BY c2.is_primary DESC, c2.id{limit}"),
            "k.is_primary DESC, k.id",
        ),
    };
    customer::Entity::find()
        .column_as(
            Expr::cust("(SELECT u.display_name FROM users u WHERE u.id = customers.owner_id)"),
            "owner_name",
        )
        .column_as(Expr::cust(tags), "tag_list")
        .column_as(Expr::cust(contacts), "contact_list")
}

async fn fetch_rows<C: ConnectionTrait>(
    conn: &C,
    q: sea_orm::Select<customer::Entity>,
) -> Result<Vec<CustomerRow>> {
    let rows = conn.query_all(q.build(conn.get_database_backend())).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let customer = <customer::Model as FromQueryResult>::from_query_result(&r, "")?;
        let extras = Extras::from_query_result(&r, "")?;
        let contacts = match extras.contact_list.as_deref() {
            Some(json) => serde_json::from_str(json).map_err(|e| {
                StoreError::Other(format!("contacts of customer {}: {e}", customer.id))
            })?,
            None => Vec::new(),
        };
        out.push(CustomerRow {
            customer,
            owner_name: extras.owner_name,
            tags: extras
                .tag_list
                .map(|t| {
                    t.split(TAG_SEP)
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            contacts,
        });
    }
    Ok(out)
}

/// One customer with owner name, tags and all its contacts.
pub async fn find_row<C: ConnectionTrait>(conn: &C, id: CustomerId) -> Result<Option<CustomerRow>> {
    let q = select_rows(conn.get_database_backend(), WithContacts::All)
        .filter(customer::Column::Id.eq(id.get()));
    Ok(fetch_rows(conn, q).await?.into_iter().next())
}

/// Gives a customer in the pool to `user`; false when it is no longer in the pool (two
/// people claiming at once: one wins).
pub async fn claim_from_pool<C: ConnectionTrait>(
    conn: &C,
    id: CustomerId,
    user: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let r = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE customers SET owner_id = ?, pool_since = NULL, last_interaction_at = ?, updated_at = ? WHERE id = ? AND owner_id IS NULL",
            vec![user.into(), now.into(), now.into(), id.get().into()],
        ))
        .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: CustomerId) -> Result<Option<customer::Model>> {
    Ok(customer::Entity::find_by_id(id.get()).one(conn).await?)
}

pub async fn find_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::Code.eq(code))
        .one(conn)
        .await?)
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    am: customer::ActiveModel,
) -> Result<customer::Model> {
    am.insert(conn).await.map_err(StoreError::from_db)
}

/// New customers, 200 rows a statement, returned in the order given. Every model must set
/// the same columns, its code among them.
pub async fn insert_many<C: ConnectionTrait>(
    conn: &C,
    ams: Vec<customer::ActiveModel>,
) -> Result<Vec<customer::Model>> {
    let mut out = Vec::with_capacity(ams.len());
    let mut rest = ams.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<customer::ActiveModel> = rest.by_ref().take(200).collect();
        // Read back by code (unique), which both databases answer from its index; SQLite
        // as configured has no multi-row RETURNING.
        let codes: Vec<String> = chunk
            .iter()
            .filter_map(|am| match &am.code {
                sea_orm::ActiveValue::Set(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        customer::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await
            .map_err(StoreError::from_db)?;
        let mut by_code: HashMap<String, customer::Model> = customer::Entity::find()
            .filter(customer::Column::Code.is_in(codes.iter().cloned()))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        for c in &codes {
            out.push(by_code.remove(c).ok_or(StoreError::NotFound)?);
        }
    }
    Ok(out)
}

pub async fn update<C: ConnectionTrait>(
    conn: &C,
    am: customer::ActiveModel,
) -> Result<customer::Model> {
    am.update(conn).await.map_err(StoreError::from_db)
}

/// The next free generated code `KH000001`… (the caller retries on a unique conflict).
pub async fn next_generated_code<C: ConnectionTrait>(conn: &C) -> Result<String> {
    #[derive(FromQueryResult)]
    struct Row {
        code: Option<String>,
    }
    let row = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        // A range, not LIKE, so that the unique index on code answers it.
        "SELECT MAX(code) AS code FROM customers WHERE code >= 'KH000000' AND code <= 'KH999999'",
        vec![],
    ))
    .one(conn)
    .await?;
    let last = row
        .and_then(|r| r.code)
        .and_then(|c| c[2..].parse::<u64>().ok())
        .unwrap_or(0);
    Ok(format!("KH{:06}", last + 1))
}

/// Customers whose owner logged no interaction since `before` (pool reclaim candidates).
pub async fn stale_owned<C: ConnectionTrait>(
    conn: &C,
    before: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<customer::Model>> {
    Ok(customer::Entity::find()
        .filter(customer::Column::OwnerId.is_not_null())
        .filter(customer::Column::ArchivedAt.is_null())
        .filter(
            Condition::any()
                .add(customer::Column::LastInteractionAt.lt(before))
                .add(
                    Condition::all()
                        .add(customer::Column::LastInteractionAt.is_null())
                        .add(customer::Column::CreatedAt.lt(before)),
                ),
        )
        .order_by_asc(customer::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// The owner (None: the pool) of each of these customers that exists.
pub async fn owners_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Option<i64>>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in crate::dialect::pieces(ids) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("SELECT id, owner_id FROM customers WHERE id IN ({marks})");
        let values = chunk.iter().map(|c| Value::from(*c)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            out.insert(
                r.try_get::<i64>("", "id")?,
                r.try_get::<Option<i64>>("", "owner_id")?,
            );
        }
    }
    Ok(out)
}

/// Ids of the customers with these codes (archived ones included: their history stays
/// theirs).
pub async fn ids_by_code<C: ConnectionTrait>(
    conn: &C,
    codes: &[&str],
) -> Result<HashMap<String, i64>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in crate::dialect::pieces(codes) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("SELECT id, code FROM customers WHERE code IN ({marks})");
        let values = chunk.iter().map(|c| Value::from(*c)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            out.insert(
                r.try_get::<String>("", "code")?,
                r.try_get::<i64>("", "id")?,
            );
        }
    }
    Ok(out)
}

/// Every customer in use, for the demo's operations data: (id, code, kind, status,
/// service modes, city).
pub async fn ops_targets<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(i64, String, String, String, String, String)>> {
    let backend = conn.get_database_backend();
    conn.query_all(stmt(
        backend,
        "SELECT id, code, kind, status, service_modes, COALESCE(city, '') AS city FROM customers \
         WHERE archived_at IS NULL ORDER BY id",
        vec![],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("", "id")?,
            r.try_get("", "code")?,
            r.try_get("", "kind")?,
            r.try_get("", "status")?,
            r.try_get("", "service_modes")?,
            r.try_get("", "city")?,
        ))
    })
    .collect()
}

mod list;
pub use list::*;
mod tags;
pub use tags::*;
mod contacts;
pub use contacts::*;
mod duplicates;
pub use duplicates::*;
mod merge;
pub use merge::*;
