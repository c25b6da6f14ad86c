//! Likely duplicates of a new or changed customer, named only within scope.

#[allow(unused_imports)]
use super::*;

/// Likely duplicates of a prospective customer: same USCC, same contact phone, same or
/// near-same name — but a name alone does not make a duplicate of a customer in another
/// city with another USCC (two branches of one group are two customers). `exclude`
/// leaves out the customer itself on edit.
/// A name bigram held by this many customers is too common to suggest a near-duplicate.
pub(crate) const COMMON_BIGRAM_AT: u32 = 1000;

///
/// Customers outside the actor's scope are not named: such a hit keeps its reasons (a
/// duplicate still blocks a create) but has no id, code, name or owner (`hidden`).
pub async fn find_duplicates(
    app: &App,
    actor: &Actor,
    name: &str,
    uscc: Option<&str>,
    city: Option<&str>,
    phones: &[Phone],
    exclude: Option<CustomerId>,
) -> Result<Vec<DuplicateHit>> {
    let norm = search::normalize_name(name);
    // Near-same: candidates sharing most name bigrams, then a similarity check.
    let grams = name_grams(&norm);
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
    let hits = judge(&norm, uscc, city, rows, exclude);
    let vis = visibility(app, actor).await?;
    Ok(mask(&vis, hits))
}

/// The distinct `c:` keys of a normalized name's bigrams (none for fewer than two).
pub(crate) fn name_grams(norm: &str) -> Vec<String> {
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
}

/// The duplicate rules over candidate rows (one per customer and reason, by customer):
/// same USCC, same phone, same name — a name alone not across both another city and
/// another USCC — and near-same names when nothing stronger names the customer.
pub(crate) fn judge(
    norm: &str,
    uscc: Option<&str>,
    city: Option<&str>,
    rows: Vec<repo::DupRow>,
    exclude: Option<CustomerId>,
) -> Vec<DuplicateHit> {
    use repo::DupReason;
    let mut hits: BTreeMap<i64, DuplicateHit> = BTreeMap::new();
    let differ = |a: Option<&str>, b: Option<&str>| {
        let (a, b) = (a.map(str::trim), b.map(str::trim));
        matches!((a, b), (Some(x), Some(y)) if !x.is_empty() && !y.is_empty() && x != y)
    };
    // Candidates apart by both city and USCC: matched by name only, they are not kept.
    let apart: std::collections::HashSet<i64> = rows
        .iter()
        .filter(|r| differ(city, r.city.as_deref()) && differ(uscc, r.uscc.as_deref()))
        .map(|r| r.id)
        .collect();
    for r in rows {
        if Some(CustomerId::trusted(r.id)) == exclude {
            continue;
        }
        let reason = match r.reason() {
            DupReason::Uscc => "customer.duplicate_reason.uscc",
            DupReason::Phone => "customer.duplicate_reason.phone",
            DupReason::Name if apart.contains(&r.id) => continue,
            DupReason::SimilarCandidate if apart.contains(&r.id) => continue,
            DupReason::Name => "customer.duplicate_reason.name",
            DupReason::SimilarCandidate => {
                // Only when nothing stronger names it, and the names are close enough.
                if hits.contains_key(&r.id) || search::name_similarity(norm, &r.name_norm) < 0.75 {
                    continue;
                }
                "customer.duplicate_reason.similar_name"
            }
        };
        let hit = hits.entry(r.id).or_insert_with(|| DuplicateHit {
            reasons: vec![],
            owner_name: r.owner_name.clone(),
            owner_id: r.owner_id,
            id: Some(CustomerId::trusted(r.id)),
            code: r.code.clone(),
            name: r.name.clone(),
        });
        if !hit.reasons.contains(&reason) {
            hit.reasons.push(reason);
        }
    }
    hits.into_values().collect()
}

/// Hits outside the actor's scope keep their reasons but lose who they are.
pub(crate) fn mask(vis: &repo::Visibility, hits: Vec<DuplicateHit>) -> Vec<DuplicateHit> {
    hits.into_iter()
        .map(|h| {
            if owner_visible(vis, h.owner_id) {
                h
            } else {
                DuplicateHit {
                    id: None,
                    code: String::new(),
                    name: String::new(),
                    owner_name: None,
                    owner_id: None,
                    reasons: h.reasons,
                }
            }
        })
        .collect()
}
