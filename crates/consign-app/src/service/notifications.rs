//! Notifications in the viewer's language, task reminders and e-mail delivery.

#[allow(unused_imports)]
use super::*;

// ---- notifications ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Notification)]
pub struct NotificationView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub kind: String,
    /// The message in the caller's language.
    pub text: String,
    /// Where it leads (a ticket's page, a customer's page).
    pub href: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notifications {
    pub unread: i64,
    pub items: Vec<NotificationView>,
}

/// The message of a notification, its arguments filled in.
pub fn notification_text(lang: consign_domain::Lang, kind: &str, args: &[String]) -> String {
    let refs: Vec<&dyn std::fmt::Display> =
        args.iter().map(|a| a as &dyn std::fmt::Display).collect();
    lang.tf(&format!("notify.{kind}"), &refs)
}

/// The caller's latest 50 notifications, newest first.
pub async fn notifications(
    app: &App,
    actor: &Actor,
    lang: consign_domain::Lang,
) -> Result<Notifications> {
    let (rows, unread) = repo::notifications_of(&app.db.conn, actor.user_id(), 50).await?;
    Ok(Notifications {
        unread,
        items: rows
            .into_iter()
            .map(|r| {
                let args: Vec<String> = serde_json::from_str(&r.args).unwrap_or_default();
                NotificationView {
                    id: r.id,
                    text: notification_text(lang, &r.kind, &args),
                    href: match (r.ticket_id, r.customer_id) {
                        (Some(t), _) => format!("/tickets/{t}"),
                        (None, Some(c)) => format!("/customers/{c}"),
                        _ if r.kind == "tasks_due" => "/tasks".into(),
                        _ => "/".into(),
                    },
                    kind: r.kind,
                    created_at: r.created_at,
                    read: r.read_at.is_some(),
                }
            })
            .collect(),
    })
}

pub async fn unread(app: &App, actor: &Actor) -> Result<i64> {
    Ok(repo::unread_count(&app.db.conn, actor.user_id()).await?)
}

pub async fn mark_read(app: &App, actor: &Actor) -> Result<u64> {
    Ok(repo::mark_read(&app.db.conn, actor.user_id(), Utc::now()).await?)
}

// ---- reminders and e-mail ----

/// Once a company day, each user with open tasks due today or overdue gets a reminder
/// notification (how many, how many overdue). Returns how many users were reminded.
pub async fn remind_due_tasks(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let today = now.with_timezone(&app.tz()).date_naive();
    let conn = &app.db.conn;
    let due =
        consign_store::followups::due_unreminded(conn, day_num(today), app.midnight(today)).await?;
    let mut by_user: std::collections::BTreeMap<i64, (i64, i64, Vec<i64>)> = Default::default();
    for (task, user, due_on) in due {
        let e = by_user.entry(user).or_default();
        e.0 += 1;
        if due_on < day_num(today) {
            e.1 += 1;
        }
        e.2.push(task);
    }
    let n = by_user.len();
    for (user, (count, overdue, tasks)) in by_user {
        let txn = app.db.begin_write().await?;
        repo::notify(
            &txn,
            user,
            "tasks_due",
            None,
            None,
            &[count.to_string(), overdue.to_string()],
            now,
        )
        .await?;
        consign_store::followups::mark_reminded(&txn, &tasks, now).await?;
        txn.commit().await?;
    }
    Ok(n)
}

/// With SMTP configured, e-mails the notifications not sent yet to their users (in each
/// user's language); a user without an address is skipped (the UI still shows it).
/// Returns how many were e-mailed. A relay that fails leaves the rest for the next
/// sweep.
pub async fn deliver_email(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let Some(smtp) = app.settings.smtp.clone() else {
        return Ok(0);
    };
    let conn = &app.db.conn;
    let pending = repo::unsent(conn, 100).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let users = consign_store::users::all_users(conn).await?;
    let base = app
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", app.settings.listen));
    let mut sent = 0;
    for n in pending {
        let user = users.iter().find(|u| u.id == n.user_id);
        let email = user
            .and_then(|u| u.email.clone())
            .filter(|e| e.contains('@'));
        if let Some(to) = email {
            let lang = user
                .and_then(|u| u.lang.as_deref())
                .and_then(consign_domain::Lang::parse)
                .unwrap_or_default();
            let args: Vec<String> = serde_json::from_str(&n.args).unwrap_or_default();
            let text = notification_text(lang, &n.kind, &args);
            let link = match (n.ticket_id, n.customer_id) {
                (Some(t), _) => format!("{base}/tickets/{t}"),
                (None, Some(c)) => format!("{base}/customers/{c}"),
                _ if n.kind == "tasks_due" => format!("{base}/tasks"),
                _ => base.clone(),
            };
            let subject = format!(
                "[{}] {}",
                lang.t("app.name"),
                text.chars().take(80).collect::<String>()
            );
            crate::mail::send(&smtp, &to, &subject, &format!("{text}\n\n{link}\n")).await?;
            sent += 1;
        }
        repo::mark_emailed(conn, n.id, now).await?;
    }
    Ok(sent)
}
