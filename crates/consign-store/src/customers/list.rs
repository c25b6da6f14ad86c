//! The customer list: filters, text search over the key index, one page and its count; the search keys themselves.

#[allow(unused_imports)]
use super::*;

pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// SQL written with `?` placeholders and the values bound to them, in order. User text
/// reaches the database only as such values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Frag {
    pub(crate) sql: String,
    pub(crate) args: Vec<Value>,
}

impl Frag {
    pub(crate) fn new(sql: impl Into<String>, args: Vec<Value>) -> Self {
        Frag {
            sql: sql.into(),
            args,
        }
    }

    /// The fragments joined by `sep`, their values in order.
    fn join(parts: &[Frag], sep: &str) -> Frag {
        Frag {
            sql: parts
                .iter()
                .map(|p| p.sql.as_str())
                .collect::<Vec<_>>()
                .join(sep),
            args: parts.iter().flat_map(|p| p.args.iter().cloned()).collect(),
        }
    }
}

/// The rows of one search key, in customer-id order.
fn key_eq(key: &str) -> Frag {
    Frag::new(
        "SELECT customer_id AS cid FROM search_keys WHERE key = ?",
        vec![key.into()],
    )
}

/// The customers with a search key starting with `lo`.
fn key_prefix(lo: String, distinct: bool) -> Frag {
    let hi = consign_domain::search::prefix_upper(&lo);
    let d = if distinct { "DISTINCT " } else { "" };
    Frag::new(
        format!("SELECT {d}customer_id AS cid FROM search_keys WHERE key >= ? AND key < ?"),
        vec![lo.into(), hi.into()],
    )
}

/// The customers matching a text search, as one `UNION` of index lookups, so that the
/// page can be read in id order and, without other filters, counted from the indexes alone.
/// Archived customers keep their search keys under an `x` prefix (see [`set_archived_keys`]).
pub(crate) struct SearchSql {
    union: Frag,
    /// The union must be built whole before its first row is known (several lookups, or
    /// prefix ranges whose ids are not in id order).
    materialize: bool,
    /// The name must still be checked for the whole query as a substring (several bigrams).
    like: Option<String>,
    /// One exact key whose index rows come in customer-id order, and the union's other
    /// lookups (few rows): the page is then a merge that stops at the page's end, and
    /// the total an index count plus the few others not already counted.
    ordered: Option<(String, Vec<Frag>)>,
}

