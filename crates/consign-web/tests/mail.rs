//! Reminders by e-mail, on SQLite and PostgreSQL, against an SMTP server the test runs
//! on a loopback port (it speaks the protocol's EHLO, MAIL, RCPT, DATA and QUIT and keeps
//! each message as received): a task due today becomes a reminder notification once a
//! day, and the sweep mails it to its user in the user's language; without SMTP
//! configured nothing is sent and the reminder stays in the UI.

mod common;
use common::*;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A minimal SMTP server: every message's envelope recipient and data.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let store = got.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test.smtp ESMTP\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            store
                                .lock()
                                .expect("lock")
                                .push((rcpt.clone(), data.clone()));
                            data.clear();
                            let _ = w.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-test.smtp\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM") {
                        b"250 ok\r\n"
                    } else if upper.starts_with("RCPT TO") {
                        rcpt = line[8..]
                            .trim()
                            .trim_matches(|c| c == '<' || c == '>' || c == ':')
                            .to_string();
                        b"250 ok\r\n"
                    } else if upper == "DATA" {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper == "QUIT" {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, got)
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
    each_db(|t| async move {
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
            c,
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
        let (port, got) = smtp_server().await;
        let mut app = t.app.clone();
        let mut s = (*app.settings).clone();
        s.smtp = Some(consign_app::config::Smtp {
            host: "127.0.0.1".into(),
            port: Some(port),
            security: "none".into(),
            username: None,
            password: None,
            from: "远达物流 CRM <crm@yuanda-logistics.cn>".into(),
        });
        app.settings = Arc::new(s);
        let sent = consign_app::service::deliver_email(&app, chrono::Utc::now())
            .await
            .expect("mail");
        assert_eq!(sent, 1);
        let mails = got.lock().expect("lock").clone();
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].0, "lixy@yuanda-logistics.cn");
        let data = &mails[0].1;
        assert!(data.to_ascii_lowercase().contains("subject:"), "{data}");
        let body = decoded_body(data);
        assert!(body.contains("您有 1 项待办今天到期或已逾期"), "{body}");
        assert!(body.contains("/tasks"), "a link to the task list: {body}");
        // Sent once.
        assert_eq!(
            consign_app::service::deliver_email(&app, chrono::Utc::now())
                .await
                .expect("mail"),
            0
        );
        assert_eq!(got.lock().expect("lock").len(), 1);
    })
    .await;
}
