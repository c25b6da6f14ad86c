//! Portal accounts (users with role `portal` tied to one customer) and their one-time
//! invitations.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(Debug, Clone, FromQueryResult)]
pub struct Account {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub disabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

const ACCOUNT: &str =
    "SELECT id AS user_id, username, display_name, portal_customer_id AS customer_id, \
    portal_contact_id AS contact_id, disabled, last_login_at FROM users";

/// The portal account of a user (None: not a portal account).
pub async fn of_user<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<Option<Account>> {
    Ok(Account::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "{ACCOUNT} WHERE id = ? AND role = 'portal_user' AND portal_customer_id IS NOT NULL"
        ),
        vec![user_id.into()],
    ))
    .one(conn)
    .await?)
}

/// The portal account made for a contact, if any.
pub async fn of_contact<C: ConnectionTrait>(conn: &C, contact_id: i64) -> Result<Option<Account>> {
    Ok(Account::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{ACCOUNT} WHERE portal_contact_id = ? AND role = 'portal_user'"),
        vec![contact_id.into()],
    ))
    .one(conn)
    .await?)
}

/// A customer's portal accounts.
pub async fn of_customer<C: ConnectionTrait>(conn: &C, customer_id: i64) -> Result<Vec<Account>> {
    Ok(Account::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{ACCOUNT} WHERE portal_customer_id = ? AND role = 'portal_user' ORDER BY id"),
        vec![customer_id.into()],
    ))
    .all(conn)
    .await?)
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub unit_id: i64,
    /// A hash no password matches until the invitation sets one.
    pub password_hash: &'a str,
    pub customer_id: i64,
    pub contact_id: i64,
    pub lang: Option<&'a str>,
}

pub async fn create<C: ConnectionTrait>(
    conn: &C,
    a: &NewAccount<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO users (username, display_name, email, password_hash, role, org_unit_id, \
         disabled, lang, created_at, updated_at, portal_customer_id, portal_contact_id) \
         VALUES (?, ?, ?, ?, 'portal_user', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            a.username.into(),
            a.display_name.into(),
            a.email.into(),
            a.password_hash.into(),
            a.unit_id.into(),
            false.into(),
            a.lang.into(),
            now.into(),
            now.into(),
            a.customer_id.into(),
            a.contact_id.into(),
        ],
    ))
    .one(conn)
    .await
    .map_err(StoreError::from_db)?
    .ok_or_else(|| StoreError::Other("portal account not inserted".into()))?
    .id)
}

pub async fn add_invite<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    user_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let b = conn.get_database_backend();
    // A new invitation replaces any earlier one still open.
    conn.execute(stmt(
        b,
        "UPDATE portal_invites SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
        vec![now.into(), user_id.into()],
    ))
    .await?;
    conn.execute(stmt(
        b,
        "INSERT INTO portal_invites (token_hash, user_id, created_by, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?)",
        vec![
            token_hash.into(),
            user_id.into(),
            by.into(),
            now.into(),
            expires_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The account an open invitation is for, without using it up.
pub async fn invite_user<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct U {
        user_id: i64,
    }
    Ok(U::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT user_id FROM portal_invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
        vec![token_hash.into(), now.into()],
    ))
    .one(conn)
    .await?
    .map(|u| u.user_id))
}

/// Uses an open invitation up; the account it was for, or None when it is used, expired or
/// unknown (two tabs submitting at once: one wins).
pub async fn take_invite<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let Some(user) = invite_user(conn, token_hash, now).await? else {
        return Ok(None);
    };
    let n = conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE portal_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            vec![now.into(), token_hash.into()],
        ))
        .await?
        .rows_affected();
    Ok((n == 1).then_some(user))
}

/// Sets a portal account's password (and enables it).
pub async fn set_password<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE users SET password_hash = ?, disabled = ?, updated_at = ? WHERE id = ? AND role = 'portal_user'",
        vec![hash.into(), false.into(), now.into(), user_id.into()],
    ))
    .await?;
    Ok(())
}

/// For the demo: an owner's customer with shipments and a contact (the lowest id), as
/// (customer id, contact id).
pub async fn demo_candidate<C: ConnectionTrait>(
    conn: &C,
    owner: i64,
) -> Result<Option<(i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        customer_id: i64,
        contact_id: i64,
    }
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT c.id AS customer_id, MIN(k.id) AS contact_id FROM customers c \
         JOIN contacts k ON k.customer_id = c.id \
         WHERE c.owner_id = ? AND c.archived_at IS NULL \
         AND EXISTS (SELECT 1 FROM shipments s WHERE s.customer_id = c.id) \
         AND EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id) \
         GROUP BY c.id ORDER BY c.id LIMIT 1",
        vec![owner.into()],
    ))
    .one(conn)
    .await?
    .map(|r| (r.customer_id, r.contact_id)))
}

/// Every portal account with its company's name, for the demo's list of logins.
pub async fn all_with_company<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<(String, String, String)>> {
    #[derive(FromQueryResult)]
    struct Row {
        username: String,
        display_name: String,
        company: String,
    }
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT u.username, u.display_name, c.name AS company FROM users u \
         JOIN customers c ON c.id = u.portal_customer_id WHERE u.role = 'portal_user' ORDER BY u.id",
        vec![],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.username, r.display_name, r.company))
    .collect())
}
