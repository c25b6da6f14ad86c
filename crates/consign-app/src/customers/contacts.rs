//! A customer's contacts, and revealing their personal data (audited).

#[allow(unused_imports)]
use super::*;

/// A contact given together with a new customer.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// required; at most 40 characters
    pub name: Option<String>,
    pub title: Option<String>,
    /// mainland mobile (11 digits) or landline with area code; +86 and separators allowed
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub is_primary: Option<bool>,
}

pub(crate) struct ContactDraft {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) phone: Option<Phone>,
    pub(crate) email: Option<String>,
    pub(crate) wechat: Option<String>,
    pub(crate) is_primary: bool,
}

pub(crate) fn validate_contact(
    input: &ContactInput,
    base: Option<&(contact::Model, Option<Phone>, Option<String>)>,
    prefix: &str,
) -> Result<ContactDraft, FieldErrors> {
    let mut e = FieldErrors::new();
    let f = |n: &str| format!("{prefix}{n}");
    let pick = |new: &Option<String>, old: Option<&str>| {
        new.clone().unwrap_or_else(|| old.unwrap_or("").to_string())
    };
    let b = base.map(|(m, _, _)| m);
    let name = e.check(
        &f("name"),
        required_text(&pick(&input.name, b.map(|m| m.name.as_str())), 40),
    );
    let title = e
        .check(
            &f("title"),
            optional_text(&pick(&input.title, b.and_then(|m| m.title.as_deref())), 40),
        )
        .flatten();
    let phone_s = pick(
        &input.phone,
        base.and_then(|(_, p, _)| p.as_ref().map(Phone::digits)),
    );
    let phone = if phone_s.trim().is_empty() {
        None
    } else {
        e.check(&f("phone"), Phone::parse(&phone_s))
    };
    let email_s = pick(&input.email, base.and_then(|(_, _, m)| m.as_deref()));
    let email = if email_s.trim().is_empty() {
        None
    } else {
        e.check(&f("email"), validate::email(&email_s))
    };
    let wechat = e
        .check(
            &f("wechat"),
            optional_text(
                &pick(&input.wechat, b.and_then(|m| m.wechat.as_deref())),
                40,
            ),
        )
        .flatten();
    let is_primary = input.is_primary.unwrap_or(b.is_some_and(|m| m.is_primary));
    if !e.is_empty() {
        return Err(e);
    }
    match name {
        Some(name) => Ok(ContactDraft {
            name,
            title,
            phone,
            email,
            wechat,
            is_primary,
        }),
        None => Err(e),
    }
}

pub(crate) fn contact_audit(d: &ContactDraft) -> serde_json::Value {
    serde_json::json!({
        "name": d.name, "title": d.title,
        "phone": d.phone.as_ref().map(Phone::masked),
        "email": d.email.as_deref().map(mask::email),
        "wechat": d.wechat, "is_primary": d.is_primary,
    })
}

