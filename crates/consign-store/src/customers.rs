//! The customer archive's tables: customers, contacts, tags and search keys.

use crate::entity::{contact, customer, customer_tag, search_key};
use crate::{Result, StoreError};
use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    Value,
};
use std::collections::HashMap;

/// Builds a statement from SQL written with `?` placeholders, numbering them for
/// PostgreSQL. The one place where hand-written SQL meets values.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::with_capacity(sql.len() + 8);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_string()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Which customers a user may see.
#[derive(Debug, Clone)]
pub enum Visibility {
    All,
    /// Customers owned by these users, and the pool.
    OwnersAndPool(Vec<i64>),
}

impl Visibility {
    /// The condition that a customer's owner column `col` is within this visibility,
    /// with `?` placeholders and its values (`1=1` for all).
    pub fn owner_condition(&self, col: &str) -> (String, Vec<Value>) {
        match self {
            Visibility::All => ("1=1".into(), vec![]),
            Visibility::OwnersAndPool(ids) if ids.is_empty() => (format!("{col} IS NULL"), vec![]),
            Visibility::OwnersAndPool(ids) => (
                format!(
                    "({col} IS NULL OR {col} IN ({}))",
                    vec!["?"; ids.len()].join(",")
                ),
                ids.iter().map(|i| (*i).into()).collect(),
            ),
        }
    }
}

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

    /// `customers.id IN (…)` over the run's verdicts; values are quoted literals.
    fn sql(&self) -> String {
        let mut w = vec![format!("k.run_id = {}", self.run_id)];
        for (col, v) in [
            ("grade", &self.grade),
            ("value_class", &self.value_class),
            ("lifecycle", &self.lifecycle),
            ("rfm_segment", &self.rfm_segment),
        ] {
            if let Some(v) = v {
                w.push(format!("k.{col} = {}", lit(v)));
            }
        }
        for (col, v) in [
            ("r_score", self.r_score),
            ("f_score", self.f_score),
            ("m_score", self.m_score),
        ] {
            if let Some(v) = v {
                w.push(format!("k.{col} = {v}"));
            }
        }
        if let Some(b) = self.at_risk {
            w.push(format!("k.at_risk = {}", if b { "TRUE" } else { "FALSE" }));
        }
        format!(
            "customers.id IN (SELECT k.customer_id FROM classifications k WHERE {})",
            w.join(" AND ")
        )
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The customers matching a text search, as one `UNION` of index lookups, so that the
/// page can be read in id order and, without other filters, counted from the indexes alone.
/// Archived customers keep their search keys under an `x` prefix (see [`set_archived_keys`]).
/// An SQL string literal (standard quoting, the same on SQLite and PostgreSQL). Search
/// values are inlined so the union can be reused verbatim for counting; they come from the
/// domain's normalization (CJK characters, lower-case letters and digits, base64url hashes),
/// and are quoted all the same.
pub(crate) fn lit(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

struct SearchSql {
    union: String,
    /// The union must be built whole before its first row is known (several lookups, or
    /// prefix ranges whose ids are not in id order).
    materialize: bool,
    /// The name must still be checked for the whole query as a substring (several bigrams).
    like: Option<String>,
    /// One exact key whose index rows come in customer-id order, and the union's other
    /// lookups (few rows): the page is then a merge that stops at the page's end, and
    /// the total an index count plus the few others not already counted.
    ordered: Option<(String, Vec<String>)>,
}

fn search_sql(s: &TextSearch, archived: bool) -> Option<SearchSql> {
    let kp = if archived { "x" } else { "" };
    let live = if archived {
        "archived_at IS NOT NULL"
    } else {
        "archived_at IS NULL"
    };
    let mut parts: Vec<String> = Vec::new();
    let mut like = None;
    let mut materialize = false;
    // An exact key lookup (its rows in id order), when the query has one.
    let mut exact: Option<String> = None;
    if !s.cjk_keys.is_empty() {
        if s.cjk_prefix {
            // Single characters: each a prefix range over bigram and end-of-run keys.
            let selects: Vec<String> = s
                .cjk_keys
                .iter()
                .map(|k| {
                    let lo = format!("{kp}{k}");
                    let hi = consign_domain::search::prefix_upper(&lo);
                    format!("SELECT DISTINCT customer_id AS cid FROM search_keys WHERE key >= {} AND key < {}", lit(&lo), lit(&hi))
                })
                .collect();
            parts.push(selects.join(" INTERSECT "));
            materialize = true;
            let whole =
                s.cjk_keys.len() == 1 && s.cjk_keys[0].strip_prefix("c:") == s.cjk_text.as_deref();
            if !whole {
                like = s.cjk_text.clone();
            }
        } else if s.cjk_keys.len() == 1 {
            let key = format!("{kp}{}", s.cjk_keys[0]);
            parts.push(format!(
                "SELECT customer_id AS cid FROM search_keys WHERE key = {}",
                lit(&key)
            ));
            exact = Some(key);
            // One key is the whole query only when the query is that bigram or character.
            if let Some(text) = &s.cjk_text {
                if s.cjk_keys[0].strip_prefix("c:") != Some(text.as_str()) {
                    like = Some(text.clone());
                }
            }
        } else {
            parts.push(format!(
                "SELECT customer_id AS cid FROM search_keys WHERE key IN ({}) GROUP BY customer_id HAVING COUNT(*) = {}",
                s.cjk_keys.iter().map(|k| lit(&format!("{kp}{k}"))).collect::<Vec<_>>().join(","),
                s.cjk_keys.len()
            ));
            like = s.cjk_text.clone();
        }
    }
    if let Some(prefix) = &s.ascii_prefix {
        for kind in ["p:", "i:"] {
            if kind == "i:" && prefix.len() == 2 {
                // Two initials: the exact `j:` key holds exactly the `i:` keys' customers.
                let key = format!("{kp}j:{prefix}");
                parts.push(format!(
                    "SELECT customer_id AS cid FROM search_keys WHERE key = {}",
                    lit(&key)
                ));
                exact = Some(key);
                continue;
            }
            let lo = format!("{kp}{kind}{prefix}");
            let hi = consign_domain::search::prefix_upper(&lo);
            parts.push(format!(
                "SELECT customer_id AS cid FROM search_keys WHERE key >= {} AND key < {}",
                lit(&lo),
                lit(&hi)
            ));
        }
        let upper = prefix.to_ascii_uppercase();
        parts.push(format!(
            "SELECT id AS cid FROM customers WHERE code >= {} AND code < {} AND {live}",
            lit(&upper),
            lit(&format!("{upper}\u{10FFFF}"))
        ));
        if upper.len() == 18 {
            parts.push(format!(
                "SELECT id AS cid FROM customers WHERE uscc = {} AND {live}",
                lit(&upper)
            ));
        }
    }
    if let Some(h) = &s.phone_hash {
        parts.push(format!(
            "SELECT k.customer_id AS cid FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.phone_hash = {} AND c.{live}",
            lit(h)
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let ordered = exact.filter(|_| like.is_none()).map(|key| {
        let own = format!(
            "SELECT customer_id AS cid FROM search_keys WHERE key = {}",
            lit(&key)
        );
        let others = parts.iter().filter(|p| **p != own).cloned().collect();
        (key, others)
    });
    Some(SearchSql {
        materialize: materialize || parts.len() > 1,
        union: parts.join(" UNION "),
        like,
        ordered,
    })
}

fn text_condition(s: &TextSearch, archived: bool) -> Condition {
    let Some(q) = search_sql(s, archived) else {
        // Nothing searchable: match nothing rather than everything.
        return Condition::all().add(Expr::cust("1 = 0"));
    };
    let mut c = Condition::all().add(Expr::cust(format!("customers.id IN ({})", q.union)));
    if let Some(text) = q.like {
        let pat = format!("%{}%", like_escape(&text));
        c = c.add(
            Condition::any()
                .add(
                    Expr::col(customer::Column::Name)
                        .like(sea_orm::sea_query::LikeExpr::new(pat.clone()).escape('\\')),
                )
                .add(
                    Expr::col(customer::Column::ShortName)
                        .like(sea_orm::sea_query::LikeExpr::new(pat).escape('\\')),
                ),
        );
    }
    c
}

/// A search with no other filter, over everything, counted from the indexes alone.
fn fast_count_sql(vis: &Visibility, f: &CustomerFilter) -> Option<SearchSql> {
    let only_search = f.kind.is_none()
        && f.status.is_none()
        && f.owner.is_none()
        && f.province.is_none()
        && f.city.is_none()
        && f.industry.is_none()
        && f.service_mode.is_none()
        && f.tag.is_none()
        && f.data_source.is_none()
        && f.class.as_ref().is_none_or(|k| !k.narrows());
    if !matches!(vis, Visibility::All) || !only_search {
        return None;
    }
    let q = search_sql(f.search.as_ref()?, f.archived)?;
    if q.like.is_some() {
        return None;
    }
    Some(q)
}

/// Moves a customer's search keys out of (archive) or back into (restore) the live key space.
pub async fn set_archived_keys<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    archived: bool,
) -> Result<()> {
    let sql = if archived {
        "UPDATE search_keys SET key = 'x' || key WHERE customer_id = ? AND key NOT LIKE 'x%'"
    } else {
        "UPDATE search_keys SET key = substr(key, 2) WHERE customer_id = ? AND key LIKE 'x%'"
    };
    conn.execute(stmt(
        conn.get_database_backend(),
        sql,
        vec![customer_id.into()],
    ))
    .await?;
    Ok(())
}

fn filter_condition(vis: &Visibility, f: &CustomerFilter) -> Condition {
    let mut c = Condition::all();
    match vis {
        Visibility::All => {}
        Visibility::OwnersAndPool(ids) => {
            c = c.add(
                Condition::any()
                    .add(customer::Column::OwnerId.is_in(ids.clone()))
                    .add(customer::Column::OwnerId.is_null()),
            );
        }
    }
    c = if f.archived {
        c.add(customer::Column::ArchivedAt.is_not_null())
    } else {
        c.add(customer::Column::ArchivedAt.is_null())
    };
    if let Some(s) = &f.search {
        c = c.add(text_condition(s, f.archived));
    }
    if let Some(v) = &f.kind {
        c = c.add(customer::Column::Kind.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        c = c.add(customer::Column::Status.eq(v.clone()));
    }
    match f.owner {
        Some(OwnerFilter::User(id)) => c = c.add(customer::Column::OwnerId.eq(id)),
        Some(OwnerFilter::Pool) => c = c.add(customer::Column::OwnerId.is_null()),
        None => {}
    }
    if let Some(v) = &f.province {
        c = c.add(customer::Column::Province.eq(v.clone()));
    }
    if let Some(v) = &f.city {
        c = c.add(customer::Column::City.eq(v.clone()));
    }
    if let Some(v) = &f.industry {
        c = c.add(customer::Column::Industry.eq(v.clone()));
    }
    if let Some(v) = &f.data_source {
        c = c.add(customer::Column::DataSource.eq(v.clone()));
    }
    if let Some(v) = &f.service_mode {
        c = c.add(Expr::col(customer::Column::ServiceModes).like(
            sea_orm::sea_query::LikeExpr::new(format!("%,{},%", like_escape(v))).escape('\\'),
        ));
    }
    if let Some(v) = &f.tag {
        let sub = SqlQuery::select()
            .column(customer_tag::Column::CustomerId)
            .from(customer_tag::Entity)
            .and_where(customer_tag::Column::Tag.eq(v.clone()))
            .to_owned();
        c = c.add(customer::Column::Id.in_subquery(sub));
    }
    if let Some(k) = f.class.as_ref().filter(|k| k.narrows()) {
        c = c.add(Expr::cust(k.sql()));
    }
    c
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
    let pg = backend == DbBackend::Postgres;
    let tags = if pg {
        "(SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM customer_tags t WHERE t.customer_id = customers.id)"
    } else {
        "(SELECT group_concat(tag, char(31)) FROM (SELECT t.tag FROM customer_tags t WHERE t.customer_id = customers.id ORDER BY t.tag))"
    };
    let limit = if with == WithContacts::Primary {
        " LIMIT 1"
    } else {
        ""
    };
    let fields = "'id', k.id, 'customer_id', k.customer_id, 'name', k.name, 'title', k.title, 'phone_enc', k.phone_enc, \
                  'email_enc', k.email_enc, 'wechat', k.wechat, 'is_primary', k.is_primary";
    let contacts = match (with, pg) {
        (WithContacts::None, _) => "NULL".to_string(),
        (_, true) => format!(
            "(SELECT json_agg(json_build_object({fields}) ORDER BY k.is_primary DESC, k.id)::text FROM \
             (SELECT * FROM contacts c2 WHERE c2.customer_id = customers.id ORDER BY c2.is_primary DESC, c2.id{limit}) k)"
        ),
        (_, false) => format!(
            "(SELECT json_group_array(json_object({fields})) FROM \
             (SELECT * FROM contacts c2 WHERE c2.customer_id = customers.id ORDER BY c2.is_primary DESC, c2.id{limit}) k)"
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
pub async fn find_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<CustomerRow>> {
    let q = select_rows(conn.get_database_backend(), WithContacts::All)
        .filter(customer::Column::Id.eq(id));
    Ok(fetch_rows(conn, q).await?.into_iter().next())
}

/// The rows of a page's ids, in the ids' order.
async fn page_rows<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<CustomerRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let q = select_rows(conn.get_database_backend(), WithContacts::Primary)
        .filter(customer::Column::Id.is_in(ids.to_vec()));
    let mut by_id: HashMap<i64, CustomerRow> = fetch_rows(conn, q)
        .await?
        .into_iter()
        .map(|r| (r.customer.id, r))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One page of customers and the total count matching.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    f: &CustomerFilter,
) -> Result<(Vec<CustomerRow>, u64)> {
    let cond = filter_condition(vis, f);
    let per_page = f.per_page.clamp(1, 500);
    let offset = consign_domain::params::offset(f.page, per_page);
    let fast = fast_count_sql(vis, f);
    if let (Some((key, others)), Sort::Newest) =
        (fast.as_ref().and_then(|q| q.ordered.as_ref()), f.sort)
    {
        // A plain search with one exact key: the page is read from that key's index rows
        // in id order (merged with the few rows of the other lookups) and stops at the
        // page's end; the total is an index count plus the others' rows not among them.
        #[derive(FromQueryResult)]
        struct Hit {
            cid: i64,
            total: i64,
        }
        let k = lit(key);
        let page = if others.is_empty() {
            format!("SELECT customer_id AS cid FROM search_keys WHERE key = {k} ORDER BY customer_id DESC LIMIT {per_page} OFFSET {offset}")
        } else {
            format!(
                "SELECT customer_id AS cid FROM search_keys WHERE key = {k} UNION {} ORDER BY 1 DESC LIMIT {per_page} OFFSET {offset}",
                others.join(" UNION ")
            )
        };
        let mut total = format!("(SELECT COUNT(*) FROM search_keys WHERE key = {k})");
        if !others.is_empty() {
            total = format!(
                "{total} + (SELECT COUNT(*) FROM ({}) o WHERE NOT EXISTS (SELECT 1 FROM search_keys s WHERE s.key = {k} AND s.customer_id = o.cid))",
                others.join(" UNION ")
            );
        }
        let backend = conn.get_database_backend();
        let mut hits = Hit::find_by_statement(stmt(
            backend,
            &format!("SELECT p.cid, {total} AS total FROM ({page}) p"),
            vec![],
        ))
        .all(conn)
        .await?;
        let total = match hits.first() {
            Some(h) => h.total as u64,
            None => {
                #[derive(FromQueryResult)]
                struct N {
                    n: i64,
                }
                N::find_by_statement(stmt(backend, &format!("SELECT {total} AS n"), vec![]))
                    .one(conn)
                    .await?
                    .map(|r| r.n as u64)
                    .unwrap_or(0)
            }
        };
        hits.sort_by_key(|h| std::cmp::Reverse(h.cid));
        let ids: Vec<i64> = hits.iter().map(|h| h.cid).collect();
        return Ok((page_rows(conn, &ids).await?, total));
    }
    if let (Some(q), Sort::Newest, true) =
        (&fast, f.sort, fast.as_ref().is_some_and(|q| q.materialize))
    {
        // A plain search over everything, newest first, whose union of several index
        // lookups must be built anyway: page and total in one statement over it. (One
        // lookup alone is cheaper as an index-only count and an index walk that stops
        // at the page's end.)
        #[derive(FromQueryResult)]
        struct Hit {
            cid: i64,
            total: i64,
        }
        let sql = format!(
            "SELECT u.cid, COUNT(*) OVER () AS total FROM ({}) u ORDER BY u.cid DESC LIMIT {per_page} OFFSET {offset}",
            q.union
        );
        let hits = Hit::find_by_statement(stmt(conn.get_database_backend(), &sql, vec![]))
            .all(conn)
            .await?;
        if let Some(first) = hits.first() {
            let total = first.total as u64;
            let ids: Vec<i64> = hits.iter().map(|h| h.cid).collect();
            return Ok((page_rows(conn, &ids).await?, total));
        }
    }
    let total = match fast {
        Some(q) => {
            #[derive(FromQueryResult)]
            struct N {
                n: i64,
            }
            let sql = format!("SELECT COUNT(*) AS n FROM ({}) u", q.union);
            N::find_by_statement(stmt(conn.get_database_backend(), &sql, vec![]))
                .one(conn)
                .await?
                .map(|r| r.n as u64)
                .unwrap_or(0)
        }
        None => {
            customer::Entity::find()
                .filter(cond.clone())
                .count(conn)
                .await?
        }
    };
    // The page's ids first, then their rows with owner names and tags: computing those
    // for every candidate before the sort would cost a subquery per matching customer.
    let mut q = customer::Entity::find()
        .select_only()
        .column(customer::Column::Id)
        .filter(cond);
    q = match f.sort {
        Sort::UpdatedDesc => q.order_by_desc(customer::Column::UpdatedAt),
        Sort::CreatedDesc => q.order_by_desc(customer::Column::CreatedAt),
        Sort::Newest => q,
        Sort::Code => q.order_by_asc(customer::Column::Code),
        Sort::Name => q.order_by_asc(customer::Column::Name),
        Sort::ValueRank | Sort::Rfm => {
            let run = f.class.as_ref().map(|k| k.run_id).unwrap_or(0);
            let (expr, order) = if f.sort == Sort::ValueRank {
                (
                    "COALESCE(k.value_rank, 9000000000000000000)",
                    sea_orm::Order::Asc,
                )
            } else {
                (
                    "COALESCE(k.r_score + k.f_score + k.m_score, 0)",
                    sea_orm::Order::Desc,
                )
            };
            q.order_by(
                Expr::cust(format!(
                    "(SELECT {expr} FROM classifications k WHERE k.run_id = {run} AND k.customer_id = customers.id)"
                )),
                order,
            )
        }
    };
    let ids: Vec<i64> = q
        .order_by_desc(customer::Column::Id)
        .offset(offset)
        .limit(per_page)
        .into_tuple()
        .all(conn)
        .await?;
    Ok((page_rows(conn, &ids).await?, total))
}

/// Counts live customers per owner (for user admin and reclaim checks).
pub async fn count_by_owner<C: ConnectionTrait>(conn: &C) -> Result<HashMap<i64, i64>> {
    #[derive(FromQueryResult)]
    struct Row {
        owner_id: i64,
        n: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT owner_id, COUNT(*) AS n FROM customers WHERE owner_id IS NOT NULL AND archived_at IS NULL GROUP BY owner_id",
        vec![],
    ))
    .all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.owner_id, r.n)).collect())
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<customer::Model>> {
    Ok(customer::Entity::find_by_id(id).one(conn).await?)
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

/// What a customer's search keys are made from (for re-indexing).
#[derive(Debug, Clone, FromQueryResult)]
pub struct KeySource {
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
    pub archived: bool,
}

/// The next `limit` customers after `after_id`, in id order.
pub async fn key_sources<C: ConnectionTrait>(
    conn: &C,
    after_id: i64,
    limit: u64,
) -> Result<Vec<KeySource>> {
    Ok(KeySource::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT id, name, short_name, (archived_at IS NOT NULL) AS archived FROM customers \
             WHERE id > ? ORDER BY id LIMIT {limit}"
        ),
        vec![after_id.into()],
    ))
    .all(conn)
    .await?)
}

/// Removes the search keys of the customers with ids in `from..=to`.
pub async fn delete_search_keys_between<C: ConnectionTrait>(
    conn: &C,
    from: i64,
    to: i64,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "DELETE FROM search_keys WHERE customer_id >= ? AND customer_id <= ?",
        vec![from.into(), to.into()],
    ))
    .await?;
    Ok(())
}

