//! Checking a customer's fields as a client sends them.

#[allow(unused_imports)]
use super::*;

pub(crate) struct Draft {
    pub(crate) name: String,
    pub(crate) short_name: Option<String>,
    pub(crate) kind: CustomerKind,
    pub(crate) gov_level: Option<GovLevel>,
    pub(crate) industry: Option<String>,
    pub(crate) province: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) goods_types: Option<String>,
    pub(crate) service_modes: Vec<ServiceMode>,
    pub(crate) data_source: DataSource,
    pub(crate) status: CustomerStatus,
    pub(crate) uscc: Option<String>,
    pub(crate) id_number: Option<String>,
    pub(crate) notes: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) custom_fields: BTreeMap<String, String>,
}

/// An optional text field: the new value if sent, else the stored one; checked for length.
pub(crate) fn opt_field(
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
pub(crate) fn validate_input(
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

pub(crate) fn apply(am: &mut customer::ActiveModel, d: &Draft, app: &App) {
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

pub(crate) fn search_keys(d: &Draft) -> Vec<String> {
    search::customer_keys(&d.name, d.short_name.as_deref())
}

/// Setting holding the search-key scheme the stored keys were built with.
pub(crate) const KEYS_VERSION_SETTING: &str = "search.keys_version";

/// Rebuilds every customer's search keys when they were built by an older scheme
/// (`search::KEYS_VERSION`); a no-op otherwise. Runs at start-up, before anything is
/// served: every key removed, then made again in batches of 1,000 customers per
/// transaction (a run cut short leaves the old version stored, so the next start does it
/// all again); returns how many customers were re-indexed.
pub async fn reindex_if_needed(app: &App) -> Result<u64> {
    let current = search::KEYS_VERSION.to_string();
    let stored = consign_store::settings::get(&app.db.conn, KEYS_VERSION_SETTING).await?;
    if stored.as_deref() == Some(current.as_str()) {
        return Ok(0);
    }
    let txn = app.db.begin_write().await?;
    repo::delete_all_search_keys(&txn).await?;
    txn.commit().await?;
    let mut after = 0i64;
    let mut done = 0u64;
    loop {
        let batch = repo::key_sources(&app.db.conn, after, 1000).await?;
        let Some(last) = batch.last() else {
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
pub(crate) async fn resolve_owner(
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
