//! The customer portal (issue 22, SPEC §11): a customer's contact, invited by its account
//! manager, signs in at `/portal` and sees its own company's data only. Every use case
//! here starts from the signed-in [`PortalUser`]'s customer: nothing takes a customer id
//! from the request.

mod letter;
pub mod views;

use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::role::Role;
use consign_store::portal as repo;
use serde::Serialize;

/// How long an invitation link stays open.
pub const INVITE_DAYS: i64 = 7;

/// A signed-in portal account and the one customer it belongs to.
#[derive(Debug, Clone)]
pub struct PortalUser {
    pub actor: Actor,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_id: Option<i64>,
}

/// The portal account behind a session's actor; anyone else is not signed in here.
pub async fn caller(app: &App, actor: Actor) -> Result<PortalUser> {
    if actor.role != Role::PortalUser {
        return Err(AppError::Unauthorized);
    }
    let a = repo::of_user(&app.db.conn, actor.user_id())
        .await?
        .ok_or(AppError::Unauthorized)?;
    let c = consign_store::customers::find(&app.db.conn, CustomerId::trusted(a.customer_id))
        .await?
        .filter(|c| c.archived_at.is_none())
        .ok_or(AppError::Unauthorized)?;
    Ok(PortalUser {
        actor,
        customer_id: a.customer_id,
        customer_name: c.name,
        contact_id: a.contact_id,
    })
}

/// An invitation as its sender sees it: the link to hand over (shown once).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Invitation {
    /// The portal account's sign-in name.
    pub username: String,
    /// The one-time link that sets the password (valid for 7 days).
    pub link: String,
    pub expires_at: DateTime<Utc>,
    /// Where the link was e-mailed (masked), when it was asked to be and was sent.
    pub emailed_to: Option<String>,
    /// It was asked to be e-mailed but the mail relay refused it: hand the link over.
    pub email_failed: bool,
}

/// Invites a customer's contact to the portal: its account (made on the first invitation)
/// and a new one-time link, replacing any earlier one, to hand over. Whoever may edit the
/// customer's contacts may invite; the customer must be in their scope.
pub async fn invite(
    app: &App,
    actor: &Actor,
    customer: CustomerId,
    contact_id: i64,
) -> Result<Invitation> {
    invite_with(app, actor, customer, contact_id, false).await
}

/// As [`invite`], and the link e-mailed to the contact's address (both languages). Needs
/// the mail relay (`[smtp]`) and an address on the contact, or it is refused before
/// anything changes; a relay that fails after the link is made leaves the link to hand
/// over (`email_failed`).
pub async fn invite_by_email(
    app: &App,
    actor: &Actor,
    customer: CustomerId,
    contact_id: i64,
) -> Result<Invitation> {
    invite_with(app, actor, customer, contact_id, true).await
}

