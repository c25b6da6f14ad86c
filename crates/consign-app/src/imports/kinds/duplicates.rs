//! Likely duplicates of many new customers at once (a batch of a customers import), by
//! the archive's own rules (`customers::judge`), as if they were created one after
//! another: each is checked against the live customers and against the batch's earlier
//! ones that were not refused.
//!
//! Near-same names use prefix filtering: a customer sharing at least `need` of a name's
//! `k` distinctive bigrams shares at least one of any `k - need + 1` of them, so only the
//! rarest `k - need + 1` bigrams are looked up, and each candidate's share is then
//! counted exactly from its own name.

use super::bulk_customers::Newcomer;
#[allow(unused_imports)]
use super::*;
use crate::customers::{judge, mask, name_grams, COMMON_BIGRAM_AT};
use crate::imports::Collision;
use consign_domain::search::customer_keys;
use consign_store::customers::{self as crepo, DupDetail, DupRow};

/// Most hits per rule and new customer (as `duplicate_candidates`).
const PER_RULE: usize = 20;

fn multimap(pairs: Vec<(String, i64)>) -> HashMap<String, Vec<i64>> {
    let mut m: HashMap<String, Vec<i64>> = HashMap::new();
    for (k, id) in pairs {
        let v = m.entry(k).or_default();
        if !v.contains(&id) {
            v.push(id);
        }
    }
    m
}

fn distinct<'a>(it: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = it.filter(|s| !s.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The `c:` keys a customer of this name is indexed under.
fn name_keys(name: &str, short_name: Option<&str>) -> HashSet<String> {
    customer_keys(name, short_name)
        .into_iter()
        .filter(|k| k.starts_with("c:"))
        .collect()
}

/// A name's distinctive bigrams (held by fewer than `COMMON_BIGRAM_AT` customers), how
/// many of them a near-same name must share, and the rarest ones to look up.
fn rare_and_prefix<'a>(
    grams: &'a [String],
    counts: &HashMap<String, u32>,
) -> (Vec<&'a String>, usize, Vec<&'a String>) {
    let count = |g: &String| counts.get(g).copied().unwrap_or(0);
    let mut rare: Vec<&String> = grams
        .iter()
        .filter(|g| count(g) < COMMON_BIGRAM_AT)
        .collect();
    if rare.len() < 2 {
        return (Vec::new(), usize::MAX, Vec::new());
    }
    let k = rare.len();
    let need = (6 * k).div_ceil(10);
    rare.sort_by_key(|g| (count(g), *g));
    let prefix = rare[..k - need + 1].to_vec();
    (rare, need, prefix)
}

fn row(reason: i32, id: i64, d: &DupDetail) -> DupRow {
    DupRow {
        reason,
        id,
        code: d.code.clone(),
        name: d.name.clone(),
        name_norm: d.name_norm.clone(),
        uscc: d.uscc.clone(),
        city: d.city.clone(),
        owner_id: d.owner_id,
        owner_name: d.owner_name.clone(),
    }
}