/// Replaces a customer's search keys.
pub async fn set_search_keys<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    keys: &[String],
) -> Result<()> {
    search_key::Entity::delete_many()
        .filter(search_key::Column::CustomerId.eq(customer_id))
        .exec(conn)
        .await?;
    insert_search_keys(conn, &[(customer_id, keys)]).await
}

/// [`insert_search_keys`] for customers just created (so with no keys yet): on
/// PostgreSQL in a bulk writer's transaction (an import creating prospects) by one
/// binary `COPY` instead of a statement per 400 keys.
pub async fn insert_new_search_keys<C: ConnectionTrait + std::any::Any>(
    conn: &C,
    rows: &[(i64, &[String])],
) -> Result<()> {
    let bulk = (conn as &dyn std::any::Any).downcast_ref::<crate::BulkTxn>();
    match bulk {
        Some(txn) if txn.get_database_backend() == DbBackend::Postgres => {
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            let mut keys: Vec<(i64, &str)> = Vec::new();
            for (id, ks) in rows {
                seen.clear();
                keys.extend(
                    ks.iter()
                        .filter(|k| seen.insert(k.as_str()))
                        .map(|k| (*id, k.as_str())),
                );
            }
            crate::bulk::copy_search_keys(txn, &keys).await
        }
        _ => insert_search_keys(conn, rows).await,
    }
}

