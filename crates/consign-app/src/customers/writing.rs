//! Creating, changing, archiving, releasing, claiming and merging customers.

#[allow(unused_imports)]
use super::*;

/// A new customer with its first contacts.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub customer: CustomerInput,
    pub contacts: Vec<ContactInput>,
}

pub async fn create(app: &App, actor: &Actor, input: &NewCustomer) -> Result<CustomerDetail> {
    if !actor.role.can_edit_customers() {
        return Err(AppError::Forbidden);
    }
    let c = &input.customer;
    let mut errs = FieldErrors::new();
    let code = match c.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => errs.check("code", CustomerCode::parse(code)),
        None => None,
    };
    let draft = match validate_input(c, None) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    let mut contacts = Vec::new();
    for (i, k) in input.contacts.iter().enumerate() {
        match validate_contact(k, None, &format!("contacts[{i}].")) {
            Ok(d) => contacts.push(d),
            Err(e) => errs.0.extend(e.0),
        }
    }
    let owner = match resolve_owner(app, actor, c.owner_id, None, true).await {
        Ok(o) => o,
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    errs.clone().into_result()?;
    let Some(draft) = draft else {
        return Err(AppError::Validation(errs));
    };
    if let Some(code) = &code {
        if repo::find_by_code(&app.db.conn, code).await?.is_some() {
            return Err(AppError::Conflict {
                field: "code".into(),
                code: "err.duplicate_code",
            });
        }
    }
    if !c.confirm_duplicates {
        let phones: Vec<Phone> = contacts.iter().filter_map(|k| k.phone.clone()).collect();
        let hits = find_duplicates(
            app,
            actor,
            &draft.name,
            draft.uscc.as_deref(),
            draft.city.as_deref(),
            &phones,
            None,
        )
        .await?;
        if !hits.is_empty() {
            return Err(AppError::Duplicates(hits));
        }
    }
    let created = write_new(
        app,
        CreateJob {
            actor: actor.clone(),
            code,
            draft,
            owner,
            contacts,
        },
    )
    .await?;
    get(app, actor, CustomerId::trusted(created)).await
}

// ---- group commit of creates ----

/// New customers waiting to be written. Concurrent creates are written together: one
/// transaction and one statement per table for all of them (group commit). The first
/// create to get the leader lock writes everything queued until then; the others find
/// their customer already written when their turn comes.
#[derive(Default)]
pub struct CreateQueue {
    pub(crate) pending: std::sync::Mutex<Vec<(CreateJob, oneshot::Sender<Result<i64>>)>>,
    pub(crate) leader: tokio::sync::Mutex<()>,
}

/// Creates per transaction at most.
pub(crate) const MAX_BATCH: usize = 64;
/// Prospects an import creates, per group of statements.
pub(crate) const PROSPECT_BATCH: usize = 500;

pub(crate) struct CreateJob {
    pub(crate) actor: Actor,
    pub(crate) code: Option<CustomerCode>,
    pub(crate) draft: Draft,
    pub(crate) owner: Option<i64>,
    pub(crate) contacts: Vec<ContactDraft>,
}

/// Writes a validated new customer (queued with concurrent creates) and returns its id.
pub(crate) async fn write_new(app: &App, job: CreateJob) -> Result<i64> {
    let (tx, rx) = oneshot::channel();
    let app = app.clone();
    // A task of its own: a client that goes away must not cancel a batch holding others'
    // customers.
    tokio::spawn(async move {
        let q = &app.creates;
        lock(&q.pending).push((job, tx));
        let _leader = q.leader.lock().await;
        let batch = std::mem::take(&mut *lock(&q.pending));
        let mut rest = batch.into_iter().peekable();
        while rest.peek().is_some() {
            let chunk: Vec<_> = rest.by_ref().take(MAX_BATCH).collect();
            write_batch(&app, chunk).await;
        }
    });
    rx.await
        .map_err(|_| AppError::internal("customer create was not written"))?
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) async fn write_batch(app: &App, jobs: Vec<(CreateJob, oneshot::Sender<Result<i64>>)>) {
    if jobs.len() > 1 {
        let (js, txs): (Vec<CreateJob>, Vec<_>) = jobs.into_iter().unzip();
        match insert_customers(app, &js).await {
            Ok(ids) => {
                for (tx, id) in txs.into_iter().zip(ids) {
                    let _ = tx.send(Ok(id));
                }
            }
            // One bad create (a code taken twice in the batch, say) must not fail the
            // others: each on its own, so each gets its own answer.
            Err(_) => {
                for (job, tx) in js.into_iter().zip(txs) {
                    let _ = tx.send(insert_one(app, &job).await);
                }
            }
        }
    } else {
        for (job, tx) in jobs {
            let _ = tx.send(insert_one(app, &job).await);
        }
    }
}