/// Per new customer, the customers it collides with (empty: write it).
pub(crate) async fn check<C: consign_store::ConnectionTrait>(
    w: &mut Writer<'_>,
    txn: &C,
    new: &[Newcomer],
) -> Result<Vec<Vec<Collision>>> {
    let grams: Vec<Vec<String>> = new.iter().map(|n| name_grams(&n.norm)).collect();
    // Key counts: read once per run, then followed as this run adds customers.
    let unseen = distinct(
        grams
            .iter()
            .flatten()
            .filter(|g| !w.key_counts.contains_key(*g))
            .map(String::as_str),
    );
    let fetched = crepo::key_counts(txn, &unseen, COMMON_BIGRAM_AT).await?;
    w.key_counts.extend(fetched);
    // The archive's side, for the whole batch at once.
    let by_uscc = multimap(
        crepo::ids_by_uscc(txn, &distinct(new.iter().filter_map(|n| n.uscc.as_deref()))).await?,
    );
    let hashes = distinct(
        new.iter()
            .flat_map(|n| n.phone_hashes.iter().map(String::as_str)),
    );
    let by_phone = multimap(crepo::ids_by_phone_hash(txn, &hashes).await?);
    let by_norm = multimap(
        crepo::ids_by_name_norm(txn, &distinct(new.iter().map(|n| n.norm.as_str()))).await?,
    );
    let prefix_keys = distinct(
        grams
            .iter()
            .flat_map(|g| rare_and_prefix(g, &w.key_counts).2)
            .map(String::as_str),
    );
    let mut by_key = multimap(crepo::ids_by_key(txn, &prefix_keys).await?);
    for k in &prefix_keys {
        by_key.entry(k.to_string()).or_default();
    }
    let mut details: HashMap<i64, DupDetail> = HashMap::new();
    let ids: Vec<i64> = {
        let mut v: Vec<i64> = [&by_uscc, &by_phone, &by_norm, &by_key]
            .iter()
            .flat_map(|m| m.values().flatten().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for d in crepo::dup_details(txn, &ids).await? {
        details.insert(d.id, d);
    }
    let mut keys_of: HashMap<i64, HashSet<String>> = HashMap::new();
    // The batch's side: the new customers accepted so far.
    let mut mine_uscc: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_phone: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_norm: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_key: HashMap<String, Vec<usize>> = HashMap::new();
    let mut mine_keys: Vec<HashSet<String>> = Vec::with_capacity(new.len());
    let mut out = Vec::with_capacity(new.len());
    for (i, n) in new.iter().enumerate() {
        let (rare, need, prefix) = rare_and_prefix(&grams[i], &w.key_counts);
        // A key the batch's start did not count as among the rarest: read it now.
        let missing: Vec<&str> = prefix
            .iter()
            .filter(|k| !by_key.contains_key(k.as_str()))
            .map(|k| k.as_str())
            .collect();
        if !missing.is_empty() {
            let more = multimap(crepo::ids_by_key(txn, &missing).await?);
            let new_ids: Vec<i64> = more
                .values()
                .flatten()
                .copied()
                .filter(|id| !details.contains_key(id))
                .collect();
            for d in crepo::dup_details(txn, &new_ids).await? {
                details.insert(d.id, d);
            }
            for k in missing {
                by_key.insert(k.to_string(), more.get(k).cloned().unwrap_or_default());
            }
        }
        let mut rows: Vec<DupRow> = Vec::new();
        // Archive candidates (ids as stored).
        let exact = |reason: i32, ids: Option<&Vec<i64>>, rows: &mut Vec<DupRow>| {
            for id in ids.into_iter().flatten().take(PER_RULE) {
                if let Some(d) = details.get(id) {
                    rows.push(row(reason, *id, d));
                }
            }
        };
        if let Some(u) = n.uscc.as_deref() {
            exact(1, by_uscc.get(u), &mut rows);
        }
        let mut phone_ids: Vec<i64> = n
            .phone_hashes
            .iter()
            .filter_map(|h| by_phone.get(h))
            .flatten()
            .copied()
            .collect();
        phone_ids.sort_unstable();
        phone_ids.dedup();
        exact(2, Some(&phone_ids), &mut rows);
        if !n.norm.is_empty() {
            exact(3, by_norm.get(&n.norm), &mut rows);
        }
        if !rare.is_empty() {
            let mut cands: Vec<i64> = prefix
                .iter()
                .filter_map(|k| by_key.get(k.as_str()))
                .flatten()
                .copied()
                .collect();
            cands.sort_unstable();
            cands.dedup();
            let mut near: Vec<(usize, i64)> = Vec::new();
            for id in cands {
                let Some(d) = details.get(&id) else { continue };
                let keys = keys_of
                    .entry(id)
                    .or_insert_with(|| name_keys(&d.name, d.short_name.as_deref()));
                let shared = rare.iter().filter(|g| keys.contains(g.as_str())).count();
                if shared >= need {
                    near.push((shared, id));
                }
            }
            near.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, id) in near.into_iter().take(PER_RULE) {
                rows.push(row(4, id, &details[&id]));
            }
        }
        // Batch candidates (ids below zero: -(index + 1)).
        let mine = |reason: i32, js: &[usize], rows: &mut Vec<DupRow>| {
            for &j in js.iter().take(PER_RULE) {
                let m = &new[j];
                rows.push(DupRow {
                    reason,
                    id: -(j as i64) - 1,
                    code: m.code.clone(),
                    name: m.name.clone(),
                    name_norm: m.norm.clone(),
                    uscc: m.uscc.clone(),
                    city: m.city.clone(),
                    owner_id: None,
                    owner_name: None,
                });
            }
        };
        if let Some(js) = n.uscc.as_deref().and_then(|u| mine_uscc.get(u)) {
            mine(1, js, &mut rows);
        }
        let mut phone_js: Vec<usize> = n
            .phone_hashes
            .iter()
            .filter_map(|h| mine_phone.get(h.as_str()))
            .flatten()
            .copied()
            .collect();
        phone_js.sort_unstable();
        phone_js.dedup();
        mine(2, &phone_js, &mut rows);
        if let Some(js) = mine_norm
            .get(n.norm.as_str())
            .filter(|_| !n.norm.is_empty())
        {
            mine(3, js, &mut rows);
        }
        if !rare.is_empty() {
            let mut cands: Vec<usize> = prefix
                .iter()
                .filter_map(|k| mine_key.get(k.as_str()))
                .flatten()
                .copied()
                .collect();
            cands.sort_unstable();
            cands.dedup();
            let mut near: Vec<(usize, usize)> = cands
                .into_iter()
                .map(|j| {
                    let keys = &mine_keys[j];
                    (rare.iter().filter(|g| keys.contains(g.as_str())).count(), j)
                })
                .filter(|(shared, _)| *shared >= need)
                .collect();
            near.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let js: Vec<usize> = near.into_iter().map(|(_, j)| j).collect();
            mine(4, &js, &mut rows);
        }
        rows.sort_by_key(|r| (r.id, r.reason));
        let hits = judge(&n.norm, n.uscc.as_deref(), n.city.as_deref(), rows, None);
        let (batch, archive): (Vec<_>, Vec<_>) = hits
            .into_iter()
            .partition(|h| h.id.is_some_and(|id| id.get() < 0));
        let mut collisions: Vec<Collision> = mask(&w.vis, archive)
            .into_iter()
            .map(|h| Collision {
                code: h.id.map(|_| h.code),
                name: h.id.map(|_| h.name),
                rules: h.reasons.iter().map(|r| r.to_string()).collect(),
            })
            .collect();
        collisions.extend(batch.into_iter().map(|h| Collision {
            code: Some(h.code),
            name: Some(h.name),
            rules: h.reasons.iter().map(|r| r.to_string()).collect(),
        }));
        // Accepted: later new customers are checked against it, and its keys count.
        let keys = name_keys(&n.name, n.short_name.as_deref());
        if collisions.is_empty() {
            if let Some(u) = n.uscc.as_deref().filter(|u| !u.is_empty()) {
                mine_uscc.entry(u).or_default().push(i);
            }
            for h in &n.phone_hashes {
                mine_phone.entry(h.as_str()).or_default().push(i);
            }
            if !n.norm.is_empty() {
                mine_norm.entry(n.norm.as_str()).or_default().push(i);
            }
            for k in &keys {
                if let Some(c) = w.key_counts.get_mut(k) {
                    *c += 1;
                }
                mine_key.entry(k.clone()).or_default().push(i);
            }
        }
        mine_keys.push(keys);
        out.push(collisions);
    }
    Ok(out)
}
