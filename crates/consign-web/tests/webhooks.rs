//! Webhooks and group bots (issue 22): deliveries reach a receiver the test runs, signed
//! as docs/webhooks.md says, in order per customer, retried after a failure, logged and
//! replayable; robots get WeCom's and DingTalk's documented JSON (DingTalk signed in its
//! query); internal addresses are refused unless allowed.

mod common;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use common::*;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SECRET: &str = "whsec_9f8e7d6c5b4a3210";
const DING_SECRET: &str = "SECb1c2d3e4f5a6b7c8d9e0";

#[derive(Default)]
struct Seen {
    /// (event type, customer id, event id) of each verified delivery, in arrival order.
    events: Vec<(String, i64, String)>,
    bad_signatures: usize,
    /// Answer 500 to this many requests first.
    fail_next: usize,
    /// Answer 500 to everything about this customer.
    fail_customer: Option<i64>,
    wecom: Vec<Value>,
    dingtalk: Vec<Value>,
    dingtalk_bad_sign: usize,
}

type Shared = Arc<Mutex<Seen>>;

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("key");
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// Verifies `X-Consign-Signature: t=…,v1=…` as a receiver would (docs/webhooks.md).
async fn hook(State(s): State<Shared>, headers: HeaderMap, body: String) -> (StatusCode, String) {
    let sig = headers
        .get("x-consign-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts: HashMap<&str, &str> = sig.split(',').filter_map(|p| p.split_once('=')).collect();
    let expected = hex::encode(hmac(
        SECRET.as_bytes(),
        format!("{}.{}", parts.get("t").unwrap_or(&""), body).as_bytes(),
    ));
    let fresh = parts
        .get("t")
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let mut s = s.lock().expect("lock");
    if parts.get("v1") != Some(&expected.as_str()) || !fresh {
        s.bad_signatures += 1;
        return (StatusCode::UNAUTHORIZED, "bad signature".into());
    }
    let v: Value = serde_json::from_str(&body).expect("json body");
    let customer = v["data"]["id"]
        .as_i64()
        .or_else(|| v["data"]["customer_id"].as_i64())
        .unwrap_or(0);
    if s.fail_next > 0 {
        s.fail_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, "busy, try later".into());
    }
    if s.fail_customer == Some(customer) {
        return (StatusCode::BAD_GATEWAY, "upstream down".into());
    }
    assert_eq!(
        headers.get("x-consign-event").and_then(|v| v.to_str().ok()),
        v["type"].as_str()
    );
    s.events.push((
        v["type"].as_str().unwrap_or("").to_string(),
        customer,
        v["id"].as_str().unwrap_or("").to_string(),
    ));
    (StatusCode::OK, "ok".into())
}

/// WeCom's robot API: `POST /cgi-bin/webhook/send?key=…` with `{"msgtype":"markdown",…}`.
async fn wecom(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    Json(v): Json<Value>,
) -> Json<Value> {
    if q.get("key").map(String::as_str) != Some("wecom-key-1") {
        return Json(json!({"errcode": 93000, "errmsg": "invalid webhook url"}));
    }
    s.lock().expect("lock").wecom.push(v);
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

/// DingTalk's robot API: `POST /robot/send?access_token=…&timestamp=…&sign=…`, the sign
/// being base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
async fn dingtalk(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    Json(v): Json<Value>,
) -> Json<Value> {
    let ts = q.get("timestamp").cloned().unwrap_or_default();
    let want = base64::engine::general_purpose::STANDARD.encode(hmac(
        DING_SECRET.as_bytes(),
        format!("{ts}\n{DING_SECRET}").as_bytes(),
    ));
    let mut s = s.lock().expect("lock");
    if q.get("sign") != Some(&want)
        || q.get("access_token").map(String::as_str) != Some("ding-token")
    {
        s.dingtalk_bad_sign += 1;
        return Json(json!({"errcode": 310000, "errmsg": "sign not match"}));
    }
    s.dingtalk.push(v);
    Json(json!({"errcode": 0, "errmsg": "ok"}))
}

async fn receiver() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/hook", post(hook))
        .route("/cgi-bin/webhook/send", post(wecom))
        .route("/robot/send", post(dingtalk))
        .with_state(seen.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(l, app).await;
    });
    (format!("http://{addr}"), seen)
}