async fn invite_with(
    app: &App,
    actor: &Actor,
    customer: CustomerId,
    contact_id: i64,
    by_email: bool,
) -> Result<Invitation> {
    if !actor.role.can_edit_contacts() {
        return Err(AppError::Forbidden);
    }
    let c = crate::scope::visible_customer(app, actor, customer).await?;
    if c.archived_at.is_some() {
        return Err(AppError::NotFound);
    }
    let k = consign_store::customers::find_contact(&app.db.conn, contact_id)
        .await?
        .filter(|k| k.customer_id == c.id)
        .ok_or(AppError::NotFound)?;
    let mail = if by_email {
        let smtp = app.settings.smtp.clone().ok_or(AppError::Refused {
            code: "portal.err.no_smtp",
            args: vec![],
        })?;
        let to = app
            .vault
            .decrypt_opt(k.email_enc.as_deref())?
            .filter(|e| e.contains('@'))
            .ok_or(AppError::Refused {
                code: "portal.err.no_email",
                args: vec![],
            })?;
        Some((smtp, to))
    } else {
        None
    };
    let now = Utc::now();
    let raw = crate::auth::random_secret();
    // A new account's password: a hash no password matches, until the link sets one.
    let unusable = match repo::of_contact(&app.db.conn, k.id).await? {
        Some(_) => None,
        None => Some(crate::auth::hash_password(app, &crate::auth::random_secret()).await?),
    };
    let unit = match c.owner_id {
        Some(o) => consign_store::users::user(&app.db.conn, o)
            .await?
            .map(|u| u.org_unit_id),
        None => None,
    };
    let unit = match unit {
        Some(u) => u,
        None => consign_store::users::units(&app.db.conn)
            .await?
            .iter()
            .find(|u| u.parent_id.is_none())
            .map(|u| u.id)
            .ok_or_else(|| AppError::internal("no root unit"))?,
    };
    let txn = app.db.begin_write().await?;
    let (user_id, username, created) = match repo::of_contact(&txn, k.id).await? {
        Some(a) => (a.user_id, a.username, false),
        None => {
            let username = format!("{}-{}", c.code.to_lowercase(), k.id);
            let email = app.vault.decrypt_opt(k.email_enc.as_deref())?;
            let id = repo::create(
                &txn,
                &repo::NewAccount {
                    username: &username,
                    display_name: &k.name,
                    email: email.as_deref(),
                    unit_id: unit,
                    password_hash: unusable.as_deref().unwrap_or("!"),
                    customer_id: c.id,
                    contact_id: k.id,
                    lang: None,
                },
                now,
            )
            .await?;
            (id, username, true)
        }
    };
    let expires_at = now + Duration::days(INVITE_DAYS);
    repo::add_invite(
        &txn,
        &crate::auth::token_hash(&raw),
        user_id,
        actor.id,
        now,
        expires_at,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "portal.invite",
            entity_type: "user",
            entity_id: user_id.to_string(),
            customer_id: Some(c.id),
            summary: Some(format!("{} {}", username, k.name)),
            said: None,
            before: None,
            after: Some(serde_json::json!({"username": username, "contact_id": k.id,
                "new_account": created, "expires_at": expires_at, "by_email": by_email})),
        },
    )
    .await?;
    txn.commit().await?;
    let link = crate::webhooks::bots::link(app, &format!("/portal/invite/{raw}"));
    let (mut emailed_to, mut email_failed) = (None, false);
    if let Some((smtp, to)) = mail {
        let inviter = actor.name.as_str();
        let (subject, body) =
            letter::letter(app, &k.name, &c.name, inviter, &username, &link, expires_at);
        match crate::mail::send(&smtp, &to, &subject, &body).await {
            Ok(()) => emailed_to = Some(consign_domain::mask::email(&to)),
            Err(e) => {
                tracing::warn!(error = %e, customer = c.id, "portal invitation not e-mailed");
                email_failed = true;
            }
        }
    }
    Ok(Invitation {
        username,
        link,
        expires_at,
        emailed_to,
        email_failed,
    })
}

