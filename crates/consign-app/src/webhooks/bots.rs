//! Group bots (企业微信 / 钉钉 robots, SPEC §12b): a team's robot posts SLA escalations,
//! at-risk customers and credit holds of the team (its unit and below) as a markdown
//! message in the team's language, with a link. The message is queued like a webhook
//! delivery, in the transaction of what it tells, and sent, retried and logged alike.

use super::events::event_id;
use crate::{App, Result};
use chrono::Utc;
use consign_domain::webhooks::{Kind, RETRY_FOR};
use consign_domain::Lang;
use consign_store::webhooks::{self as repo, NewDelivery};
use consign_store::ConnectionTrait;

/// A message as a bot posts it: a title (DingTalk shows it in the chat list) and a
/// markdown text.
pub struct Message {
    pub title: String,
    pub text: String,
}

/// The absolute URL of a page, for a message's link.
pub fn link(app: &App, path: &str) -> String {
    let base = app
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", app.settings.listen));
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The JSON each platform's robot API takes for a markdown message.
pub fn payload(kind: Kind, m: &Message) -> String {
    match kind {
        Kind::DingTalk => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "title": m.title, "text": m.text },
        }),
        _ => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "content": m.text },
        }),
    }
    .to_string()
}

/// Queues a message on `topic` for every active bot whose team holds `unit_path` (a
/// company-wide bot — no team — takes every message), written in the bot's language.
pub async fn post<C: ConnectionTrait>(
    conn: &C,
    topic: &'static str,
    unit_path: Option<&str>,
    order_key: &str,
    build: impl Fn(Lang) -> Message,
) -> Result<usize> {
    post_each(conn, topic, order_key, |team, lang| {
        reaches(team, unit_path).then(|| build(lang))
    })
    .await
}

/// Whether a bot of `team` (None: the company) hears of what belongs to `unit_path`.
pub fn reaches(team: Option<&str>, unit_path: Option<&str>) -> bool {
    match (team, unit_path) {
        (None, _) => true,
        (Some(team), Some(p)) => p.starts_with(team),
        (Some(_), None) => false,
    }
}

/// Queues, for every active bot on `topic`, the message `build` makes for its team and
/// language (none: nothing for that bot).
pub async fn post_each<C: ConnectionTrait>(
    conn: &C,
    topic: &'static str,
    order_key: &str,
    build: impl Fn(Option<&str>, Lang) -> Option<Message>,
) -> Result<usize> {
    let bots = repo::active(conn, true).await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for b in bots.iter().filter(|b| b.takes(topic)) {
        let Some(kind) = Kind::parse(&b.kind) else {
            continue;
        };
        let lang = Lang::parse(&b.lang).unwrap_or(Lang::Zh);
        let Some(m) = build(b.unit_path.as_deref(), lang) else {
            continue;
        };
        rows.push(NewDelivery {
            webhook_id: b.id,
            event_id: event_id(),
            event: topic.to_string(),
            order_key: order_key.to_string(),
            body: payload(kind, &m),
        });
    }
    repo::enqueue(conn, &rows, now, now + RETRY_FOR).await?;
    Ok(rows.len())
}

/// The place in the tree (`/1/4/`) of a user's unit: a bot of that team or above hears
/// of what the user handles.
pub async fn unit_path_of<C: ConnectionTrait>(
    conn: &C,
    user: Option<i64>,
) -> Result<Option<String>> {
    let Some(id) = user else { return Ok(None) };
    let Some(u) = consign_store::users::user(conn, id).await? else {
        return Ok(None);
    };
    Ok(consign_store::users::unit(conn, u.org_unit_id)
        .await?
        .map(|x| x.path))
}

/// An SLA breach escalated to managers.
pub struct Escalation<'a> {
    pub ticket_id: i64,
    pub number: &'a str,
    pub subject: &'a str,
    pub customer: &'a str,
    /// `response` or `resolution`.
    pub which: &'a str,
    /// Local time, `2026-12-05 14:00`.
    pub deadline: &'a str,
    pub to: &'a str,
}

pub fn escalation(app: &App, lang: Lang, e: &Escalation<'_>) -> Message {
    let which = lang.t(if e.which == "response" {
        "bot.escalated.response"
    } else {
        "bot.escalated.resolution"
    });
    let title = lang.tf("bot.escalated.title", &[&e.number]);
    let text = format!(
        "### {title}\n{}\n\n[{}]({})",
        lang.tf(
            "bot.escalated.text",
            &[
                &e.number,
                &md(e.subject),
                &md(e.customer),
                &which,
                &e.deadline,
                &md(e.to)
            ]
        ),
        lang.t("bot.open_ticket"),
        link(app, &format!("/tickets/{}", e.ticket_id)),
    );
    Message { title, text }
}

/// Customers a classification run newly flagged at risk, for one team.
pub fn at_risk(app: &App, lang: Lang, day: &str, customers: &[(i64, String, String)]) -> Message {
    let title = lang.tf("bot.at_risk.title", &[&customers.len()]);
    let mut text = format!("### {title}\n{}\n", lang.tf("bot.at_risk.text", &[&day]));
    for (id, name, owner) in customers.iter().take(10) {
        text.push_str(&format!(
            "- [{}]({}) {}\n",
            md(name),
            link(app, &format!("/customers/{id}")),
            md(owner)
        ));
    }
    if customers.len() > 10 {
        text.push_str(&format!(
            "\n{}\n",
            lang.tf("bot.at_risk.more", &[&(customers.len() - 10)])
        ));
    }
    text.push_str(&format!(
        "\n[{}]({})",
        lang.t("bot.open_at_risk"),
        link(app, "/customers?at_risk=true")
    ));
    Message { title, text }
}

/// A customer whose new shipments are now held for credit.
pub fn credit_hold(
    app: &App,
    lang: Lang,
    id: i64,
    name: &str,
    used: &str,
    limit: &str,
    block: bool,
) -> Message {
    let title = lang.tf("bot.credit_hold.title", &[&md(name)]);
    let text = format!(
        "### {title}\n{}{}\n\n[{}]({})",
        lang.tf("bot.credit_hold.text", &[&md(name), &used, &limit]),
        lang.t(if block {
            "bot.credit_hold.block"
        } else {
            "bot.credit_hold.warn"
        }),
        lang.t("bot.open_credit"),
        link(app, &format!("/customers/{id}/credit")),
    );
    Message { title, text }
}

/// Text set into markdown: characters that would start markup or a link are dropped.
fn md(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '[' | ']' | '(' | ')' | '*' | '_' | '`' | '#' | '<' | '>'))
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect()
}
