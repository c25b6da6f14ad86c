//! Who is asked: once a company day, a share of the shipments delivered in the last days
//! (each contact at most once in the policy's days); after every closed ticket; and the
//! e-mail that carries each link where the contact has an address.

use super::{link, make, policy_in_force, token, Made};
use crate::auth::Actor;
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::classify::day_num;
use consign_domain::surveys::SurveyTrigger;
use consign_domain::Lang;
use consign_store::surveys as repo;
use std::collections::{HashMap, HashSet};

/// Settings key: the last local day whose sample was drawn (YYYYMMDD).
const SWEPT_DAY: &str = "surveys.swept_day";

/// Deliveries of this many days before today are sampled (a shipment imported a day or
/// two after its delivery is still asked about).
pub const LOOKBACK_DAYS: i64 = 3;

/// A delivery's order is read this many days back from its delivery (the order-day index
/// bounds the read); a shipment that took longer is not sampled.
pub const ORDER_LOOKBACK_DAYS: i64 = 60;

/// Draws today's sample once per company day: of the shipments delivered in the
/// [`LOOKBACK_DAYS`] days before today, the policy's share, skipping customers without a
/// contact and contacts asked within the policy's days. Returns how many surveys were
/// made (0 when today's sample was drawn already).
pub async fn sample_deliveries(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let conn = &app.db.conn;
    let today = now.with_timezone(&app.tz()).date_naive();
    let swept = consign_store::settings::get(conn, SWEPT_DAY).await?;
    if swept.as_deref() == Some(day_num(today).to_string().as_str()) {
        return Ok(0);
    }
    let made = sample(app, now).await?;
    let txn = app.db.begin_write().await?;
    consign_store::settings::set(&txn, SWEPT_DAY, &day_num(today).to_string(), None).await?;
    txn.commit().await?;
    Ok(made)
}

/// Draws the sample of the deliveries before `now`'s local day (see
/// [`sample_deliveries`]); repeated, it makes nothing twice.
pub async fn sample(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let p = policy_in_force(app).await?;
    if p.delivery_percent <= 0.0 {
        return Ok(0);
    }
    let conn = &app.db.conn;
    let tz = app.tz();
    let today = now.with_timezone(&tz).date_naive();
    let from = today - Duration::days(LOOKBACK_DAYS);
    let delivered = repo::delivered_between(
        conn,
        app.midnight(from),
        app.midnight(today),
        day_num(from - Duration::days(ORDER_LOOKBACK_DAYS)),
    )
    .await?;
    let picked: Vec<_> = delivered.into_iter().filter(|s| p.samples(s.id)).collect();
    let customers: Vec<i64> = picked
        .iter()
        .map(|s| s.customer_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let contacts: HashMap<i64, repo::Contact> = repo::contacts_of(conn, &customers)
        .await?
        .into_iter()
        .map(|k| (k.customer_id, k))
        .collect();
    let gap = Duration::days(p.contact_gap_days);
    let mut asked: HashSet<i64> = HashSet::new();
    let actor = Actor::system("surveys");
    let mut made = 0;
    for chunk in picked.chunks(500) {
        let txn = app.db.begin_write().await?;
        for s in chunk {
            let Some(k) = contacts.get(&s.customer_id) else {
                continue;
            };
            if asked.contains(&k.id) || k.last_asked.is_some_and(|t| t + gap > now) {
                continue;
            }
            let m = Made {
                customer_id: s.customer_id,
                contact: Some(k),
                kind: SurveyTrigger::Delivery,
                shipment_id: Some(s.id),
                ticket_id: None,
                subject: &s.waybill_no,
                created_by: None,
            };
            if make(app, &txn, m, &p, &actor, now).await?.is_some() {
                asked.insert(k.id);
                made += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(made)
}

/// After a ticket is closed: a survey to its contact (else the customer's), when the
/// policy asks after tickets.
pub async fn after_closed_ticket(
    app: &App,
    ticket_id: i64,
    customer_id: i64,
    contact_id: Option<i64>,
    number: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let p = policy_in_force(app).await?;
    if !p.after_tickets {
        return Ok(None);
    }
    let conn = &app.db.conn;
    // The ticket's contact, else the customer's best.
    let contact = match contact_id {
        Some(id) => repo::contact_of(conn, customer_id, Some(id)).await?,
        None => None,
    };
    let contact = match contact {
        Some(k) => Some(k),
        None => repo::contact_of(conn, customer_id, None).await?,
    };
    let txn = app.db.begin_write().await?;
    let id = make(
        app,
        &txn,
        Made {
            customer_id,
            contact: contact.as_ref(),
            kind: SurveyTrigger::Ticket,
            shipment_id: None,
            ticket_id: Some(ticket_id),
            subject: number,
            created_by: None,
        },
        &p,
        &Actor::system("surveys"),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// With SMTP configured, e-mails each open survey whose contact has an address, in both
/// languages. A relay that fails leaves the rest for the next sweep. Returns how many.
pub async fn deliver_email(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let Some(smtp) = app.settings.smtp.clone() else {
        return Ok(0);
    };
    let conn = &app.db.conn;
    let mut sent = 0;
    for s in repo::unsent(conn, now, 100).await? {
        let to = app.vault.decrypt_opt(s.email_enc.as_deref())?;
        if let Some(to) = to.filter(|t| t.contains('@')) {
            let r = repo::get(conn, s.id).await?.ok_or(AppError::NotFound)?;
            let url = link(app, &token(app, r.id, r.created_at));
            let (subject, body) = letter(&s, &url, app.tz());
            crate::mail::send(&smtp, &to, &subject, &body).await?;
            sent += 1;
        }
        repo::mark_emailed(conn, s.id, now).await?;
    }
    Ok(sent)
}

/// A survey's e-mail: Chinese first, then English.
fn letter(s: &repo::Unsent, url: &str, tz: chrono_tz::Tz) -> (String, String) {
    let until = s
        .expires_at
        .with_timezone(&tz)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let part = |lang: Lang| {
        let about = match s.kind.as_str() {
            "delivery" => lang.tf("survey.mail.about_delivery", &[&s.subject]),
            "ticket" => lang.tf("survey.mail.about_ticket", &[&s.subject]),
            _ => lang.t("survey.mail.about_service").to_string(),
        };
        let hello = match &s.contact_name {
            Some(n) => lang.tf("survey.mail.hello_named", &[n]),
            None => lang.t("survey.mail.hello").to_string(),
        };
        format!(
            "{hello}\n\n{about}\n{}\n\n{url}\n\n{}",
            lang.t("survey.mail.ask"),
            lang.tf("survey.mail.until", &[&until])
        )
    };
    let subject = format!(
        "{} / {}",
        Lang::Zh.t("survey.mail.subject"),
        Lang::En.t("survey.mail.subject")
    );
    (
        subject,
        format!("{}\n\n----\n\n{}\n", part(Lang::Zh), part(Lang::En)),
    )
}