/// One create in its own transaction, taking the next generated code on a collision.
pub(crate) async fn insert_one(app: &App, job: &CreateJob) -> Result<i64> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match insert_customers(app, std::slice::from_ref(job)).await {
            // A generated code can collide with a concurrent writer on PostgreSQL: take the next.
            Err(AppError::Store(consign_store::StoreError::Unique(_)))
                if job.code.is_none() && attempts < 5 =>
            {
                continue
            }
            Err(AppError::Store(consign_store::StoreError::Unique(_))) => {
                return Err(AppError::Conflict {
                    field: "code".into(),
                    code: "err.duplicate_code",
                })
            }
            other => return other?.pop().ok_or(AppError::NotFound),
        }
    }
}

/// Writes new customers with their keys, tags, contacts and audit entries in one
/// transaction, one statement per table for the dependants.
pub(crate) async fn insert_customers(app: &App, jobs: &[CreateJob]) -> Result<Vec<i64>> {
    let txn = app.db.begin_write().await?;
    let created = insert_customers_in(app, &txn, jobs, Utc::now()).await?;
    txn.commit().await?;
    Ok(created)
}

/// Customers first seen in operations data (an import was told to create them), as
/// prospects, in the caller's transaction: `(code, name)` in, ids out, in order.
pub(crate) async fn create_prospects<C: ConnectionTrait + 'static>(
    app: &App,
    conn: &C,
    actor: &Actor,
    new: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let jobs: Vec<CreateJob> = new
        .iter()
        .map(|(code, name)| CreateJob {
            actor: actor.clone(),
            code: Some(CustomerCode::trusted(code.clone())),
            draft: Draft {
                name: name.clone(),
                short_name: None,
                kind: CustomerKind::Enterprise,
                gov_level: None,
                industry: None,
                province: None,
                city: None,
                address: None,
                goods_types: None,
                service_modes: Vec::new(),
                data_source: DataSource::Internal,
                status: CustomerStatus::Prospect,
                uscc: None,
                id_number: None,
                notes: None,
                tags: Vec::new(),
                custom_fields: BTreeMap::new(),
            },
            owner: None,
            contacts: Vec::new(),
        })
        .collect();
    // In groups: each group's customers, keys and audit entries go in a few statements.
    let mut ids = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(PROSPECT_BATCH) {
        ids.extend(insert_customers_in(app, conn, chunk, now).await?);
    }
    Ok(ids)
}