async fn deliver(t: &TestApp) -> usize {
    consign_app::webhooks::send::deliver_due(&t.app)
        .await
        .expect("deliver")
}

/// Makes every pending delivery due now (the test does not wait out the backoff).
async fn due_now(t: &TestApp) {
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.app.db.conn,
        "UPDATE webhook_deliveries SET next_at = created_at WHERE state = 'pending'",
    )
    .await
    .expect("update");
}

fn allow(s: &mut consign_app::Settings) {
    s.webhooks_allow_private = true;
}

#[tokio::test]
async fn deliveries_are_signed_ordered_retried_logged_and_replayed() {
    each_db_with(allow, |t| async move {
        let (base, seen) = receiver().await;
        let admin = t.api("admin").await;
        // Only admins manage endpoints.
        let (s, _) = t
            .api("wangjl")
            .await
            .post("/api/v1/webhooks", json!({"url": format!("{base}/hook"), "events": ["customer.created"], "secret": SECRET}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Each bad field is named.
        let (s, e) = admin
            .post("/api/v1/webhooks", json!({"url": "ftp://tms", "events": ["order.paid"], "secret": "short"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let fields: Vec<&str> = e["errors"].as_array().into_iter().flatten().filter_map(|x| x["field"].as_str()).collect();
        assert_eq!(fields, ["url", "events", "secret"], "{e}");

        let (s, w) = admin
            .post(
                "/api/v1/webhooks",
                json!({"name": "运输管理系统", "url": format!("{base}/hook"), "secret": SECRET,
                       "events": ["customer.created", "customer.updated", "ticket.opened"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        assert!(w.get("secret").is_none() && w["has_secret"] == true, "{w}");
        let wid = w["id"].as_i64().expect("id");

        // The request that causes an event does not wait for it.
        let a = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        assert!(seen.lock().expect("lock").events.is_empty());
        let (s, _) = admin
            .patch(&format!("/api/v1/customers/{a}"), json!({"city": "上海"}))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(deliver(&t).await, 2);

        // B's first delivery fails; its update waits behind it, then both go in order.
        let b = t.customer("杭州顺达物流有限公司", Some("lixy"), None).await;
        seen.lock().expect("lock").fail_next = 1;
        assert_eq!(deliver(&t).await, 1);
        admin
            .patch(&format!("/api/v1/customers/{b}"), json!({"city": "杭州"}))
            .await;
        assert_eq!(deliver(&t).await, 0, "the retry is not due yet and the update waits");
        due_now(&t).await;
        assert_eq!(deliver(&t).await, 2);
        {
            let s = seen.lock().expect("lock");
            assert_eq!(s.bad_signatures, 0);
            let got: Vec<(&str, i64)> = s.events.iter().map(|e| (e.0.as_str(), e.1)).collect();
            assert_eq!(
                got,
                [("customer.created", a), ("customer.updated", a), ("customer.created", b), ("customer.updated", b)]
            );
        }

        // The log: four delivered, B's creation after two tries (the first a 500).
        let (_, log) = admin.get(&format!("/api/v1/webhooks/{wid}/deliveries")).await;
        assert_eq!(log["total"], 4, "{log}");
        let retried = log["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["attempts"] == 2)
            .cloned()
            .expect("a retried delivery");
        assert_eq!((retried["state"].as_str(), retried["last_status"].as_i64()), (Some("delivered"), Some(200)));
        let did = retried["id"].as_i64().expect("id");
        let (_, detail) = admin.get(&format!("/api/v1/webhooks/deliveries/{did}")).await;
        let statuses: Vec<i64> = detail["attempts"].as_array().into_iter().flatten().filter_map(|a| a["status"].as_i64()).collect();
        assert_eq!(statuses, [200, 500], "{detail}");
        assert!(detail["attempts"][1]["response"].as_str().unwrap_or("").contains("busy"), "{detail}");

        // A replay sends the same event again.
        let (s, r) = admin.post(&format!("/api/v1/webhooks/deliveries/{did}/replay"), json!({})).await;
        assert_eq!((s, r["state"].as_str()), (StatusCode::OK, Some("pending")), "{r}");
        assert_eq!(deliver(&t).await, 1);
        {
            let s = seen.lock().expect("lock");
            let last = s.events.last().expect("event");
            let first_b = &s.events[2];
            assert_eq!((&last.0, last.1, &last.2), (&first_b.0, first_b.1, &first_b.2));
        }

        // A receiver that keeps failing: given up after the day, then replayed in bulk.
        let c = t.customer("苏州华瑞电子科技有限公司", Some("lixy"), None).await;
        seen.lock().expect("lock").fail_customer = Some(c);
        assert_eq!(deliver(&t).await, 1);
        sea_orm::ConnectionTrait::execute_unprepared(
            &t.app.db.conn,
            "UPDATE webhook_deliveries SET next_at = created_at, give_up_at = created_at WHERE state = 'pending'",
        )
        .await
        .expect("update");
        assert_eq!(deliver(&t).await, 1);
        let (_, failed) = admin.get(&format!("/api/v1/webhooks/{wid}/deliveries?state=failed")).await;
        assert_eq!(failed["total"], 1, "{failed}");
        assert_eq!(failed["items"][0]["last_status"], 502);
        let (_, hooks) = admin.get("/api/v1/webhooks").await;
        assert_eq!(hooks[0]["failed"], 1, "{hooks}");
        seen.lock().expect("lock").fail_customer = None;
        let (s, r) = admin.post(&format!("/api/v1/webhooks/{wid}/replay-failed"), json!({})).await;
        assert_eq!((s, r["replayed"].as_i64()), (StatusCode::OK, Some(1)), "{r}");
        assert_eq!(deliver(&t).await, 1);
        assert_eq!(seen.lock().expect("lock").events.last().map(|e| e.1), Some(c));

        // The admin's screens: the list and the log with the retried delivery opened.
        let web = t.browser("admin").await;
        let (s, page) = web.get("/admin/webhooks").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("运输管理系统") && page.contains("新建客户"), "{page}");
        let (_, page) = web.get(&format!("/admin/webhooks/{wid}?open={did}")).await;
        assert!(page.contains("busy, try later") && page.contains("已送达"), "{page}");
        // Each change to an endpoint is audited.
        let (_, audit) = admin.get("/api/v1/audit?entity_type=webhook").await;
        assert!(audit.to_string().contains("webhook.replay"), "{audit}");
    })
    .await;
}

#[tokio::test]
async fn team_robots_post_escalations_and_credit_holds_in_their_language() {
    each_db_with(allow, |t| async move {
        let (base, seen) = receiver().await;
        let admin = t.api("admin").await;
        // 上海分公司's WeCom robot, in English; 广州's must hear nothing of Shanghai.
        let (s, w) = admin
            .post("/api/v1/webhooks", json!({"kind": "wecom", "url": format!("{base}/cgi-bin/webhook/send?key=wecom-key-1"),
                "events": ["ticket.escalated"], "unit_id": t.units.shanghai, "lang": "en"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        assert_eq!(w["url"], format!("{base}/cgi-bin/webhook/send?…"), "the key is not shown");
        admin
            .post("/api/v1/webhooks", json!({"kind": "wecom", "url": format!("{base}/cgi-bin/webhook/send?key=wecom-key-1"),
                "events": ["ticket.escalated", "credit.hold"], "unit_id": t.units.guangzhou}))
            .await;
        // The company's DingTalk robot with signing on, in Chinese.
        let (s, d) = admin
            .post("/api/v1/webhooks", json!({"kind": "dingtalk", "url": format!("{base}/robot/send?access_token=ding-token"),
                "events": ["credit.hold"], "secret": DING_SECRET}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");

        let c = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let agent = t.actor("liuy").await;
        let input = consign_app::service::TicketInput {
            kind: "complaint".into(),
            channel: "phone".into(),
            severity: "normal".into(),
            customer_id: c.to_string(),
            subject: "多票延误".into(),
            ..Default::default()
        };
        let old = chrono::Utc::now() - chrono::Duration::days(8);
        let late = consign_app::service::create_at(&t.app, &agent, &input, old).await.expect("ticket");
        consign_app::service::escalate_due(&t.app, chrono::Utc::now()).await.expect("escalate");
        // Over its limit: a credit hold.
        admin
            .put_json(&format!("/api/v1/customers/{c}/credit"), json!({"monthly_settlement": true, "limit_fen": 1_000, "policy": "block"}))
            .await;
        let (s, _) = admin
            .post("/api/v1/shipments", json!({"waybill_no": "SF1400000001", "customer_id": c.to_string(), "revenue_fen": 500_000,
                "ordered_at": chrono::Utc::now().to_rfc3339(), "origin_city": "上海", "destination_city": "杭州"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        deliver(&t).await;

        let s = seen.lock().expect("lock");
        assert_eq!(s.dingtalk_bad_sign, 0);
        // Two breaches (response, resolution), to Shanghai's robot only.
        assert_eq!(s.wecom.len(), 2, "{:?}", s.wecom);
        let m = &s.wecom[0];
        assert_eq!(m["msgtype"], "markdown");
        let text = m["markdown"]["content"].as_str().unwrap_or("");
        assert!(text.contains(&format!("SLA breach escalated: {}", late.ticket.number)), "{text}");
        assert!(text.contains(&format!("/tickets/{}", late.ticket.id)), "{text}");
        assert_eq!(s.dingtalk.len(), 1, "{:?}", s.dingtalk);
        let d = &s.dingtalk[0]["markdown"];
        assert_eq!(d["title"], "信用超额：上海恒通供应链管理有限公司");
        let text = d["text"].as_str().unwrap_or("");
        assert!(text.contains("新运单将暂扣") && text.contains(&format!("/customers/{c}/credit")), "{text}");
    })
    .await;
}

#[tokio::test]
async fn internal_addresses_are_refused_unless_the_operator_allows_them() {
    let t = spawn(false).await;
    let admin = t.api("admin").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://localhost/hook",
    ] {
        let (s, e) = admin
            .post(
                "/api/v1/webhooks",
                json!({"url": url, "events": ["customer.created"], "secret": SECRET}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {e}");
        assert!(
            e.to_string().contains("webhooks_allow_private"),
            "{url}: {e}"
        );
    }
    // One stored while allowed (or a name that later points inside) is refused when sent.
    let (base, seen) = receiver().await;
    let id = {
        let now = chrono::Utc::now();
        consign_store::webhooks::add(
            &t.app.db.conn,
            &consign_store::webhooks::WebhookWrite {
                kind: "webhook",
                name: "",
                url: &format!("{base}/hook"),
                secret_enc: Some(t.app.vault.encrypt(SECRET)),
                events: "customer.created".into(),
                unit_id: None,
                lang: "zh-CN",
                active: true,
            },
            None,
            now,
        )
        .await
        .expect("add")
    };
    t.customer("上海恒通供应链管理有限公司", Some("lixy"), None)
        .await;
    assert_eq!(deliver(&t).await, 1);
    assert!(
        seen.lock().expect("lock").events.is_empty(),
        "nothing reached the receiver"
    );
    let (_, log) = admin
        .get(&format!("/api/v1/webhooks/{id}/deliveries"))
        .await;
    let err = log["items"][0]["last_error"].as_str().unwrap_or("");
    assert!(err.contains("webhook_internal"), "{log}");
}