pub(crate) async fn editable_for_contacts(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
) -> Result<customer::Model> {
    let (c, _) = load_visible(app, actor, customer_id).await?;
    if c.archived_at.is_some() {
        return Err(AppError::field("archived", "err.archived"));
    }
    if !permissions(actor, &c).edit_contacts {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

pub async fn add_contact(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &ContactInput,
) -> Result<ContactView> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let d = validate_contact(input, None, "")?;
    let existing = repo::contacts_of(&app.db.conn, customer_id).await?;
    let primary = d.is_primary || existing.is_empty();
    let txn = app.db.begin_write().await?;
    let k = insert_contact_row(&txn, app, customer_id.get(), &d, primary).await?;
    if primary {
        repo::clear_primary(&txn, customer_id, k.id).await?;
    }
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.create",
            entity_type: "contact",
            entity_id: k.id.to_string(),
            customer_id: Some(customer_id.get()),
            summary: Some(k.name.clone()),
            said: None,
            before: None,
            after: Some(contact_audit(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&(&k).into(), app))
}

pub(crate) async fn touch<C: ConnectionTrait>(conn: &C, c: &customer::Model) -> Result<()> {
    let mut am: customer::ActiveModel = c.clone().into();
    am.updated_at = Set(Utc::now());
    repo::update(conn, am).await?;
    Ok(())
}

pub(crate) async fn load_contact(
    app: &App,
    customer_id: CustomerId,
    contact_id: i64,
) -> Result<contact::Model> {
    match repo::find_contact(&app.db.conn, contact_id).await? {
        Some(k) if k.customer_id == customer_id.get() => Ok(k),
        _ => Err(AppError::NotFound),
    }
}

pub async fn update_contact(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    contact_id: i64,
    input: &ContactInput,
) -> Result<ContactView> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let k = load_contact(app, customer_id, contact_id).await?;
    let phone = app
        .vault
        .decrypt_opt(k.phone_enc.as_deref())?
        .map(Phone::trusted);
    let email = app.vault.decrypt_opt(k.email_enc.as_deref())?;
    let before_draft = ContactDraft {
        name: k.name.clone(),
        title: k.title.clone(),
        phone: phone.clone(),
        email: email.clone(),
        wechat: k.wechat.clone(),
        is_primary: k.is_primary,
    };
    let base = (k.clone(), phone, email);
    let d = validate_contact(input, Some(&base), "")?;
    let txn = app.db.begin_write().await?;
    let mut am: contact::ActiveModel = k.into();
    am.name = Set(d.name.clone());
    am.title = Set(d.title.clone());
    am.phone_enc = Set(app.vault.encrypt_opt(d.phone.as_ref().map(Phone::digits)));
    am.phone_hash = Set(d.phone.as_ref().map(|p| app.vault.phone_hash(p)));
    am.email_enc = Set(app.vault.encrypt_opt(d.email.as_deref()));
    am.wechat = Set(d.wechat.clone());
    am.is_primary = Set(d.is_primary);
    am.updated_at = Set(Utc::now());
    let k = repo::update_contact(&txn, am).await?;
    if d.is_primary {
        repo::clear_primary(&txn, customer_id, k.id).await?;
    }
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.update",
            entity_type: "contact",
            entity_id: k.id.to_string(),
            customer_id: Some(customer_id.get()),
            summary: Some(k.name.clone()),
            said: None,
            before: Some(contact_audit(&before_draft)),
            after: Some(contact_audit(&d)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contact_view(&(&k).into(), app))
}

pub async fn delete_contact(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    contact_id: i64,
) -> Result<()> {
    let c = editable_for_contacts(app, actor, customer_id).await?;
    let k = load_contact(app, customer_id, contact_id).await?;
    let txn = app.db.begin_write().await?;
    repo::delete_contact(&txn, contact_id).await?;
    touch(&txn, &c).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "contact.delete",
            entity_type: "contact",
            entity_id: contact_id.to_string(),
            customer_id: Some(customer_id.get()),
            summary: Some(k.name.clone()),
            said: None,
            before: Some(serde_json::json!({"name": k.name, "title": k.title})),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Personal data in clear, for one contact or the customer's ID number; audited.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub id_number: Option<String>,
}

pub async fn reveal(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    contact_id: Option<i64>,
) -> Result<Revealed> {
    let (c, _) = load_visible(app, actor, customer_id).await?;
    if !permissions(actor, &c).unmask {
        return Err(AppError::Forbidden);
    }
    let (revealed, entity_type, entity_id, said_key) = match contact_id {
        Some(kid) => {
            let k = load_contact(app, customer_id, kid).await?;
            let r = Revealed {
                phone: app.vault.decrypt_opt(k.phone_enc.as_deref())?,
                email: app.vault.decrypt_opt(k.email_enc.as_deref())?,
                id_number: None,
            };
            (
                r,
                "contact",
                kid.to_string(),
                "audit.summary.reveal_contact",
            )
        }
        None => (
            Revealed {
                phone: None,
                email: None,
                id_number: app.vault.decrypt_opt(c.id_number_enc.as_deref())?,
            },
            "customer",
            customer_id.to_string(),
            "audit.summary.reveal_id_number",
        ),
    };
    audit::record(
        &app.db.conn,
        actor,
        Entry {
            action: "pii.reveal",
            entity_type,
            entity_id,
            customer_id: Some(customer_id.get()),
            summary: None,
            said: audit::said(said_key, vec![]),
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(revealed)
}

/// The customer's activity: its audit entries and those of customers merged into it.
pub async fn timeline(
    app: &App,
    actor: &Actor,
    id: CustomerId,
    page: u64,
) -> Result<(Vec<AuditView>, u64)> {
    load_visible(app, actor, id).await?;
    let mut ids = repo::merged_into(&app.db.conn, id).await?;
    ids.push(id);
    let (rows, total) = consign_store::audit::list(
        &app.db.conn,
        &consign_store::audit::AuditFilter {
            customer_ids: Some(ids.into_iter().map(CustomerId::get).collect()),
            page: page.max(1),
            per_page: 30,
            ..Default::default()
        },
    )
    .await?;
    let lang = actor.lang.unwrap_or_default();
    Ok((
        rows.into_iter().map(|m| audit::view(m, lang)).collect(),
        total,
    ))
}
