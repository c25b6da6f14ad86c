//! Public tracking (issue 22): with a waybill number and the last four digits of the
//! shipper's or consignee's phone, anyone sees the shipment's status and events — nothing
//! more — at `/track` and `GET /api/v1/track`; a wrong number and wrong digits look the
//! same; lookups are limited by address and by waybill number.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A visitor behind the trusted proxy (the tests' own address), at `ip`.
async fn lookup(t: &TestApp, ip: &str, waybill: &str, digits: &str) -> (StatusCode, Value) {
    let r = t
        .anonymous()
        .req(
            reqwest::Method::GET,
            &format!(
                "/api/v1/track?waybill_no={}&phone_last4={}",
                urlencode(waybill),
                urlencode(digits)
            ),
        )
        .header("X-Forwarded-For", ip)
        .send()
        .await
        .expect("send");
    json(r).await
}

#[tokio::test]
async fn anyone_with_the_digits_sees_status_and_events_only() {
    each_db_with(
        |s| s.trusted_proxies = vec!["127.0.0.1".into()],
        |t| async move {
            let admin = t.api("admin").await;
            let customer = t.customer("杭州云栖电子商务有限公司", Some("lixy"), None).await;
            let (s, w) = admin
                .post(
                    "/api/v1/shipments",
                    json!({"waybill_no": "YD2612010001", "customer_id": customer.to_string(),
                           "revenue_fen": 86_000, "status": "in_transit",
                           "ordered_at": (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339(),
                           "origin_city": "杭州", "destination_city": "成都",
                           "shipper_phone": "138 0013 8000", "consignee_phone": "028-6666 1234 转 801"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{w}");
            // Only the last four digits are kept, and staff see them.
            assert_eq!(w["shipper_phone_last4"], "8000", "{w}");
            assert_eq!(w["consignee_phone_last4"], "1234", "{w}");
            let sid = w["id"].as_str().expect("id").to_string();
            let (s, e) = admin
                .post(
                    &format!("/api/v1/shipments/{sid}/events"),
                    json!({"items": [{"at": chrono::Utc::now().to_rfc3339(), "place": "成都双流分拨中心", "status_text": "到达分拨中心"}]}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{e}");
            // A phone with no four digits at its end is refused, named by its field.
            let (s, bad) = admin
                .post(
                    "/api/v1/shipments",
                    json!({"waybill_no": "YD2612010002", "customer_id": customer.to_string(),
                           "revenue_fen": 1_000, "ordered_at": chrono::Utc::now().to_rfc3339(),
                           "consignee_phone": "无"}),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(bad["errors"][0]["field"], "consignee_phone", "{bad}");

            // Either phone's digits, the number written loosely: status and events.
            for (number, digits) in [("YD2612010001", "8000"), ("yd 2612010001", "1234")] {
                let (s, v) = lookup(&t, "203.0.113.1", number, digits).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                assert_eq!(v["waybill_no"], "YD2612010001");
                assert_eq!(v["status"], "in_transit");
                assert_eq!(v["events"][0]["place"], "成都双流分拨中心");
                let mut keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
                keys.sort_unstable();
                assert_eq!(keys, ["events", "status", "waybill_no"], "nothing more: {v}");
            }
            // A wrong number and wrong digits are the same answer.
            let (s1, wrong_digits) = lookup(&t, "203.0.113.1", "YD2612010001", "9999").await;
            let (s2, no_such) = lookup(&t, "203.0.113.1", "YD2699999999", "8000").await;
            assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
            assert_eq!(wrong_digits, no_such);
            // Malformed input names its field.
            let (s, v) = lookup(&t, "203.0.113.1", "YD2612010001", "80").await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert_eq!(v["errors"][0]["field"], "phone_last4", "{v}");
            assert_eq!(v["errors"][0]["message"], "应为电话号码的后四位数字", "{v}");

            // The page: a form, then the status and the event, and nothing of the customer.
            let b = Browser::new(&t.base, Some("zh-CN"));
            let (s, page) = b.get("/track").await;
            assert_eq!(s, StatusCode::OK);
            assert!(page.contains("运单查询") && page.contains("name=\"phone_last4\""), "{page}");
            let (s, page) = b.get("/track?waybill_no=YD2612010001&phone_last4=1234").await;
            assert_eq!(s, StatusCode::OK, "{page}");
            assert!(page.contains("运输中") && page.contains("到达分拨中心"), "{page}");
            assert!(!page.contains("杭州云栖") && !page.contains("860"), "nothing more: {page}");
            let (s, page) = b.get("/track?waybill_no=YD2612010001&phone_last4=0000").await;
            assert_eq!(s, StatusCode::NOT_FOUND);
            assert!(page.contains("未找到该运单"), "{page}");
            let en = Browser::new(&t.base, Some("en"));
            let (s, page) = en.get("/track?waybill_no=YD2612010001&phone_last4=8000").await;
            assert_eq!(s, StatusCode::OK);
            assert!(page.contains("In transit") && page.contains("Track a shipment"), "{page}");
            let (s, page) = en.get("/track?waybill_no=YD2612010001&phone_last4=12ab").await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(page.contains("Must be the last four digits of a phone number"), "{page}");

            // An import keeps the digits of whatever the phone columns hold.
            let code = t.code_of(customer).await;
            let csv = format!(
                "运单号,客户编号,寄件时间,应收金额,寄件人电话,收件人手机号\n\
                 YD2612010003,{code},2026-12-01 09:00,120.00,0571-88886666,138****5678\n\
                 YD2612010004,{code},2026-12-01 10:00,80.00,-,\n"
            );
            let run = import_by_api(&admin, "kind=shipments&file_name=寄件.csv", "text/csv", csv.into_bytes()).await;
            assert_eq!(run["counts"]["rows_new"], 2, "a phone cell is never a reason to refuse: {run}");
            let (s, v) = lookup(&t, "203.0.113.2", "YD2612010003", "5678").await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let (s, v) = lookup(&t, "203.0.113.2", "YD2612010003", "6666").await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let (_, d) = admin.get("/api/v1/shipments?q=YD2612010004").await;
            assert_eq!(d["items"][0]["shipper_phone_last4"], "", "{d}");

            // One address: 10 failed lookups, then it is refused even with the right
            // digits, in the caller's language; another address is not.
            for i in 0..10 {
                let (s, _) = lookup(&t, "198.51.100.7", &format!("ZZ{i:08}"), "1111").await;
                assert_eq!(s, StatusCode::NOT_FOUND);
            }
            let (s, v) = lookup(&t, "198.51.100.7", "YD2612010001", "8000").await;
            assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
            assert_eq!(v["status"], 429, "{v}");
            let (s, _) = lookup(&t, "198.51.100.8", "YD2612010001", "8000").await;
            assert_eq!(s, StatusCode::OK);
            // One waybill number: 10 wrong digits from as many addresses, then nobody may
            // look it up for the hour; other numbers still answer.
            for i in 0..10 {
                let (s, _) = lookup(&t, &format!("192.0.2.{i}"), "YD2612010003", &format!("{i:04}")).await;
                assert_eq!(s, StatusCode::NOT_FOUND);
            }
            let (s, _) = lookup(&t, "192.0.2.200", "YD2612010003", "5678").await;
            assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
            let (s, _) = lookup(&t, "192.0.2.200", "YD2612010001", "8000").await;
            assert_eq!(s, StatusCode::OK);
            let (s, page) = Browser::new(&t.base, Some("zh-CN"))
                .get("/track?waybill_no=YD2612010003&phone_last4=5678")
                .await;
            assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
            assert!(page.contains("查询过于频繁"), "{page}");
        },
    )
    .await;
}