pub(crate) async fn insert_customers_in<C: ConnectionTrait + 'static>(
    app: &App,
    txn: &C,
    jobs: &[CreateJob],
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    // Generated inside the write transaction, so writers of this process never collide.
    let mut next_generated: Option<u64> = None;
    let mut models = Vec::with_capacity(jobs.len());
    for job in jobs {
        let code = match &job.code {
            Some(c) => c.as_str().to_string(),
            None => {
                let n = match next_generated {
                    Some(n) => n,
                    None => repo::next_generated_code(txn).await?[2..]
                        .parse::<u64>()
                        .map_err(AppError::from_err)?,
                };
                next_generated = Some(n + 1);
                format!("KH{n:06}")
            }
        };
        let mut am = customer::ActiveModel {
            code: Set(code),
            owner_id: Set(job.owner),
            archived_at: Set(None),
            merged_into_id: Set(None),
            pool_since: Set(if job.owner.is_none() { Some(now) } else { None }),
            last_interaction_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        apply(&mut am, &job.draft, app);
        models.push(am);
    }
    let t = std::time::Instant::now();
    // The keys are made on another thread while the database takes the rows.
    let names: Vec<(String, Option<String>)> = jobs
        .iter()
        .map(|j| (j.draft.name.clone(), j.draft.short_name.clone()))
        .collect();
    let making = tokio::task::spawn_blocking(move || {
        names
            .iter()
            .map(|(n, s)| consign_domain::search::customer_keys(n, s.as_deref()))
            .collect::<Vec<Vec<String>>>()
    });
    let created = repo::insert_many(txn, models).await?;
    let t_rows = t.elapsed();
    // New rows have no keys or tags to replace: insert only.
    let keys = making.await.map_err(AppError::from_err)?;
    let key_rows: Vec<(i64, &[String])> = created
        .iter()
        .zip(&keys)
        .map(|(m, k)| (m.id, k.as_slice()))
        .collect();
    let t_keys0 = t.elapsed();
    repo::insert_new_search_keys(txn, &key_rows).await?;
    let t_keys = t.elapsed();
    let tag_rows: Vec<(i64, &[String])> = created
        .iter()
        .zip(jobs)
        .map(|(m, j)| (m.id, j.draft.tags.as_slice()))
        .collect();
    repo::add_tags_many(txn, &tag_rows).await?;
    let mut contacts = Vec::new();
    for (m, job) in created.iter().zip(jobs) {
        let mut primary_set = false;
        let any_primary = job.contacts.iter().any(|x| x.is_primary);
        for (i, k) in job.contacts.iter().enumerate() {
            let primary = k.is_primary && !primary_set || (i == 0 && !any_primary);
            primary_set |= primary;
            contacts.push(contact_model(app, m.id, k, primary, now));
        }
    }
    let t_contacts0 = t.elapsed();
    repo::insert_contacts_many(txn, contacts).await?;
    let t_contacts = t.elapsed();
    audit::record_many(
        txn,
        created
            .iter()
            .zip(jobs)
            .map(|(m, j)| {
                (
                    &j.actor,
                    Entry {
                        action: "customer.create",
                        entity_type: "customer",
                        entity_id: m.id.to_string(),
                        customer_id: Some(m.id),
                        summary: Some(format!("{} {}", m.code, m.name)),
                        said: None,
                        before: None,
                        after: Some(audit_json(m, &j.draft.tags)),
                    },
                )
            })
            .collect(),
    )
    .await?;
    crate::webhooks::emit_many(
        txn,
        created
            .iter()
            .zip(jobs)
            .map(|(m, j)| {
                crate::webhooks::Event::customer(
                    "customer.created",
                    m.id,
                    super::webhook_json(m, &j.draft.tags),
                )
            })
            .collect(),
    )
    .await?;
    tracing::debug!(
        customers = jobs.len(),
        rows_ms = t_rows.as_millis() as u64,
        make_keys_ms = (t_keys0 - t_rows).as_millis() as u64,
        keys_ms = (t_keys - t_keys0).as_millis() as u64,
        make_contacts_ms = (t_contacts0 - t_keys).as_millis() as u64,
        contacts_ms = (t_contacts - t_contacts0).as_millis() as u64,
        audit_ms = (t.elapsed() - t_contacts).as_millis() as u64,
        "new customers written"
    );
    Ok(created.iter().map(|m| m.id).collect())
}

