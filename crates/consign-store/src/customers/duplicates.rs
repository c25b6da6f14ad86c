//! Likely duplicates of a new or edited customer.

#[allow(unused_imports)]
use super::*;

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
    pub uscc: Option<String>,
    pub city: Option<String>,
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
        "{cte}SELECT m.reason, c.id, c.code, c.name, c.name_norm, c.uscc, c.city, c.owner_id, u.display_name AS owner_name \
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

// ---- many at once (imports) ----

/// `(value, customer id)` for every row of `sql` (which selects `v` and `id` and has one
/// `IN ({marks})` list) over `values`, in statement-sized pieces.
async fn pairs_in<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: &[&str],
) -> Result<Vec<(String, i64)>> {
    let backend = conn.get_database_backend();
    let mut out = Vec::new();
    for chunk in crate::dialect::pieces(values) {
        let marks = vec!["?"; chunk.len()].join(",");
        let vals = chunk.iter().map(|v| Value::from(*v)).collect();
        for r in conn
            .query_all(stmt(backend, &sql.replace("{marks}", &marks), vals))
            .await?
        {
            out.push((r.try_get::<String>("", "v")?, r.try_get::<i64>("", "id")?));
        }
    }
    Ok(out)
}

/// Customers with one of these USCCs: `(uscc, id)` (archived ones too: `dup_details`
/// leaves them out; with `archived_at IS NULL` here, SQLite without statistics walked
/// every live customer instead of the index).
pub async fn ids_by_uscc<C: ConnectionTrait>(
    conn: &C,
    usccs: &[&str],
) -> Result<Vec<(String, i64)>> {
    pairs_in(
        conn,
        "SELECT uscc AS v, id FROM customers WHERE uscc IN ({marks})",
        usccs,
    )
    .await
}

/// Customers with one of these normalized names: `(name_norm, id)` (archived too).
pub async fn ids_by_name_norm<C: ConnectionTrait>(
    conn: &C,
    names: &[&str],
) -> Result<Vec<(String, i64)>> {
    pairs_in(
        conn,
        "SELECT name_norm AS v, id FROM customers WHERE name_norm IN ({marks})",
        names,
    )
    .await
}

/// Customers with a contact whose phone has one of these hashes: `(hash, id)` (archived too).
pub async fn ids_by_phone_hash<C: ConnectionTrait>(
    conn: &C,
    hashes: &[&str],
) -> Result<Vec<(String, i64)>> {
    pairs_in(
        conn,
        "SELECT DISTINCT phone_hash AS v, customer_id AS id FROM contacts WHERE phone_hash IN ({marks})",
        hashes,
    )
    .await
}

/// A live customer holding one of the search keys asked for, with its names.
#[derive(Debug, Clone, FromQueryResult)]
pub struct KeyHolder {
    pub key: String,
    pub id: i64,
    pub name: String,
    pub short_name: Option<String>,
}

/// The live customers holding each of these search keys, with their names.
pub async fn holders_of_keys<C: ConnectionTrait>(
    conn: &C,
    keys: &[&str],
) -> Result<Vec<KeyHolder>> {
    let backend = conn.get_database_backend();
    let mut out = Vec::new();
    for chunk in crate::dialect::pieces(keys) {
        let sql = format!(
            // CROSS JOIN: SQLite then reads the keys first (without statistics it chose
            // to walk every live customer and probe its keys: 2 s instead of 10 ms).
            "SELECT s.key, c.id, c.name, c.short_name FROM search_keys s \
             CROSS JOIN customers c WHERE c.id = s.customer_id \
             AND s.key IN ({}) AND c.archived_at IS NULL",
            vec!["?"; chunk.len()].join(",")
        );
        let vals = chunk.iter().map(|v| Value::from(*v)).collect();
        out.extend(
            KeyHolder::find_by_statement(stmt(backend, &sql, vals))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// How many customers hold each of these search keys, counted up to `cap`.
pub async fn key_counts<C: ConnectionTrait>(
    conn: &C,
    keys: &[&str],
    cap: u32,
) -> Result<HashMap<String, u32>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in crate::dialect::pieces(keys) {
        let sql = format!(
            "WITH g(key) AS (VALUES {}) SELECT g.key AS v, (SELECT COUNT(*) FROM \
             (SELECT 1 FROM search_keys s WHERE s.key = g.key LIMIT {cap}) x) AS n FROM g",
            vec!["(?)"; chunk.len()].join(",")
        );
        let vals = chunk.iter().map(|v| Value::from(*v)).collect();
        for r in conn.query_all(stmt(backend, &sql, vals)).await? {
            out.insert(
                r.try_get::<String>("", "v")?,
                r.try_get::<i64>("", "n")? as u32,
            );
        }
    }
    Ok(out)
}

/// A live customer met as a likely duplicate, with what judging it needs.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DupDetail {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub name_norm: String,
    pub uscc: Option<String>,
    pub city: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The live ones of these customers, with their owners' names.
pub async fn dup_details<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<DupDetail>> {
    let backend = conn.get_database_backend();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in crate::dialect::pieces(ids) {
        let sql = format!(
            "SELECT c.id, c.code, c.name, c.short_name, c.name_norm, c.uscc, c.city, c.owner_id, \
             u.display_name AS owner_name, c.archived_at FROM customers c \
             LEFT JOIN users u ON u.id = c.owner_id WHERE c.id IN ({})",
            vec!["?"; chunk.len()].join(",")
        );
        let vals = chunk.iter().map(|v| Value::from(*v)).collect();
        // Live ones only, sorted out here: with `archived_at IS NULL` in the statement,
        // SQLite without statistics walked every live customer instead of the ids.
        out.extend(
            DupDetail::find_by_statement(stmt(backend, &sql, vals))
                .all(conn)
                .await?
                .into_iter()
                .filter(|d| d.archived_at.is_none()),
        );
    }
    Ok(out)
}