/// Inserts search keys for many customers in multi-row statements.
pub async fn insert_search_keys<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, &[String])],
) -> Result<()> {
    let backend = conn.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut n = 0;
    for (id, keys) in rows {
        for k in keys.iter() {
            values.push(k.clone().into());
            values.push((*id).into());
            n += 1;
            if n == 400 {
                flush_keys(conn, backend, std::mem::take(&mut values), n).await?;
                n = 0;
            }
        }
    }
    if n > 0 {
        flush_keys(conn, backend, values, n).await?;
    }
    Ok(())
}

async fn flush_keys<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    values: Vec<Value>,
    n: usize,
) -> Result<()> {
    let mut sql = String::from("INSERT INTO search_keys (key, customer_id) VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?, ?)");
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    conn.execute(stmt(backend, &sql, values)).await?;
    Ok(())
}

pub async fn tags_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = customer_tag::Entity::find()
        .filter(customer_tag::Column::CustomerId.is_in(ids.to_vec()))
        .order_by_asc(customer_tag::Column::Tag)
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.customer_id).or_default().push(r.tag);
    }
    Ok(out)
}

pub async fn set_tags<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    tags: &[String],
) -> Result<()> {
    customer_tag::Entity::delete_many()
        .filter(customer_tag::Column::CustomerId.eq(customer_id))
        .exec(conn)
        .await?;
    add_tags(conn, customer_id, tags).await
}

