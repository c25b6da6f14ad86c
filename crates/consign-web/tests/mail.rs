//! Reminders by e-mail, on SQLite and PostgreSQL, against a real SMTP server the test
//! starts: aiosmtpd (Debian's `python3-aiosmtpd`, which `.ci/run` installs) on a loopback
//! port, keeping each message it accepts in a Maildir. A task due today becomes a
//! reminder notification once a day, and the sweep mails it to its user in the user's
//! language; without SMTP configured nothing is sent and the reminder stays in the UI.
//! Without aiosmtpd the test says loudly that it skips, and fails under `CI=true`.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// A Python that has aiosmtpd: `CONSIGN_TEST_PYTHON`, else `python3`, else Debian's.
fn python_with_aiosmtpd() -> Option<String> {
    let mut candidates: Vec<String> = std::env::var("CONSIGN_TEST_PYTHON").into_iter().collect();
    candidates.extend(["python3".to_string(), "/usr/bin/python3".to_string()]);
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

/// A Python with aiosmtpd, or None after saying loudly that `test` skips (under
/// CI=true a missing aiosmtpd fails instead).
fn python_or_skip(test: &str) -> Option<String> {
    let found = python_with_aiosmtpd();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "aiosmtpd is missing: install python3-aiosmtpd (CI=true requires it)"
        );
        eprintln!(
            "\n*** SKIPPING {test}: no Python with aiosmtpd \
             (apt-get install python3-aiosmtpd, or set CONSIGN_TEST_PYTHON) ***\n"
        );
    }
    found
}

/// The SMTP server process, stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    /// Starts aiosmtpd with its Maildir handler and waits until it accepts connections.
    async fn start(python: &str) -> SmtpServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let maildir = dir.path().join("Maildir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("starting aiosmtpd");
        let server = SmtpServer {
            child,
            port,
            maildir,
            _dir: dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on 127.0.0.1:{port}");
    }

    /// The messages it keeps, as received (with its X-RcptTo envelope header).
    fn messages(&self) -> Vec<String> {
        read_maildir(&self.maildir.join("new"))
    }

    /// The messages, once at least one has been filed (the server files each as it is
    /// delivered), or none after five seconds.
    async fn delivered(&self) -> Vec<String> {
        let mut mails = self.messages();
        for _ in 0..50 {
            if !mails.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            mails = self.messages();
        }
        mails
    }

    /// `app` sending through this server.
    fn relay_for(&self, app: &consign_app::App, from: &str) -> consign_app::App {
        let mut app = app.clone();
        let mut s = (*app.settings).clone();
        s.smtp = Some(consign_app::config::Smtp {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            security: "none".into(),
            username: None,
            password: None,
            from: from.into(),
        });
        app.settings = Arc::new(s);
        app
    }
}

fn read_maildir(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).expect("message")).into_owned())
        .collect()
}

/// The message's body as text: after the headers, base64 decoded when so encoded.
fn decoded_body(data: &str) -> String {
    let (head, body) = data.split_once("\n\n").unwrap_or((data, ""));
    if head
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: base64")
    {
        use base64::Engine;
        let raw: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .expect("base64"),
        )
        .expect("utf-8")
    } else {
        body.to_string()
    }
}