pub(crate) fn contact_model(
    app: &App,
    customer_id: i64,
    k: &ContactDraft,
    primary: bool,
    now: DateTime<Utc>,
) -> contact::ActiveModel {
    contact::ActiveModel {
        customer_id: Set(customer_id),
        name: Set(k.name.clone()),
        title: Set(k.title.clone()),
        phone_enc: Set(app.vault.encrypt_opt(k.phone.as_ref().map(Phone::digits))),
        phone_hash: Set(k.phone.as_ref().map(|p| app.vault.phone_hash(p))),
        email_enc: Set(app.vault.encrypt_opt(k.email.as_deref())),
        wechat: Set(k.wechat.clone()),
        is_primary: Set(primary),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub(crate) async fn insert_contact_row<C: ConnectionTrait>(
    conn: &C,
    app: &App,
    customer_id: i64,
    k: &ContactDraft,
    primary: bool,
) -> Result<contact::Model> {
    Ok(repo::insert_contact(
        conn,
        contact_model(app, customer_id, k, primary, Utc::now()),
    )
    .await?)
}

pub async fn update(
    app: &App,
    actor: &Actor,
    id: CustomerId,
    input: &CustomerInput,
) -> Result<CustomerDetail> {
    let (c, _) = load_visible(app, actor, id).await?;
    let perms = permissions(actor, &c);
    if c.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    if !perms.edit {
        return Err(AppError::Forbidden);
    }
    let tags_before = repo::tags_of(&app.db.conn, &[id.get()])
        .await?
        .remove(&id.get())
        .unwrap_or_default();
    let id_number = app.vault.decrypt_opt(c.id_number_enc.as_deref())?;
    let mut errs = FieldErrors::new();
    let new_code = match input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(code) => errs.check("code", CustomerCode::parse(code)),
        None => None,
    };
    let draft = match validate_input(input, Some((&c, &tags_before, id_number))) {
        Ok(d) => Some(d),
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    let owner = match resolve_owner(app, actor, input.owner_id, c.owner_id, false).await {
        Ok(o) => o,
        Err(AppError::Validation(e)) => {
            errs.0.extend(e.0);
            None
        }
        Err(other) => return Err(other),
    };
    errs.clone().into_result()?;
    let Some(draft) = draft else {
        return Err(AppError::Validation(errs));
    };
    if let Some(code) = &new_code {
        if code.as_str() != c.code && repo::find_by_code(&app.db.conn, code).await?.is_some() {
            return Err(AppError::Conflict {
                field: "code".into(),
                code: "err.duplicate_code",
            });
        }
    }
    let before = audit_json(&c, &tags_before);
    let now = Utc::now();
    let owner_changed = owner != c.owner_id;
    let txn = app.db.begin_write().await?;
    let mut am: customer::ActiveModel = c.clone().into();
    apply(&mut am, &draft, app);
    if let Some(code) = new_code {
        am.code = Set(code.into_string());
    }
    if owner_changed {
        am.owner_id = Set(owner);
        am.pool_since = Set(if owner.is_none() { Some(now) } else { None });
        if owner.is_some() {
            am.last_interaction_at = Set(Some(now));
        }
    }
    am.updated_at = Set(now);
    // The keys first: the old ones are found from the names still stored.
    repo::set_search_keys(&txn, id, &search_keys(&draft)).await?;
    let m = repo::update(&txn, am).await.map_err(|e| match e {
        consign_store::StoreError::Unique(_) => AppError::Conflict {
            field: "code".into(),
            code: "err.duplicate_code",
        },
        other => other.into(),
    })?;
    repo::set_tags(&txn, id, &draft.tags).await?;
    let after = audit_json(&m, &draft.tags);
    if before != after {
        audit::record(
            &txn,
            actor,
            Entry {
                action: if owner_changed {
                    "customer.assign"
                } else {
                    "customer.update"
                },
                entity_type: "customer",
                entity_id: id.to_string(),
                customer_id: Some(id.get()),
                summary: Some(format!("{} {}", m.code, m.name)),
                said: None,
                before: Some(before),
                after: Some(after),
            },
        )
        .await?;
        crate::webhooks::emit(
            &txn,
            crate::webhooks::Event::customer(
                "customer.updated",
                id.get(),
                super::webhook_json(&m, &draft.tags),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    get(app, actor, id).await
}

/// Archive / restore / release / claim: one state change with its audit row.
pub(crate) async fn transition(
    app: &App,
    actor: &Actor,
    id: CustomerId,
    action: &'static str,
) -> Result<CustomerDetail> {
    let (c, _) = load_visible(app, actor, id).await?;
    let perms = permissions(actor, &c);
    let now = Utc::now();
    let tags = repo::tags_of(&app.db.conn, &[id.get()])
        .await?
        .remove(&id.get())
        .unwrap_or_default();
    let before = audit_json(&c, &tags);
    let mut am: customer::ActiveModel = c.clone().into();
    match action {
        "customer.archive" => {
            if c.archived_at.is_some() {
                return get(app, actor, id).await;
            }
            if !perms.edit {
                return Err(AppError::Forbidden);
            }
            am.archived_at = Set(Some(now));
        }
        "customer.restore" => {
            if c.archived_at.is_none() {
                return get(app, actor, id).await;
            }
            let may = match actor.role {
                Role::Admin | Role::Manager => true,
                Role::AccountManager => c.owner_id == actor.id,
                _ => false,
            };
            if !may || c.merged_into_id.is_some() {
                return Err(AppError::Forbidden);
            }
            am.archived_at = Set(None);
        }
        "customer.release" => {
            if c.archived_at.is_some() {
                return Err(AppError::field("archived", "err.archived"));
            }
            if !perms.release {
                return Err(AppError::Forbidden);
            }
            am.owner_id = Set(None);
            am.pool_since = Set(Some(now));
        }
        "customer.claim" => {
            if c.archived_at.is_some() {
                return Err(AppError::field("archived", "err.archived"));
            }
            if c.owner_id.is_some() {
                return Err(AppError::Conflict {
                    field: "owner_id".into(),
                    code: "err.not_in_pool",
                });
            }
            if !perms.claim {
                return Err(AppError::Forbidden);
            }
            am.owner_id = Set(actor.id);
            am.pool_since = Set(None);
            am.last_interaction_at = Set(Some(now));
        }
        _ => return Err(AppError::internal(format!("unknown transition {action}"))),
    }
    am.updated_at = Set(now);
    let txn = app.db.begin_write().await?;
    match action {
        "customer.archive" => repo::set_archived_keys(&txn, id, true).await?,
        "customer.restore" => repo::set_archived_keys(&txn, id, false).await?,
        _ => {}
    }
    let m = if action == "customer.claim" {
        // Claim only if still in the pool: two managers clicking at once get one winner.
        let claimed = repo::claim_from_pool(&txn, id, actor.id, now).await?;
        if !claimed {
            return Err(AppError::Conflict {
                field: "owner_id".into(),
                code: "err.not_in_pool",
            });
        }
        repo::find(&txn, id).await?.ok_or(AppError::NotFound)?
    } else {
        repo::update(&txn, am).await?
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action,
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id.get()),
            summary: Some(format!("{} {}", m.code, m.name)),
            said: None,
            before: Some(before),
            after: Some(audit_json(&m, &tags)),
        },
    )
    .await?;
    txn.commit().await?;
    get(app, actor, id).await
}

pub async fn archive(app: &App, actor: &Actor, id: CustomerId) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.archive").await
}
pub async fn restore(app: &App, actor: &Actor, id: CustomerId) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.restore").await
}
pub async fn release(app: &App, actor: &Actor, id: CustomerId) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.release").await
}
pub async fn claim(app: &App, actor: &Actor, id: CustomerId) -> Result<CustomerDetail> {
    transition(app, actor, id, "customer.claim").await
}

