//! Outgoing mail (SPEC §12b): reminders and escalations reach people by e-mail when an
//! SMTP relay is configured (`[smtp]`); otherwise they stay in the UI's notifications.

use crate::config::Smtp;
use crate::{AppError, Result};
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

fn transport(s: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let bad = |e: lettre::transport::smtp::Error| AppError::Config(format!("smtp {}: {e}", s.host));
    let mut b = match s.security.as_str() {
        "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
            .port(s.port.unwrap_or(25)),
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
            .map_err(bad)?
            .port(s.port.unwrap_or(465)),
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
            .map_err(bad)?
            .port(s.port.unwrap_or(587)),
        other => {
            return Err(AppError::Config(format!(
                "smtp.security: {other:?} (starttls, tls or none)"
            )))
        }
    };
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.timeout(Some(std::time::Duration::from_secs(20))).build())
}

/// Sends one plain-text message.
pub async fn send(s: &Smtp, to: &str, subject: &str, body: &str) -> Result<()> {
    let from: Mailbox = s
        .from
        .parse()
        .map_err(|e| AppError::Config(format!("smtp.from {:?}: {e}", s.from)))?;
    let to: Mailbox = to
        .parse()
        .map_err(|e| AppError::caused(format!("recipient {to:?}"), e))?;
    let msg = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| AppError::caused("mail", e))?;
    transport(s)?
        .send(msg)
        .await
        .map_err(|e| AppError::caused(format!("smtp {}", s.host), e))?;
    Ok(())
}
