//! Outgoing webhooks and group bots (SPEC §12b): which events exist, what an endpoint
//! must look like, when a failed delivery is tried again, and which addresses an
//! outgoing request may never reach unless the operator allows it.

use crate::FieldErrors;
use chrono::Duration;
use std::net::{IpAddr, Ipv4Addr};

/// Events an integration endpoint may subscribe to.
pub const EVENTS: [&str; 9] = [
    "customer.created",
    "customer.updated",
    "customer.merged",
    "ticket.opened",
    "ticket.escalated",
    "ticket.closed",
    "classification.changed",
    "credit.hold",
    "import.finished",
];

/// What a team's group bot posts.
pub const BOT_TOPICS: [&str; 3] = ["ticket.escalated", "customer.at_risk", "credit.hold"];

/// The kinds of endpoint: an integration's receiver, or a group robot of WeCom or DingTalk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Webhook,
    WeCom,
    DingTalk,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::WeCom => "wecom",
            Kind::DingTalk => "dingtalk",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "webhook" => Some(Kind::Webhook),
            "wecom" => Some(Kind::WeCom),
            "dingtalk" => Some(Kind::DingTalk),
            _ => None,
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook.kind.webhook",
            Kind::WeCom => "webhook.kind.wecom",
            Kind::DingTalk => "webhook.kind.dingtalk",
        }
    }
    /// The events (or, for a bot, topics) an endpoint of this kind may take.
    pub fn topics(self) -> &'static [&'static str] {
        match self {
            Kind::Webhook => &EVENTS,
            Kind::WeCom | Kind::DingTalk => &BOT_TOPICS,
        }
    }
}

/// Longest URL an endpoint may have.
pub const MAX_URL: usize = 2000;
/// Shortest and longest secret of an integration endpoint.
pub const SECRET_LEN: std::ops::RangeInclusive<usize> = 16..=200;
/// How long a delivery is tried before it is given up.
pub const RETRY_FOR: Duration = Duration::hours(24);
/// How long one request may take.
pub const TIMEOUT_SECS: u64 = 10;
/// How much of a receiver's answer the delivery log keeps.
pub const RESPONSE_SNIPPET: usize = 500;

/// A checked endpoint: its URL's scheme and host are known good, its events known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub kind: Kind,
    pub name: String,
    pub url: String,
    pub host: String,
    pub events: Vec<String>,
    pub secret: Option<String>,
}

/// Checks an endpoint as entered. A webhook needs a secret (it signs every delivery);
/// a DingTalk robot may have one (its "加签" security setting); a WeCom robot has none.
pub fn check(
    kind: &str,
    name: &str,
    url: &str,
    events: &[String],
    secret: Option<&str>,
) -> Result<Endpoint, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = Kind::parse(kind.trim());
    if kind.is_none() {
        e.add("kind", "err.webhook_kind");
    }
    let name = name.trim();
    if name.chars().count() > 100 {
        e.add("name", "err.too_long");
    }
    let url = url.trim();
    let host = match parse_url(url) {
        Ok(h) => Some(h),
        Err(code) => {
            e.add("url", code);
            None
        }
    };
    let mut picked: Vec<String> = Vec::new();
    for ev in events.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match kind {
            Some(k) if !k.topics().contains(&ev) => {
                e.add("events", "err.webhook_event");
                break;
            }
            _ => {
                if !picked.iter().any(|p| p == ev) {
                    picked.push(ev.to_string());
                }
            }
        }
    }
    if picked.is_empty() && e.get("events").is_none() {
        e.add("events", "err.webhook_no_events");
    }
    let secret = secret.map(str::trim).filter(|s| !s.is_empty());
    match (kind, secret) {
        (Some(Kind::Webhook), None) => e.add("secret", "err.webhook_secret"),
        (Some(Kind::Webhook), Some(s)) if !SECRET_LEN.contains(&s.chars().count()) => {
            e.add("secret", "err.webhook_secret")
        }
        (Some(Kind::DingTalk), Some(s)) if s.chars().count() > 200 => {
            e.add("secret", "err.too_long")
        }
        _ => {}
    }
    e.into_result()?;
    let (Some(kind), Some(host)) = (kind, host) else {
        return Err(FieldErrors::new());
    };
    Ok(Endpoint {
        kind,
        name: name.to_string(),
        url: url.to_string(),
        host,
        events: picked,
        secret: if kind == Kind::WeCom {
            None
        } else {
            secret.map(str::to_string)
        },
    })
}

