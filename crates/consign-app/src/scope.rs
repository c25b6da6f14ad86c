//! Which customers a user may see, and what of them: the check every use case makes
//! before it reads or writes a customer's records.

use crate::auth::Actor;
use crate::{App, AppError, Result};
use consign_domain::customer::CustomerId;
use consign_domain::role::{Role, Scope};
use consign_domain::FieldErrors;
use consign_store::customers as repo;
use consign_store::entity::customer;
pub use consign_store::scope::Visibility;
use consign_store::users as users_repo;
use std::collections::HashMap;

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

pub(crate) fn visible(vis: &Visibility, c: &customer::Model) -> bool {
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

/// Loads a customer the actor may see; anything else is "not found".
pub(crate) async fn load_visible(
    app: &App,
    actor: &Actor,
    id: CustomerId,
) -> Result<(customer::Model, Visibility)> {
    let vis = visibility(app, actor).await?;
    let c = repo::find(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !visible(&vis, &c) {
        return Err(AppError::NotFound);
    }
    Ok((c, vis))
}

/// The customer, if the actor may see it (else NotFound, as if it did not exist).
pub async fn visible_customer(app: &App, actor: &Actor, id: CustomerId) -> Result<customer::Model> {
    let vis = visibility(app, actor).await?;
    match repo::find(&app.db.conn, id).await? {
        Some(c) if visible(&vis, &c) => Ok(c),
        _ => Err(AppError::NotFound),
    }
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

/// A customer named in an operations record: by id, or else by code.
#[derive(Debug, Clone, Copy)]
pub struct CustomerRefIn<'a> {
    pub id: Option<CustomerId>,
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
        let by_id = r.id.map(CustomerId::get);
        let Some(cid) = by_id.or_else(|| by_code.get(r.code).copied()) else {
            out.push(None);
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(cid) {
            slot.insert(
                match repo::find(&app.db.conn, CustomerId::trusted(cid)).await? {
                    Some(c) if visible(&vis, &c) => Some((c.code, c.name)),
                    _ => None,
                },
            );
        }
        out.push(
            seen.get(&cid)
                .and_then(|f| f.clone())
                .map(|(code, name)| (cid, code, name)),
        );
    }
    Ok(out)
}