pub(crate) fn search_sql(s: &TextSearch, archived: bool) -> Option<SearchSql> {
    let kp = if archived { "x" } else { "" };
    let live = if archived {
        "archived_at IS NOT NULL"
    } else {
        "archived_at IS NULL"
    };
    let mut parts: Vec<Frag> = Vec::new();
    let mut like = None;
    let mut materialize = false;
    // An exact key lookup (its rows in id order) and its place among the parts.
    let mut exact: Option<(String, usize)> = None;
    if !s.cjk_keys.is_empty() {
        if s.cjk_prefix {
            // Single characters: each a prefix range over bigram and end-of-run keys.
            let selects: Vec<Frag> = s
                .cjk_keys
                .iter()
                .map(|k| key_prefix(format!("{kp}{k}"), true))
                .collect();
            parts.push(Frag::join(&selects, " INTERSECT "));
            materialize = true;
            let whole =
                s.cjk_keys.len() == 1 && s.cjk_keys[0].strip_prefix("c:") == s.cjk_text.as_deref();
            if !whole {
                like = s.cjk_text.clone();
            }
        } else if s.cjk_keys.len() == 1 {
            let key = format!("{kp}{}", s.cjk_keys[0]);
            exact = Some((key.clone(), parts.len()));
            parts.push(key_eq(&key));
            // One key is the whole query only when the query is that bigram or character.
            if let Some(text) = &s.cjk_text {
                if s.cjk_keys[0].strip_prefix("c:") != Some(text.as_str()) {
                    like = Some(text.clone());
                }
            }
        } else {
            let n = s.cjk_keys.len();
            parts.push(Frag::new(
                format!(
                    "SELECT customer_id AS cid FROM search_keys WHERE key IN ({}) GROUP BY customer_id HAVING COUNT(*) = {n}",
                    vec!["?"; n].join(",")
                ),
                s.cjk_keys.iter().map(|k| format!("{kp}{k}").into()).collect(),
            ));
            like = s.cjk_text.clone();
        }
    }
    if let Some(prefix) = &s.ascii_prefix {
        for kind in ["p:", "i:"] {
            if kind == "i:" && prefix.len() == 2 {
                // Two initials: the exact `j:` key holds exactly the `i:` keys' customers.
                let key = format!("{kp}j:{prefix}");
                exact = Some((key.clone(), parts.len()));
                parts.push(key_eq(&key));
                continue;
            }
            parts.push(key_prefix(format!("{kp}{kind}{prefix}"), false));
        }
        let upper = prefix.to_ascii_uppercase();
        parts.push(Frag::new(
            format!("SELECT id AS cid FROM customers WHERE code >= ? AND code < ? AND {live}"),
            vec![upper.clone().into(), format!("{upper}\u{10FFFF}").into()],
        ));
        if upper.len() == 18 {
            parts.push(Frag::new(
                format!("SELECT id AS cid FROM customers WHERE uscc = ? AND {live}"),
                vec![upper.into()],
            ));
        }
    }
    if let Some(h) = &s.phone_hash {
        parts.push(Frag::new(
            format!("SELECT k.customer_id AS cid FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.phone_hash = ? AND c.{live}"),
            vec![h.clone().into()],
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let ordered = exact.filter(|_| like.is_none()).map(|(key, at)| {
        let others = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, p)| p.clone())
            .collect();
        (key, others)
    });
    Some(SearchSql {
        materialize: materialize || parts.len() > 1,
        union: Frag::join(&parts, " UNION "),
        like,
        ordered,
    })
}

pub(crate) fn text_condition(backend: DbBackend, s: &TextSearch, archived: bool) -> Condition {
    let Some(q) = search_sql(s, archived) else {
        // Nothing searchable: match nothing rather than everything.
        return Condition::all().add(Expr::cust("1 = 0"));
    };
    let mut c = Condition::all().add(crate::dialect::cust(
        backend,
        &format!("customers.id IN ({})", q.union.sql),
        q.union.args,
    ));
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
pub(crate) fn fast_count_sql(vis: &Visibility, f: &CustomerFilter) -> Option<SearchSql> {
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

/// The search keys a customer's name and short name make (as live keys), read from its
/// row in `conn` (locked on PostgreSQL, so that they are the keys stored until this
/// transaction changes them). Every key of a customer is made from its names, so its
/// keys are found by them, without an index by customer.
async fn keys_of_row<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<Vec<String>> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one(stmt(
            backend,
            &format!(
                "SELECT name, short_name FROM customers WHERE id = ?{}",
                crate::dialect::lock_row(backend)
            ),
            vec![customer_id.into()],
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    let name: String = row.try_get("", "name")?;
    let short: Option<String> = row.try_get("", "short_name")?;
    Ok(consign_domain::search::customer_keys(
        &name,
        short.as_deref(),
    ))
}

/// Moves a customer's search keys out of (archive) or back into (restore) the live key
/// space. Called before the row's archive state changes.
pub async fn set_archived_keys<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    archived: bool,
) -> Result<()> {
    let customer_id = customer_id.get();
    let live = keys_of_row(conn, customer_id).await?;
    if live.is_empty() {
        return Ok(());
    }
    let (set, keys): (&str, Vec<String>) = if archived {
        ("'x' || key", live)
    } else {
        (
            "substr(key, 2)",
            live.iter().map(|k| format!("x{k}")).collect(),
        )
    };
    let (terms, values) = keys_of_customer(customer_id, &keys);
    conn.execute(stmt(
        conn.get_database_backend(),
        &format!("UPDATE search_keys SET key = {set} WHERE {terms}"),
        values,
    ))
    .await?;
    Ok(())
}

/// The rows of some of a customer's search keys, by their primary key.
fn keys_of_customer<K: AsRef<str>>(customer_id: i64, keys: &[K]) -> (String, Vec<Value>) {
    let marks = vec!["?"; keys.len()].join(", ");
    let mut values: Vec<Value> = vec![customer_id.into()];
    values.extend(keys.iter().map(|k| Value::from(k.as_ref())));
    (format!("customer_id = ? AND key IN ({marks})"), values)
}

pub(crate) fn filter_condition(
    backend: DbBackend,
    vis: &Visibility,
    f: &CustomerFilter,
) -> Condition {
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
        c = c.add(text_condition(backend, s, f.archived));
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
        let w = k.sql();
        c = c.add(crate::dialect::cust(backend, &w.sql, w.args));
    }
    c
}

/// The rows of a page's ids, in the ids' order.
pub(crate) async fn page_rows<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<CustomerRow>> {
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
    let backend = conn.get_database_backend();
    let cond = filter_condition(backend, vis, f);
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
        let k: Value = key.clone().into();
        let others = Frag::join(others, " UNION ");
        let page = if others.sql.is_empty() {
            Frag::new(format!("SELECT customer_id AS cid FROM search_keys WHERE key = ? ORDER BY customer_id DESC LIMIT {per_page} OFFSET {offset}"), vec![k.clone()])
        } else {
            Frag::new(
                format!(
                    "SELECT customer_id AS cid FROM search_keys WHERE key = ? UNION {} ORDER BY 1 DESC LIMIT {per_page} OFFSET {offset}",
                    others.sql
                ),
                [vec![k.clone()], others.args.clone()].concat(),
            )
        };
        let mut total = Frag::new(
            "(SELECT COUNT(*) FROM search_keys WHERE key = ?)",
            vec![k.clone()],
        );
        if !others.sql.is_empty() {
            total = Frag::new(
                format!(
                    "{} + (SELECT COUNT(*) FROM ({}) o WHERE NOT EXISTS (SELECT 1 FROM search_keys s WHERE s.key = ? AND s.customer_id = o.cid))",
                    total.sql, others.sql
                ),
                [total.args, others.args, vec![k]].concat(),
            );
        }
        let mut hits = Hit::find_by_statement(stmt(
            backend,
            &format!("SELECT p.cid, {} AS total FROM ({}) p", total.sql, page.sql),
            [total.args.clone(), page.args].concat(),
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
                N::find_by_statement(stmt(
                    backend,
                    &format!("SELECT {} AS n", total.sql),
                    total.args,
                ))
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
            q.union.sql
        );
        let hits = Hit::find_by_statement(stmt(backend, &sql, q.union.args.clone()))
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
            let sql = format!("SELECT COUNT(*) AS n FROM ({}) u", q.union.sql);
            N::find_by_statement(stmt(backend, &sql, q.union.args))
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

/// Removes every search key (before they are all made again by a new key scheme).
pub async fn delete_all_search_keys<C: ConnectionTrait>(conn: &C) -> Result<()> {
    conn.execute_unprepared("DELETE FROM search_keys").await?;
    Ok(())
}

/// Replaces a live customer's search keys: called before its row's names change (the
/// keys stored are those its names make until then).
pub async fn set_search_keys<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    keys: &[String],
) -> Result<()> {
    let customer_id = customer_id.get();
    let old = keys_of_row(conn, customer_id).await?;
    let gone: Vec<&String> = old.iter().filter(|k| !keys.contains(k)).collect();
    for part in gone.chunks(500) {
        let (terms, values) = keys_of_customer(customer_id, part);
        conn.execute(stmt(
            conn.get_database_backend(),
            &format!("DELETE FROM search_keys WHERE {terms}"),
            values,
        ))
        .await?;
    }
    insert_search_keys(conn, &[(customer_id, keys)]).await
}

/// [`insert_search_keys`] for customers just created (so with no keys yet): in an
/// import's bulk transaction, in key order, by one binary `COPY` (PostgreSQL) or bound
/// multi-row statements (SQLite) instead of a statement per 400 keys.
pub async fn insert_new_search_keys<C: ConnectionTrait + std::any::Any>(
    conn: &C,
    rows: &[(i64, &[String])],
) -> Result<()> {
    let Some(bulk) = crate::dialect::bulk::bulk_of(conn) else {
        return insert_search_keys(conn, rows).await;
    };
    // In key order: the (key, customer) index then takes them in runs instead of at
    // random places.
    let mut pairs: Vec<(&str, i64)> = rows
        .iter()
        .flat_map(|(id, ks)| ks.iter().map(move |k| (k.as_str(), *id)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let refs: Vec<&(&str, i64)> = pairs.iter().collect();
    bulk.insert_new(
        "search_keys",
        "key, customer_id",
        2,
        &[],
        &refs,
        |(k, id), out| {
            out.text(k);
            out.int8(*id);
        },
    )
    .await
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

pub(crate) async fn flush_keys<C: ConnectionTrait>(
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