/// Adds tags to a customer that has none of them yet.
pub async fn add_tags<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    tags: &[String],
) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let models = tags.iter().map(|t| customer_tag::ActiveModel {
        customer_id: sea_orm::Set(customer_id),
        tag: sea_orm::Set(t.clone()),
    });
    customer_tag::Entity::insert_many(models).exec(conn).await?;
    Ok(())
}

/// All tags in use with their counts, most used first (for the filter panel).
pub async fn all_tags<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        tag: String,
        n: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT tag, COUNT(*) AS n FROM customer_tags GROUP BY tag ORDER BY n DESC, tag LIMIT 200",
        vec![],
    ))
    .all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tag, r.n)).collect())
}

// ---- contacts ----

pub async fn contacts_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
) -> Result<Vec<contact::Model>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(customer_id))
        .order_by_desc(contact::Column::IsPrimary)
        .order_by_asc(contact::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find_contact<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<contact::Model>> {
    Ok(contact::Entity::find_by_id(id).one(conn).await?)
}

pub async fn insert_contact<C: ConnectionTrait>(
    conn: &C,
    am: contact::ActiveModel,
) -> Result<contact::Model> {
    Ok(am.insert(conn).await?)
}

pub async fn update_contact<C: ConnectionTrait>(
    conn: &C,
    am: contact::ActiveModel,
) -> Result<contact::Model> {
    Ok(am.update(conn).await?)
}

pub async fn delete_contact<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    contact::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Clears the primary flag of every other contact of the customer.
pub async fn clear_primary<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    except: i64,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE contacts SET is_primary = FALSE WHERE customer_id = ? AND id <> ?",
        vec![customer_id.into(), except.into()],
    ))
    .await?;
    Ok(())
}