#[tokio::test]
async fn reminder_email_reaches_an_smtp_server() {
    let Some(python) = python_or_skip("reminder_email_reaches_an_smtp_server") else {
        return;
    };
    each_db(|t| {
        let python = python.clone();
        async move {
            let c = t
                .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
                .await;
            sea_orm::ConnectionTrait::execute_unprepared(
                &t.app.db.conn,
                "UPDATE users SET email = 'lixy@yuanda-logistics.cn' WHERE username = 'lixy'",
            )
            .await
            .expect("email");
            let lixy = t.actor("lixy").await;
            let today = chrono::Utc::now().with_timezone(&t.app.tz()).date_naive();
            consign_app::followups::add(
                &t.app,
                &lixy,
                consign_domain::customer::CustomerId::trusted(c),
                &consign_app::followups::TaskInput {
                    title: "确认明年合同续签".into(),
                    due_on: today.to_string(),
                    assignee_id: String::new(),
                },
            )
            .await
            .expect("task");

            // Without SMTP: the reminder is a notification only.
            let now = chrono::Utc::now();
            assert_eq!(
                consign_app::service::remind_due_tasks(&t.app, now)
                    .await
                    .expect("remind"),
                1
            );
            assert_eq!(
                consign_app::service::remind_due_tasks(&t.app, now)
                    .await
                    .expect("remind"),
                0,
                "once a day"
            );
            assert_eq!(
                consign_app::service::deliver_email(&t.app, now)
                    .await
                    .expect("mail"),
                0
            );
            let b = t.browser("lixy").await;
            let (_, page) = b.get("/notifications").await;
            assert!(page.contains("您有 1 项待办今天到期或已逾期"), "{page}");

            // With SMTP: the sweep mails it.
            let server = SmtpServer::start(&python).await;
            let app = server.relay_for(&t.app, "远达物流 CRM <crm@yuanda-logistics.cn>");
            let sent = consign_app::service::deliver_email(&app, chrono::Utc::now())
                .await
                .expect("mail");
            assert_eq!(sent, 1);
            let mails = server.delivered().await;
            assert_eq!(mails.len(), 1);
            let data = mails[0].replace("\r\n", "\n");
            assert!(
                data.to_ascii_lowercase()
                    .contains("x-rcptto: lixy@yuanda-logistics.cn"),
                "the envelope recipient: {data}"
            );
            assert!(data.to_ascii_lowercase().contains("subject:"), "{data}");
            let body = decoded_body(&data);
            assert!(body.contains("您有 1 项待办今天到期或已逾期"), "{body}");
            assert!(body.contains("/tasks"), "a link to the task list: {body}");
            // Sent once.
            assert_eq!(
                consign_app::service::deliver_email(&app, chrono::Utc::now())
                    .await
                    .expect("mail"),
                0
            );
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            assert_eq!(server.messages().len(), 1);
        }
    })
    .await;
}

/// A survey for a contact with an e-mail address is mailed once, in Chinese and English,
/// with a link that opens the survey.
#[tokio::test]
async fn a_survey_link_reaches_the_contact_by_email() {
    let Some(python) = python_or_skip("a_survey_link_reaches_the_contact_by_email") else {
        return;
    };
    each_db(|t| {
        let python = python.clone();
        async move {
            let lixy = t.api("lixy").await;
            let (s, c) = lixy
                .post(
                    "/api/v1/customers",
                    serde_json::json!({"name": "杭州西湖电子商务有限公司", "kind": "enterprise",
                        "contacts": [{"name": "王芳", "phone": "13812345678",
                                      "email": "wangfang@xihu-ec.cn", "is_primary": true}]}),
                )
                .await;
            assert!(s.is_success(), "{c}");
            let id = c["customer"]["id"].as_str().expect("id").to_string();
            let (s, v) = lixy
                .post(
                    &format!("/api/v1/customers/{id}/surveys"),
                    serde_json::json!({}),
                )
                .await;
            assert!(s.is_success(), "{v}");
            assert_eq!(v["channel"], "email");
            let link = v["link"].as_str().expect("link").to_string();

            let server = SmtpServer::start(&python).await;
            let app = server.relay_for(&t.app, "远达物流 <service@yuanda-logistics.cn>");
            let sent = consign_app::surveys::sweep::deliver_email(&app, chrono::Utc::now())
                .await
                .expect("mail");
            assert_eq!(sent, 1);
            let mails = server.delivered().await;
            assert_eq!(mails.len(), 1);
            let data = mails[0].replace("\r\n", "\n");
            assert!(
                data.to_ascii_lowercase()
                    .contains("x-rcptto: wangfang@xihu-ec.cn"),
                "{data}"
            );
            let body = decoded_body(&data);
            assert!(
                body.contains("王芳，您好") && body.contains("Dear 王芳"),
                "{body}"
            );
            assert!(body.contains(&link), "the survey's link: {body}");
            // Mailed once.
            assert_eq!(
                consign_app::surveys::sweep::deliver_email(&app, chrono::Utc::now())
                    .await
                    .expect("mail"),
                0
            );
            // The mailed link opens the survey.
            let path = format!("/s/{}", link.split("/s/").nth(1).expect("path"));
            let r = reqwest::get(t.url(&path)).await.expect("get");
            assert_eq!(r.status(), reqwest::StatusCode::OK);
        }
    })
    .await;
}