/// An open invitation's account, to greet on the page that sets the password.
pub async fn invitation(app: &App, raw: &str) -> Result<(String, String)> {
    let user = repo::invite_user(&app.db.conn, &crate::auth::token_hash(raw), Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let u = consign_store::users::user(&app.db.conn, user)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((u.username, u.display_name))
}

/// Sets the password through an invitation (used up); returns the account's sign-in name.
pub async fn accept(app: &App, raw: &str, password: &str) -> Result<String> {
    crate::auth::validate_password(password).map_err(|c| AppError::field("password", c))?;
    let hash = crate::auth::hash_password(app, password).await?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let user = repo::take_invite(&txn, &crate::auth::token_hash(raw), now)
        .await?
        .ok_or(AppError::NotFound)?;
    repo::set_password(&txn, user, &hash, now).await?;
    let a = repo::of_user(&txn, user).await?.ok_or(AppError::NotFound)?;
    let u = consign_store::users::user(&txn, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let actor = crate::auth::actor_for(app, &u, None).await?;
    audit::record(
        &txn,
        &actor,
        Entry {
            action: "portal.activate",
            entity_type: "user",
            entity_id: user.to_string(),
            customer_id: Some(a.customer_id),
            summary: Some(u.username.clone()),
            said: None,
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    app.callers.clear();
    Ok(u.username)
}

/// A customer's portal accounts, for its page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub username: String,
    pub name: String,
    pub contact_id: Option<i64>,
    pub last_login_at: Option<DateTime<Utc>>,
}

pub async fn accounts(app: &App, actor: &Actor, customer: CustomerId) -> Result<Vec<AccountView>> {
    let c = crate::scope::visible_customer(app, actor, customer).await?;
    Ok(repo::of_customer(&app.db.conn, c.id)
        .await?
        .into_iter()
        .map(|a| AccountView {
            username: a.username,
            name: a.display_name,
            contact_id: a.contact_id,
            last_login_at: a.last_login_at,
        })
        .collect())
}

/// A complaint, claim or inquiry as a customer files it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FileInput {
    /// `complaint`, `claim` or `inquiry`.
    pub kind: String,
    pub subject: String,
    pub description: String,
    /// The customer's own waybill numbers, separated by commas or spaces.
    pub waybills: String,
    /// A claim's amount in yuan.
    pub claimed: String,
}

/// Files a ticket for the account's own customer, through the portal channel, to the
/// customer's account manager; returns its id.
pub async fn file(app: &App, pu: &PortalUser, input: &FileInput) -> Result<i64> {
    if !matches!(input.kind.as_str(), "complaint" | "claim" | "inquiry") {
        return Err(AppError::field("kind", "err.invalid_choice"));
    }
    let t = crate::service::TicketInput {
        kind: input.kind.clone(),
        channel: "portal".into(),
        severity: "normal".into(),
        subject: input.subject.clone(),
        description: input.description.clone(),
        waybills: input.waybills.clone(),
        claimed: input.claimed.clone(),
        contact_id: pu.contact_id.map(|c| c.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    crate::service::register_for_portal(app, &pu.actor, pu.customer_id, &t).await
}

/// Photos (or documents) a customer may send with a new ticket at most; more go on the
/// ticket's page afterwards.
pub const MAX_FILES_AT_FILING: usize = 3;

/// As [`file`], with photos of the damage or a delivery note: every file is checked
/// (type by content, size) before the ticket is made, and a bad one refuses the filing
/// naming the file (`photos`), so nothing is half done; then each is stored on the ticket.
pub async fn file_with_photos(
    app: &App,
    pu: &PortalUser,
    input: &FileInput,
    photos: Vec<(String, Vec<u8>)>,
) -> Result<i64> {
    if photos.len() > MAX_FILES_AT_FILING {
        return Err(AppError::field("photos", "portal.err.too_many_photos"));
    }
    for (_, bytes) in &photos {
        crate::service::check_file(bytes).map_err(|k| AppError::field("photos", k))?;
    }
    let id = file(app, pu, input).await?;
    for (name, bytes) in photos {
        attach(app, pu, id, &name, bytes).await?;
    }
    Ok(id)
}

/// The customer's answer to a resolved ticket of its own: settled (the ticket is
/// confirmed, then closed by its handler) or not (it reopens). Without a note, a default
/// one in the account's language says which.
pub async fn answer_callback(
    app: &App,
    pu: &PortalUser,
    id: i64,
    settled: bool,
    note: &str,
) -> Result<()> {
    let lang = pu.actor.lang.unwrap_or_default();
    let note = match note.trim() {
        "" if settled => lang.t("portal.callback_yes_note").to_string(),
        "" => lang.t("portal.callback_no_note").to_string(),
        n => n.chars().take(2000).collect(),
    };
    crate::service::callback_from_portal(app, &pu.actor, pu.customer_id, id, settled, &note).await
}

/// Adds a file (a photo of the damage, a delivery note) to a ticket of the account's own.
pub async fn attach(
    app: &App,
    pu: &PortalUser,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<()> {
    crate::service::attach_for_portal(app, &pu.actor, pu.customer_id, id, filename, bytes).await
}

/// A file of a ticket of the account's own.
pub async fn attachment(
    app: &App,
    pu: &PortalUser,
    ticket_id: i64,
    attachment_id: i64,
) -> Result<(crate::service::AttachmentRow, Vec<u8>)> {
    crate::service::attachment_for_portal(app, &pu.actor, pu.customer_id, ticket_id, attachment_id)
        .await
}