// ---- duplicates ----

/// Why a customer is a likely duplicate of a new or edited one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupReason {
    Uscc,
    Phone,
    Name,
    /// Shares most name bigrams; the caller still checks the similarity.
    SimilarCandidate,
}

/// A live customer found by [`duplicate_candidates`], with its owner's name.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DupRow {
    pub reason: i32,
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_norm: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
}

impl DupRow {
    pub fn reason(&self) -> DupReason {
        match self.reason {
            1 => DupReason::Uscc,
            2 => DupReason::Phone,
            3 => DupReason::Name,
            _ => DupReason::SimilarCandidate,
        }
    }
}

/// Live customers with the same USCC, a contact with one of the phone hashes, the same
/// normalized name, or most of the distinctive name bigrams `grams` (at most 20 of each),
/// in one statement: one row per (customer, reason).
pub async fn duplicate_candidates<C: ConnectionTrait>(
    conn: &C,
    uscc: Option<&str>,
    phone_hashes: &[String],
    name_norm: Option<&str>,
    grams: &[String],
    common_at: u32,
) -> Result<Vec<DupRow>> {
    let mut parts: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(u) = uscc {
        parts.push(
            "SELECT cid, 1 AS reason FROM (SELECT id AS cid FROM customers WHERE uscc = ? AND archived_at IS NULL LIMIT 20) a".into(),
        );
        values.push(u.into());
    }
    if !phone_hashes.is_empty() {
        parts.push(format!(
            "SELECT cid, 2 AS reason FROM (SELECT DISTINCT c.id AS cid FROM customers c JOIN contacts k ON k.customer_id = c.id WHERE k.phone_hash IN ({}) AND c.archived_at IS NULL LIMIT 20) b",
            vec!["?"; phone_hashes.len()].join(",")
        ));
        values.extend(phone_hashes.iter().map(|h| Value::from(h.clone())));
    }
    if let Some(n) = name_norm {
        parts.push(
            "SELECT cid, 3 AS reason FROM (SELECT id AS cid FROM customers WHERE name_norm = ? AND archived_at IS NULL LIMIT 20) d".into(),
        );
        values.push(n.into());
    }
    // Near-same names: customers sharing at least 60% of the name's distinctive bigrams.
    // A bigram that more than `common_at` customers hold (供应, 管理, 物流 …) tells nothing
    // and would make every create count tens of thousands of index rows: it is left out
    // (each is counted only up to `common_at`).
    let mut cte = String::new();
    let mut cte_values: Vec<Value> = Vec::new();
    if grams.len() >= 2 {
        cte = format!(
            "WITH g(key) AS (VALUES {}), rare AS (SELECT key FROM g WHERE \
             (SELECT COUNT(*) FROM (SELECT 1 FROM search_keys s WHERE s.key = g.key LIMIT {common_at}) x) < {common_at}) ",
            vec!["(?)"; grams.len()].join(",")
        );
        cte_values.extend(grams.iter().map(|g| Value::from(g.clone())));
        parts.push(
            "SELECT cid, 4 AS reason FROM (SELECT s.customer_id AS cid FROM search_keys s \
             WHERE s.key IN (SELECT key FROM rare) GROUP BY s.customer_id \
             HAVING COUNT(*) >= (SELECT (6 * COUNT(*) + 9) / 10 FROM rare) AND (SELECT COUNT(*) FROM rare) >= 2 \
             ORDER BY COUNT(*) DESC LIMIT 20) e"
                .into(),
        );
    }
    if parts.is_empty() {
        return Ok(vec![]);
    }
    // Archived customers' keys live under another prefix, so the bigram part sees only
    // live ones; the join checks the rest again.
    let sql = format!(
        "{cte}SELECT m.reason, c.id, c.code, c.name, c.name_norm, c.owner_id, u.display_name AS owner_name \
         FROM ({}) m JOIN customers c ON c.id = m.cid LEFT JOIN users u ON u.id = c.owner_id \
         WHERE c.archived_at IS NULL ORDER BY c.id, m.reason",
        parts.join(" UNION ALL ")
    );
    cte_values.extend(values);
    let values = cte_values;
    Ok(
        DupRow::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
            .all(conn)
            .await?,
    )
}