/// A portal invitation e-mailed to the contact (issue 22): refused before anything
/// changes without a relay or an address; sent in both languages with the sign-in name and
/// the one-time link; a relay that fails leaves the link to hand over.
#[tokio::test]
async fn a_portal_invitation_reaches_the_contact_by_email() {
    let Some(python) = python_or_skip("a_portal_invitation_reaches_the_contact_by_email") else {
        return;
    };
    each_db(|t| {
        let python = python.clone();
        async move {
            let lixy = t.api("lixy").await;
            let (s, c) = lixy
                .post(
                    "/api/v1/customers",
                    serde_json::json!({"name": "杭州西湖电子商务有限公司", "kind": "enterprise",
                        "contacts": [{"name": "王芳", "phone": "13812345678",
                                      "email": "wangfang@xihu-ec.cn", "is_primary": true},
                                     {"name": "刘强", "phone": "13912345678"}]}),
                )
                .await;
            assert!(s.is_success(), "{c}");
            let id = c["customer"]["id"].as_str().expect("id").to_string();
            let (_, d) = lixy.get(&format!("/api/v1/customers/{id}")).await;
            let contact = |name: &str| -> i64 {
                d["contacts"]
                    .as_array()
                    .expect("contacts")
                    .iter()
                    .find(|k| k["name"] == name)
                    .and_then(|k| {
                        k["id"]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .or(k["id"].as_i64())
                    })
                    .expect("contact")
            };
            let (wang, liu) = (contact("王芳"), contact("刘强"));
            let actor = t.actor("lixy").await;
            let cid: consign_domain::customer::CustomerId = id.parse().expect("id");

            // No relay: refused, in the caller's language, and no account is made.
            let (s, v) = lixy
                .post(
                    &format!("/api/v1/customers/{id}/contacts/{wang}/portal-invite?email=true"),
                    serde_json::json!({}),
                )
                .await;
            assert_eq!(s, reqwest::StatusCode::CONFLICT, "{v}");
            assert!(
                v["detail"]
                    .as_str()
                    .unwrap_or("")
                    .contains("未配置邮件服务器"),
                "{v}"
            );
            let (_, accounts) = lixy
                .get(&format!("/api/v1/customers/{id}/portal-accounts"))
                .await;
            assert_eq!(accounts.as_array().map(Vec::len), Some(0), "{accounts}");

            let server = SmtpServer::start(&python).await;
            let app = server.relay_for(&t.app, "远达物流 <service@yuanda-logistics.cn>");
            // A contact without an address: refused.
            let e = consign_app::portal::invite_by_email(&app, &actor, cid, liu)
                .await
                .expect_err("no address");
            assert!(
                matches!(
                    e,
                    consign_app::AppError::Refused {
                        code: "portal.err.no_email",
                        ..
                    }
                ),
                "{e:?}"
            );

            let i = consign_app::portal::invite_by_email(&app, &actor, cid, wang)
                .await
                .expect("invite");
            assert!(!i.email_failed);
            let to = i.emailed_to.clone().expect("emailed");
            assert!(
                to.ends_with("@xihu-ec.cn") && !to.contains("wangfang"),
                "masked: {to}"
            );
            let mails = server.delivered().await;
            assert_eq!(mails.len(), 1);
            let data = mails[0].replace("\r\n", "\n");
            assert!(
                data.to_ascii_lowercase()
                    .contains("x-rcptto: wangfang@xihu-ec.cn"),
                "{data}"
            );
            let body = decoded_body(&data);
            assert!(
                body.contains("王芳，您好") && body.contains("Hello 王芳"),
                "{body}"
            );
            assert!(
                body.contains(&i.username) && body.contains(&i.link),
                "{body}"
            );
            assert!(body.contains("杭州西湖电子商务有限公司"), "{body}");
            // The mailed link opens the page that sets the password.
            let path = format!(
                "/portal/invite/{}",
                i.link.split("/portal/invite/").nth(1).expect("path")
            );
            let r = reqwest::get(t.url(&path)).await.expect("get");
            assert_eq!(r.status(), reqwest::StatusCode::OK);

            // The relay goes away: the link is made and handed over instead.
            drop(server);
            let i2 = consign_app::portal::invite_by_email(&app, &actor, cid, wang)
                .await
                .expect("invite");
            assert!(i2.email_failed && i2.emailed_to.is_none());
            assert_ne!(i2.link, i.link);
            let r = reqwest::get(t.url(&path)).await.expect("get");
            assert_eq!(
                r.status(),
                reqwest::StatusCode::NOT_FOUND,
                "the earlier link stops working"
            );
        }
    })
    .await;
}
