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
use consign_domain::search::cjk_pairs;
use consign_store::customers::{self as crepo, DupDetail, DupRow, KeyHolder};

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

/// A `c:` search key as a pair of characters (a single character pairs with `\0`).
type Pair = (char, char);

fn pair_of(key: &str) -> Pair {
    let mut c = key.trim_start_matches("c:").chars();
    (c.next().unwrap_or('\0'), c.next().unwrap_or('\0'))
}

/// The `c:` keys a customer of these names is indexed under (`search::cjk_pairs`, as
/// `search::keys_for` makes them), sorted.
fn name_pairs(name: &str, short_name: Option<&str>) -> Vec<Pair> {
    let mut out = Vec::new();
    for text in std::iter::once(name).chain(short_name) {
        let chars: Vec<char> = text.chars().collect();
        out.extend(cjk_pairs(&chars).map(|(c, n)| (c, n.unwrap_or('\0'))));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The search key of a pair.
fn key_of(p: &Pair) -> String {
    match p.1 {
        '\0' => format!("c:{}", p.0),
        b => format!("c:{}{b}", p.0),
    }
}

fn shared(rare: &[Pair], keys: &[Pair]) -> usize {
    rare.iter()
        .filter(|p| keys.binary_search(p).is_ok())
        .count()
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

/// The archive's customers sharing at least `need` of a new name's `rare` pairs, found
/// through the holders of its `prefix` keys: (pairs shared, id), most shared first.
fn near_in_archive(
    rare: &[Pair],
    need: usize,
    prefix: &[&str],
    holders: &Holders,
) -> Vec<(usize, i64)> {
    let mut cands: Vec<i64> = prefix
        .iter()
        .filter_map(|k| holders.by_key.get(*k))
        .flatten()
        .copied()
        .collect();
    cands.sort_unstable();
    cands.dedup();
    let mut near: Vec<(usize, i64)> = Vec::new();
    for id in cands {
        let k = holders.names.get(&id).map_or(0, |p| shared(rare, p));
        if k >= need {
            near.push((k, id));
        }
    }
    near.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    near.truncate(PER_RULE);
    near
}

/// What a new name is matched by: its rare pairs, how many a near-same name shares, the
/// keys looked up, and the archive's near-same names found that way.
struct Probe {
    rare: Vec<Pair>,
    need: usize,
    prefix: Vec<String>,
    near: Vec<(usize, i64)>,
}

impl Probe {
    fn of(grams: &[String], counts: &HashMap<String, u32>, holders: &Holders) -> Probe {
        let (rare, need, prefix) = rare_and_prefix(grams, counts);
        let rare: Vec<Pair> = rare.iter().map(|g| pair_of(g)).collect();
        let keys: Vec<&str> = prefix.iter().map(|k| k.as_str()).collect();
        let near = if rare.is_empty() {
            Vec::new()
        } else {
            near_in_archive(&rare, need, &keys, holders)
        };
        Probe {
            rare,
            need,
            prefix: prefix.into_iter().cloned().collect(),
            near,
        }
    }
}

/// The live customers holding some search keys, with their names' keys: read once per
/// run as needed, then followed as the run adds customers.
#[derive(Default)]
pub(crate) struct Holders {
    by_key: HashMap<String, Vec<i64>>,
    names: HashMap<i64, Vec<Pair>>,
}

impl Holders {
    /// A customer this run wrote.
    pub(crate) fn add(&mut self, id: i64, name: &str, short_name: Option<&str>) {
        let pairs = name_pairs(name, short_name);
        let mut held = false;
        for p in &pairs {
            if let Some(v) = self.by_key.get_mut(&key_of(p)) {
                v.push(id);
                held = true;
            }
        }
        if held {
            self.names.insert(id, pairs);
        }
    }

    async fn read<C: consign_store::ConnectionTrait>(
        &mut self,
        txn: &C,
        keys: &[&str],
    ) -> Result<()> {
        let keys: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| !self.by_key.contains_key(*k))
            .collect();
        for k in &keys {
            self.by_key.insert(k.to_string(), Vec::new());
        }
        for KeyHolder {
            key,
            id,
            name,
            short_name,
        } in crepo::holders_of_keys(txn, &keys).await?
        {
            self.names
                .entry(id)
                .or_insert_with(|| name_pairs(&name, short_name.as_deref()));
            self.by_key.entry(key).or_default().push(id);
        }
        Ok(())
    }
}

/// Per new customer, the customers it collides with (empty: write it).
pub(crate) async fn check<C: consign_store::ConnectionTrait>(
    w: &mut Writer<'_>,
    txn: &C,
    new: &[Newcomer],
) -> Result<Vec<Vec<Collision>>> {
    let t0 = std::time::Instant::now();
    let grams: Vec<Vec<String>> = new.iter().map(|n| name_grams(&n.norm)).collect();
    // Key counts: read once per run, then followed as this run adds customers.
    let unseen = distinct(
        grams
            .iter()
            .flatten()
            .filter(|g| !w.customers.key_counts.contains_key(*g))
            .map(String::as_str),
    );
    let fetched = crepo::key_counts(txn, &unseen, COMMON_BIGRAM_AT).await?;
    w.customers.key_counts.extend(fetched);
    let t_counts = t0.elapsed();
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
    let t_exact = t0.elapsed();
    let prefix_keys = distinct(
        grams
            .iter()
            .flat_map(|g| rare_and_prefix(g, &w.customers.key_counts).2)
            .map(String::as_str),
    );
    let mut holders = std::mem::take(&mut w.customers.holders);
    holders.read(txn, &prefix_keys).await?;
    let t_holders = t0.elapsed();
    // The archive's near-same names of every new name, by the counts at the batch's start,
    // on two threads: the checks in file order below reuse each one whose keys the
    // batch's own customers have not changed (most), and redo the others.
    let probes: Vec<Probe> = {
        let (counts, held) = (&w.customers.key_counts, &holders);
        let half = grams.len() / 2;
        std::thread::scope(|scope| {
            let later = scope.spawn(|| {
                grams[half..]
                    .iter()
                    .map(|g| Probe::of(g, counts, held))
                    .collect::<Vec<Probe>>()
            });
            let mut v: Vec<Probe> = grams[..half]
                .iter()
                .map(|g| Probe::of(g, counts, held))
                .collect();
            v.extend(later.join().unwrap_or_default());
            v
        })
    };
    if probes.len() != new.len() {
        return Err(AppError::internal("duplicate probes lost"));
    }
    let mut details: HashMap<i64, DupDetail> = HashMap::new();
    let ids: Vec<i64> = {
        let mut v: Vec<i64> = [&by_uscc, &by_phone, &by_norm]
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
    // The batch's side: the new customers accepted so far.
    let mut mine_uscc: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_phone: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_norm: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut mine_key: HashMap<Pair, Vec<usize>> = HashMap::new();
    let mut mine_pairs: Vec<Vec<Pair>> = Vec::with_capacity(new.len());
    let mut out = Vec::with_capacity(new.len());
    for (i, (n, early)) in new.iter().zip(probes).enumerate() {
        let (rare, need, prefix) = rare_and_prefix(&grams[i], &w.customers.key_counts);
        let rare: Vec<Pair> = rare.iter().map(|g| pair_of(g)).collect();
        let prefix: Vec<&str> = prefix.iter().map(|k| k.as_str()).collect();
        // Near-same names in the archive: as found at the batch's start when the keys are
        // the same (a key the start did not count among the rarest is read now).
        let near = if early.rare == rare && early.need == need && early.prefix == prefix {
            early.near
        } else if rare.is_empty() {
            Vec::new()
        } else {
            holders.read(txn, &prefix).await?;
            near_in_archive(&rare, need, &prefix, &holders)
        };
        if !near.is_empty() {
            let unknown: Vec<i64> = near
                .iter()
                .map(|(_, id)| *id)
                .filter(|id| !details.contains_key(id))
                .collect();
            if !unknown.is_empty() {
                for d in crepo::dup_details(txn, &unknown).await? {
                    details.insert(d.id, d);
                }
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
        let near_ids: Vec<i64> = near.iter().map(|(_, id)| *id).collect();
        exact(4, Some(&near_ids), &mut rows);
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
                .filter_map(|k| mine_key.get(&pair_of(k)))
                .flatten()
                .copied()
                .collect();
            cands.sort_unstable();
            cands.dedup();
            let mut near: Vec<(usize, usize)> = cands
                .into_iter()
                .map(|j| (shared(&rare, &mine_pairs[j]), j))
                .filter(|(k, _)| *k >= need)
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
        let pairs = name_pairs(&n.name, n.short_name.as_deref());
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
            for p in &pairs {
                if let Some(c) = w.customers.key_counts.get_mut(&key_of(p)) {
                    *c += 1;
                }
                mine_key.entry(*p).or_default().push(i);
            }
        }
        mine_pairs.push(pairs);
        out.push(collisions);
    }
    tracing::debug!(
        new = new.len(),
        counts_ms = t_counts.as_millis() as u64,
        exact_ms = (t_exact - t_counts).as_millis() as u64,
        holders_ms = (t_holders - t_exact).as_millis() as u64,
        held = holders.names.len(),
        total_ms = t0.elapsed().as_millis() as u64,
        "likely duplicates"
    );
    w.customers.holders = holders;
    Ok(out)
}