/// Tags of several new customers in one statement.
pub async fn add_tags_many<C: ConnectionTrait>(conn: &C, rows: &[(i64, &[String])]) -> Result<()> {
    let models: Vec<customer_tag::ActiveModel> = rows
        .iter()
        .flat_map(|(id, tags)| {
            tags.iter().map(move |t| customer_tag::ActiveModel {
                customer_id: sea_orm::Set(*id),
                tag: sea_orm::Set(t.clone()),
            })
        })
        .collect();
    if models.is_empty() {
        return Ok(());
    }
    customer_tag::Entity::insert_many(models).exec(conn).await?;
    Ok(())
}

/// Contacts of several new customers in one statement (without reading them back).
pub async fn insert_contacts_many<C: ConnectionTrait>(
    conn: &C,
    models: Vec<contact::ActiveModel>,
) -> Result<()> {
    if models.is_empty() {
        return Ok(());
    }
    contact::Entity::insert_many(models)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

// ---- merge ----

/// Tables whose rows belong to a customer and move on a merge. Every capability that
/// adds such a table adds it here, so a merge keeps moving everything.
pub const CUSTOMER_OWNED_TABLES: &[&str] = &[
    "contacts",
    "shipments",
    "invoices",
    "payments",
    "tickets",
    "interactions",
    "tasks",
];

/// Moves every record of `from` to `into`. Tags are united.
pub async fn move_records<C: ConnectionTrait>(conn: &C, from: i64, into: i64) -> Result<()> {
    let backend = conn.get_database_backend();
    for table in CUSTOMER_OWNED_TABLES {
        let sql = format!("UPDATE {table} SET customer_id = ? WHERE customer_id = ?");
        conn.execute(stmt(backend, &sql, vec![into.into(), from.into()]))
            .await?;
    }
    // The moved tickets take their new customer's owner (the lists' scopes read it).
    conn.execute(stmt(
        backend,
        "UPDATE tickets SET owner_id = (SELECT owner_id FROM customers WHERE id = ?) WHERE customer_id = ?",
        vec![into.into(), into.into()],
    ))
    .await?;
    crate::shipments::merge_rollups(conn, from, into).await?;
    conn.execute(stmt(
        backend,
        "INSERT INTO customer_tags (customer_id, tag) SELECT ?, tag FROM customer_tags WHERE customer_id = ? ON CONFLICT DO NOTHING",
        vec![into.into(), from.into()],
    ))
    .await?;
    conn.execute(stmt(
        backend,
        "DELETE FROM customer_tags WHERE customer_id = ?",
        vec![from.into()],
    ))
    .await?;
    // The merged customer keeps only one primary contact: the target's, if it has one.
    conn.execute(stmt(
        backend,
        "UPDATE contacts SET is_primary = FALSE WHERE customer_id = ? AND is_primary = TRUE \
         AND id <> (SELECT MIN(id) FROM contacts WHERE customer_id = ? AND is_primary = TRUE)",
        vec![into.into(), into.into()],
    ))
    .await?;
    Ok(())
}

/// Ids of customers merged into `id` (their history shows on its timeline).
pub async fn merged_into<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id FROM customers WHERE merged_into_id = ?",
        vec![id.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
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

/// Ids of the customers with these codes (archived ones included: their history stays
/// theirs).
/// The owner (None: the pool) of each of these customers that exists.
pub async fn owners_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Option<i64>>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in crate::shipments::pieces(ids) {
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

pub async fn ids_by_code<C: ConnectionTrait>(
    conn: &C,
    codes: &[&str],
) -> Result<HashMap<String, i64>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in crate::shipments::pieces(codes) {
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