/// Merges `from` into `into`: every record of `from` moves, `from` is archived and
/// points at `into`; both customers' timelines record it.
pub async fn merge(
    app: &App,
    actor: &Actor,
    from: CustomerId,
    into: CustomerId,
) -> Result<CustomerDetail> {
    if !actor.role.can_merge() {
        return Err(AppError::Forbidden);
    }
    if from == into {
        return Err(AppError::field("into_id", "err.merge_self"));
    }
    let (src, _) = load_visible(app, actor, from).await?;
    let dst = match load_visible(app, actor, into).await {
        Ok((d, _)) if d.archived_at.is_none() => d,
        Ok(_) | Err(AppError::NotFound) => {
            return Err(AppError::field("into_id", "err.merge_target_missing"))
        }
        Err(e) => return Err(e),
    };
    if src.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    let now = Utc::now();
    let conn = &app.db.conn;
    let src_tags = repo::tags_of(conn, &[from.get()])
        .await?
        .remove(&from.get())
        .unwrap_or_default();
    let dst_tags = repo::tags_of(conn, &[into.get()])
        .await?
        .remove(&into.get())
        .unwrap_or_default();
    let txn = app.db.begin_write().await?;
    repo::move_records(&txn, from, into).await?;
    consign_store::credit::merge(&txn, from.get(), into.get(), app.tz()).await?;
    crate::credit::notify_crossings(app, &txn, Some(&[into.get()])).await?;
    repo::set_archived_keys(&txn, from, true).await?;
    let mut am: customer::ActiveModel = src.clone().into();
    am.archived_at = Set(Some(now));
    am.merged_into_id = Set(Some(into.get()));
    am.updated_at = Set(now);
    let src_after = repo::update(&txn, am).await?;
    let mut dam: customer::ActiveModel = dst.clone().into();
    dam.updated_at = Set(now);
    // The kept customer inherits what it lacked.
    if dst.uscc.is_none() && src.uscc.is_some() {
        dam.uscc = Set(src.uscc.clone());
    }
    if dst.owner_id.is_none() && src.owner_id.is_some() {
        dam.owner_id = Set(src.owner_id);
        dam.pool_since = Set(None);
    }
    let dst_after = repo::update(&txn, dam).await?;
    let mut merged_tags = dst_tags.clone();
    for t in &src_tags {
        if !merged_tags.contains(t) {
            merged_tags.push(t.clone());
        }
    }
    merged_tags.sort();
    let summary = format!("{} {} → {} {}", src.code, src.name, dst.code, dst.name);
    audit::record(
        &txn,
        actor,
        Entry {
            action: "customer.merge",
            entity_type: "customer",
            entity_id: from.to_string(),
            customer_id: Some(from.get()),
            summary: Some(summary.clone()),
            said: None,
            before: Some(audit_json(&src, &src_tags)),
            after: Some(audit_json(&src_after, &[])),
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "customer.merged_from",
            entity_type: "customer",
            entity_id: into.to_string(),
            customer_id: Some(into.get()),
            summary: Some(summary),
            said: None,
            before: Some(audit_json(&dst, &dst_tags)),
            after: Some(audit_json(&dst_after, &merged_tags)),
        },
    )
    .await?;
    crate::webhooks::emit(
        &txn,
        crate::webhooks::Event::customer(
            "customer.merged",
            into.get(),
            serde_json::json!({
                "merged": super::webhook_json(&src_after, &[]),
                "into": super::webhook_json(&dst_after, &merged_tags),
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    get(app, actor, into).await
}