/// The host of an `http`/`https` URL without credentials, or why not.
pub fn parse_url(url: &str) -> Result<String, &'static str> {
    if url.is_empty() || url.len() > MAX_URL || url.chars().any(|c| c.is_whitespace()) {
        return Err("err.webhook_url");
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("err.webhook_url")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("err.webhook_url");
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("").to_string()
    } else {
        authority.split(':').next().unwrap_or("").to_string()
    };
    if host.is_empty() {
        return Err("err.webhook_url");
    }
    Ok(host.to_ascii_lowercase())
}

/// Whether an address is inside the company's network or the machine itself: loopback,
/// private (RFC 1918, fc00::/7), link-local (and so cloud metadata at 169.254.169.254),
/// carrier-grade NAT, unspecified, multicast, broadcast or documentation ranges. An
/// outgoing request may not reach one unless the operator allows it.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x64 && s[1] == 0xff9b)
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || o[0] >= 240
}

/// An address a URL names literally (`http://10.0.0.1/…`, `http://[::1]/…`).
pub fn literal_ip(host: &str) -> Option<IpAddr> {
    host.parse::<IpAddr>().ok()
}

/// Waiting time after failed attempt `attempts`: 10 s, 20 s, 40 s … at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 12) - 1;
    Duration::seconds((10i64 << exp).min(3600))
}

/// The text a signature covers: the send time in Unix seconds, a dot, and the body.
pub fn signed_text(t: i64, body: &str) -> String {
    format!("{t}.{body}")
}

/// DingTalk's robot signature covers the time in milliseconds, a newline and the secret.
pub fn dingtalk_text(t_ms: i64, secret: &str) -> String {
    format!("{t_ms}\n{secret}")
}

/// A URL as shown in a list: the scheme, host and path; a robot's key or token in the
/// query is a credential, so the query is left out.
pub fn shown_url(url: &str) -> String {
    match url.split_once('?') {
        Some((head, _)) => format!("{head}?…"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn endpoints_are_checked_field_by_field() {
        let ok = check(
            "webhook",
            "TMS",
            "https://tms.example.com/hooks/consign",
            &ev(&["customer.created", "customer.created", "credit.hold"]),
            Some("0123456789abcdef"),
        )
        .expect("valid");
        assert_eq!(ok.host, "tms.example.com");
        assert_eq!(ok.events, ev(&["customer.created", "credit.hold"]));

        let e = check(
            "webhook",
            "",
            "ftp://x",
            &ev(&["order.paid"]),
            Some("short"),
        )
        .expect_err("invalid");
        assert_eq!(e.get("url"), Some("err.webhook_url"));
        assert_eq!(e.get("events"), Some("err.webhook_event"));
        assert_eq!(e.get("secret"), Some("err.webhook_secret"));

        let e = check("wecom", "", "https://qyapi.weixin.qq.com/x", &[], None).expect_err("no");
        assert_eq!(e.get("events"), Some("err.webhook_no_events"));
        // A bot takes topics, not integration events.
        let e = check(
            "dingtalk",
            "",
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            &ev(&["customer.created"]),
            None,
        )
        .expect_err("no");
        assert_eq!(e.get("events"), Some("err.webhook_event"));
        assert_eq!(
            check("x", "", "https://a", &ev(&["credit.hold"]), None)
                .expect_err("kind")
                .get("kind"),
            Some("err.webhook_kind")
        );
    }

    #[test]
    fn urls_with_credentials_or_odd_schemes_are_refused() {
        assert_eq!(parse_url("http://user:pw@host/"), Err("err.webhook_url"));
        assert_eq!(parse_url("https:///x"), Err("err.webhook_url"));
        assert_eq!(parse_url("https://a b/"), Err("err.webhook_url"));
        assert_eq!(parse_url("http://[::1]:8080/x"), Ok("::1".into()));
        assert_eq!(parse_url("http://Host.CN:81/x?y"), Ok("host.cn".into()));
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(a.parse().expect("ip")), "{a}");
        }
        for a in ["8.8.8.8", "114.114.114.114", "2400:3200::1"] {
            assert!(!is_internal(a.parse().expect("ip")), "{a}");
        }
    }

    #[test]
    fn backoff_doubles_to_an_hour_and_fits_many_tries_in_a_day() {
        assert_eq!(backoff(1), Duration::seconds(10));
        assert_eq!(backoff(2), Duration::seconds(20));
        assert_eq!(backoff(9), Duration::seconds(2560));
        assert_eq!(backoff(10), Duration::seconds(3600));
        let mut t = Duration::zero();
        let mut n = 0;
        while t < RETRY_FOR {
            n += 1;
            t += backoff(n);
        }
        assert!(n > 25, "{n} tries in a day");
    }

    #[test]
    fn robot_keys_are_not_shown() {
        assert_eq!(
            shown_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
        );
    }
}
