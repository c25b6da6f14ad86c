//! The invitation e-mail: Chinese first, then English (the contact's language is not
//! known before it signs in).

use crate::App;
use chrono::{DateTime, Utc};
use consign_domain::Lang;

/// (subject, body) of the e-mail that carries an invitation link.
pub(super) fn letter(
    app: &App,
    contact: &str,
    company: &str,
    inviter: &str,
    username: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> (String, String) {
    let until = expires_at
        .with_timezone(&app.tz())
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let part = |lang: Lang| {
        format!(
            "{}\n\n{}\n\n{}\n{}\n{link}\n",
            lang.tf("portal.mail.hello", &[&contact]),
            lang.tf("portal.mail.invited", &[&inviter, &company]),
            lang.tf("portal.mail.username", &[&username]),
            lang.tf("portal.mail.until", &[&until]),
        )
    };
    let subject = format!(
        "{} / {}",
        Lang::Zh.tf("portal.mail.subject", &[&company]),
        Lang::En.tf("portal.mail.subject", &[&company])
    );
    (
        subject,
        format!("{}\n——\n\n{}", part(Lang::Zh), part(Lang::En)),
    )
}
