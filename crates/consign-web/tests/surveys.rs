//! Satisfaction surveys (issue 20) on SQLite and PostgreSQL: a survey's signed link
//! answered once without signing in (and never when altered, reused or expired), the
//! answer feeding the customer's CSAT and NPS, a low score opening the owner's callback
//! task, the sampling policy (a share of deliveries, one survey per contact in N days),
//! a survey after a closed ticket, and the scope of who sees which surveys.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The path of a survey's link (`/s/…`).
fn path_of(link: &Value) -> String {
    let l = link.as_str().expect("a link");
    format!("/s/{}", l.split("/s/").nth(1).expect("/s/ in the link"))
}

async fn post_form(t: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(t.url(path))
        .form(fields)
        .send()
        .await
        .expect("send");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

async fn get_page(t: &TestApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(t.url(path)).await.expect("send");
    let s = r.status();
    (s, r.text().await.expect("body"))
}

#[tokio::test]
async fn a_survey_link_takes_one_answer_that_feeds_the_kpis_and_a_low_score_calls_back() {
    each_db(|t| async move {
        let mine = t
            .customer(
                "上海恒通供应链管理有限公司",
                Some("lixy"),
                Some("13812345678"),
            )
            .await;
        let lixy = t.api("lixy").await;
        let (s, v) = lixy
            .post(&format!("/api/v1/customers/{mine}/surveys"), json!({}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "open");
        assert_eq!(v["kind"], "manual");
        assert_eq!(v["contact_name"], "张伟");
        // No address for the contact: the link is sent by hand.
        assert_eq!(v["channel"], "link");
        let path = path_of(&v["link"]);

        // The page opens without signing in and shows nothing of the customer.
        let (s, page) = get_page(&t, &format!("{path}?lang=zh")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("总体而言，您对这次服务满意吗？"), "{page}");
        assert!(!page.contains("恒通") && !page.contains("张伟"), "{page}");

        // An altered link (one character of the signature, or another survey's id) is no
        // link of ours.
        let mut altered = path.clone();
        let last = altered.pop().expect("char");
        altered.push(if last == 'A' { 'B' } else { 'A' });
        let (s, page) = get_page(&t, &altered).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(
            page.contains("链接无效") || page.contains("This link is not valid"),
            "{page}"
        );
        let (id, sig) = path
            .trim_start_matches("/s/")
            .split_once('.')
            .expect("id.sig");
        let other = format!("/s/{}.{sig}", id.parse::<i64>().expect("id") + 1);
        assert_eq!(get_page(&t, &other).await.0, StatusCode::NOT_FOUND);
        let (s, _) = post_form(&t, &altered, &[("csat", "5"), ("nps", "10")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // A bad answer is refused question by question; nothing is stored.
        let (s, page) = post_form(
            &t,
            &format!("{path}?lang=en"),
            &[("csat", "9"), ("p_price", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("The score is not one of the choices"),
            "{page}"
        );
        assert!(page.contains("Please answer this question"), "{page}");

        // Before: no answers, no CSAT.
        let kpis = format!("/api/v1/customers/{mine}/kpis");
        let (_, k) = lixy.get(&kpis).await;
        assert_eq!(k["csat"], Value::Null, "{k}");

        let (s, page) = post_form(
            &t,
            &format!("{path}?lang=zh"),
            &[
                ("csat", "2"),
                ("nps", "3"),
                ("p_timeliness", "2"),
                ("e_timeliness", "5"),
                ("p_price", "4"),
                ("comment", "晚到两天，影响门店补货。"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(
            page.contains("感谢您的反馈") && page.contains("客户经理会尽快与您联系"),
            "{page}"
        );

        // Once only: the link now says it was answered, and a second answer is refused.
        let (s, page) = get_page(&t, &path).await;
        assert_eq!(s, StatusCode::GONE);
        assert!(
            page.contains("此问卷已回答") || page.contains("has been answered"),
            "{page}"
        );
        let (s, _) = post_form(&t, &path, &[("csat", "5"), ("nps", "10")]).await;
        assert_eq!(s, StatusCode::GONE);

        // The customer's CSAT and NPS are the answer's.
        let (_, k) = lixy.get(&kpis).await;
        assert_eq!(k["csat"], json!(2.0), "{k}");
        assert_eq!(k["nps"], json!(-100.0), "{k}");

        // The owner has a callback task, and the survey names it.
        let (_, tasks) = lixy.get("/api/v1/tasks").await;
        let all: Vec<Value> = ["overdue", "today", "upcoming"]
            .iter()
            .flat_map(|g| tasks[g].as_array().cloned().unwrap_or_default())
            .collect();
        let call = all
            .iter()
            .find(|x| x["kind"] == "survey_callback")
            .unwrap_or_else(|| panic!("no callback task: {tasks}"));
        assert_eq!(call["customer_id"], json!(mine.to_string()));
        let (_, list) = lixy.get(&format!("/api/v1/customers/{mine}/surveys")).await;
        let answered = &list["items"][0];
        assert_eq!(answered["status"], "answered");
        assert_eq!(answered["low"], true);
        assert_eq!(answered["task_id"], call["id"]);
        assert_eq!(
            answered["link"],
            Value::Null,
            "an answered survey has no link to send"
        );
        assert_eq!(answered["comment"], "晚到两天，影响门店补货。");

        // What the answers say: the timeliness gap is 2 − 5.
        let (s, st) = lixy.get("/api/v1/surveys/stats").await;
        assert_eq!(s, StatusCode::OK, "{st}");
        assert_eq!(
            (st["made"].clone(), st["answered"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(st["gaps"][0]["dimension"], "timeliness");
        assert_eq!(st["gaps"][0]["gap"], json!(-3.0));
        assert_eq!(st["gaps"][4]["perception"], json!(4.0));
        assert_eq!(st["gaps"][4]["gap"], Value::Null, "no expectation, no gap");
        assert_eq!(st["verbatims"][0]["comment"], "晚到两天，影响门店补货。");

        // The page of what the answers say: the month's answers behind its figures, the
        // comment, the gap.
        let b = t.browser("lixy").await;
        let (s, page) = b.get("/analysis/surveys").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("服务质量差距（SERVQUAL）") && page.contains("-3.00"),
            "{page}"
        );
        assert!(page.contains("晚到两天，影响门店补货。"), "{page}");
        let month = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-01")
            .to_string();
        assert!(
            page.contains(&format!("/surveys?from={month}&#38;to=")),
            "the month's surveys linked: {page}"
        );

        // Another branch's account manager sees none of it.
        let (s, _) = t
            .api("chenj")
            .await
            .get(&format!("/api/v1/customers/{mine}/surveys"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, theirs) = t.api("chenj").await.get("/api/v1/surveys").await;
        assert_eq!(theirs["total"], 0, "{theirs}");
        // A read-only user sees the survey but no link to send.
        let (_, s2) = lixy
            .post(&format!("/api/v1/customers/{mine}/surveys"), json!({}))
            .await;
        let (_, ro) = t.api("ro").await.get("/api/v1/surveys?status=open").await;
        assert_eq!(ro["items"][0]["id"], s2["id"], "{ro}");
        assert_eq!(ro["items"][0]["link"], Value::Null);
        let (s, _) = t
            .api("ro")
            .await
            .post(&format!("/api/v1/customers/{mine}/surveys"), json!({}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // An expired link takes no answer.
        let id: i64 = s2["id"].as_str().expect("id").parse().expect("number");
        use consign_store::ConnectionTrait;
        let conn = &t.app.db.conn;
        conn.execute(consign_store::dialect::stmt(
            conn.get_database_backend(),
            "UPDATE surveys SET expires_at = ? WHERE id = ?",
            vec![
                (chrono::Utc::now() - chrono::Duration::minutes(1)).into(),
                id.into(),
            ],
        ))
        .await
        .expect("expire");
        let p2 = path_of(&s2["link"]);
        let (s, page) = post_form(
            &t,
            &format!("{p2}?lang=en"),
            &[("csat", "5"), ("nps", "10")],
        )
        .await;
        assert_eq!(s, StatusCode::GONE, "{page}");
        assert!(page.contains("This survey has expired"), "{page}");
        let (_, ro) = t
            .api("ro")
            .await
            .get("/api/v1/surveys?status=expired")
            .await;
        assert_eq!(ro["total"], 1, "{ro}");

        // Answering is audited.
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=survey.answer")
            .await;
        assert_eq!(audit["total"], 1, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn deliveries_are_sampled_once_per_contact_and_closed_tickets_are_asked() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let (s, p) = admin
            .put_json(
                "/api/v1/policies/survey",
                json!({"delivery_percent": 100.0, "contact_gap_days": 30, "after_tickets": true,
                       "valid_days": 7, "callback_days": 1}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let (s, bad) = admin
            .put_json(
                "/api/v1/policies/survey",
                json!({"delivery_percent": 120.0}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

        let a = t
            .customer(
                "苏州嘉禾精密制造有限公司",
                Some("lixy"),
                Some("13912345678"),
            )
            .await;
        let b = t.customer("无锡远航物流有限公司", Some("lixy"), None).await;
        let (ca, cb) = (t.code_of(a).await, t.code_of(b).await);
        let now = chrono::Utc::now();
        let at = |h: i64| (now - chrono::Duration::hours(h)).to_rfc3339();
        let items: Vec<Value> = [
            ("SV001", &ca, 30),
            ("SV002", &ca, 28),
            ("SV003", &ca, 26),
            ("SV004", &cb, 30),
        ]
        .iter()
        .map(|(no, code, h)| {
            json!({"waybill_no": no, "customer_code": code, "revenue_fen": 5000,
                       "ordered_at": at(h + 24), "delivered_at": at(*h)})
        })
        .collect();
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // Delivered yesterday or the day before: sampled today (every one, at 100%), but
        // the contact is asked once; the customer without a contact is not asked.
        let made = consign_app::surveys::sweep::sample(&t.app, now + chrono::Duration::days(1))
            .await
            .expect("sample");
        assert_eq!(made, 1);
        let (_, list) = admin.get("/api/v1/surveys").await;
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["kind"], "delivery");
        assert_eq!(list["items"][0]["customer_code"], json!(ca));
        assert!(["SV001", "SV002", "SV003"]
            .contains(&list["items"][0]["subject"].as_str().unwrap_or("")));
        // Again: nothing new (the contact was asked; the shipments are known).
        let again = consign_app::surveys::sweep::sample(&t.app, now + chrono::Duration::days(1))
            .await
            .expect("sample");
        assert_eq!(again, 0);

        // A closed ticket asks its customer's contact.
        let ticket = t.complaint(a, "货物破损").await;
        let admin_actor = t.actor("admin").await;
        for step in ["investigate", "resolve", "confirm", "close"] {
            let input = consign_app::service::StepInput {
                action: step.into(),
                note: "处理完毕".into(),
                root_cause: if step == "resolve" {
                    "damage".into()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            consign_app::service::step(&t.app, &admin_actor, ticket.ticket.id, &input)
                .await
                .unwrap_or_else(|e| panic!("{step}: {e:?}"));
        }
        let (_, list) = admin.get("/api/v1/surveys?kind=ticket").await;
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["subject"], json!(ticket.ticket.number));
        assert_eq!(
            list["items"][0]["ticket_id"],
            json!(ticket.ticket.id.to_string())
        );
    })
    .await;
}
