//! Shipments on screen: the customer page lists them (paged), a shipment page shows its
//! tracking timeline, and a waybill number finds its shipment — within the user's scope.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn shipments_on_screen() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let admin = t.api("admin").await;
        let (_, c) = admin.get(&format!("/api/v1/customers/{mine}")).await;
        let code = c["customer"]["code"].as_str().expect("code").to_string();
        let mut items = Vec::new();
        for i in 0..25 {
            items.push(json!({
                "waybill_no": format!("SF30000000{i:02}"), "customer_code": code,
                "service_mode": "cold_chain", "origin_city": "上海", "destination_city": "杭州",
                "weight_g": 12500, "revenue_fen": 123450 + i,
                "ordered_at": format!("2025-10-{:02}T01:00:00Z", i + 1),
                "exceptions": if i == 24 { json!(["damaged"]) } else { json!([]) }
            }));
        }
        let (s, body) = admin.post("/api/v1/shipments", json!({ "items": items })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let newest = body["items"][24]["id"].as_str().expect("id").to_string();
        let (s, body) = admin
            .post(
                &format!("/api/v1/shipments/{newest}/events"),
                json!({"items": [
                    {"at": "2025-10-25T02:00:00Z", "place": "上海青浦集散中心", "status_text": "已揽收"},
                    {"at": "2025-10-25T09:30:00Z", "place": "杭州萧山分拨中心", "status_text": "运输中"},
                    {"at": "2025-10-25T02:00:00Z", "place": "上海青浦集散中心", "status_text": "已揽收"}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["added"], 2, "the repeated event is kept once");

        let b = t.browser("lixy").await;
        // The customer's shipments show the columns chosen for the shipment list: the
        // weight is one to choose.
        let r = b
            .post(
                "/views/shipments/columns",
                "/shipments",
                &[
                    ("col", "waybill"),
                    ("col", "ordered"),
                    ("col", "mode"),
                    ("col", "weight"),
                    ("col", "revenue"),
                    ("col", "exceptions"),
                    ("back", "/shipments"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (s, page) = b.get(&format!("/customers/{mine}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("共 25 条"), "the total of the customer's shipments");
        assert!(page.contains("SF3000000024"), "the newest shipment is listed first");
        assert!(!page.contains("SF3000000004"), "20 a page");
        assert!(page.contains("¥1,234.74"), "money as zh-CN writes it");
        assert!(page.contains("12.5 kg"));
        assert!(page.contains("冷链"));
        assert!(page.contains("破损"));
        let (_, page2) = b.get(&format!("/customers/{mine}?spage=2")).await;
        assert!(page2.contains("SF3000000004") && !page2.contains("SF3000000024"));

        let r = b.client.get(t.url("/shipments?waybill=sf 3000 0000 24")).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), format!("/shipments/{newest}"));
        let (s, detail) = b.get(&format!("/shipments/{newest}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(detail.contains("物流轨迹"));
        let (first, second) = (
            detail.find("已揽收").expect("first event"),
            detail.find("杭州萧山分拨中心").expect("second event"),
        );
        assert!(first < second, "the timeline runs oldest first");
        assert!(detail.contains("上海恒通供应链管理有限公司"));

        let (_, none) = b.get("/shipments?waybill=SF9999999999").await;
        assert!(none.contains("没有找到该运单号"));

        // Another account manager neither sees it nor finds it.
        let other = t.browser("chenj").await;
        let (s, _) = other.get(&format!("/shipments/{newest}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, hidden) = other.get("/shipments?waybill=SF3000000024").await;
        assert!(hidden.contains("没有找到该运单号"));
    })
    .await;
}

/// The shipment list (运单): every shipment of the customers in scope, newest order
/// first, filtered by waybill prefix, status, exception, days and route, each filter a
/// chip; a bad filter is named, not an empty list; its columns are chosen per user.
#[tokio::test]
async fn the_shipment_list_filters_within_scope() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let theirs = t.customer("广州白云山医药集团股份有限公司", Some("chenj"), None).await;
        let admin = t.api("admin").await;
        let code = |id: i64| {
            let admin = &admin;
            async move {
                let (_, c) = admin.get(&format!("/api/v1/customers/{id}")).await;
                c["customer"]["code"].as_str().expect("code").to_string()
            }
        };
        let (mine_code, theirs_code) = (code(mine).await, code(theirs).await);
        let mut items = Vec::new();
        for i in 0..6 {
            items.push(json!({
                "waybill_no": format!("DB70000000{i:02}"), "customer_code": mine_code,
                "service_mode": if i % 2 == 0 { "ltl" } else { "express" },
                "origin_city": "南京", "destination_city": if i < 3 { "西安" } else { "成都" },
                "revenue_fen": 100000 + i,
                "ordered_at": format!("2026-10-{:02}T02:00:00Z", i + 1),
                "delivered_at": if i < 4 { json!(format!("2026-10-{:02}T08:00:00Z", i + 3)) } else { json!(null) },
                "exceptions": if i == 1 { json!(["short"]) } else { json!([]) }
            }));
        }
        items.push(json!({
            "waybill_no": "SF8000000001", "customer_code": theirs_code, "origin_city": "广州",
            "destination_city": "深圳", "revenue_fen": 5000, "ordered_at": "2026-10-02T02:00:00Z"
        }));
        let (s, body) = admin.post("/api/v1/shipments", json!({ "items": items })).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let b = t.browser("lixy").await;
        let (s, page) = b.get("/shipments").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("共 6 条"), "an account manager's own customers only: {page}");
        assert!(!page.contains("SF8000000001") && !page.contains("广州白云山"), "{page}");
        let rows = page.split("<tbody>").nth(1).unwrap_or("");
        assert!(
            rows.find("DB7000000005") < rows.find("DB7000000000"),
            "newest order first"
        );
        assert!(rows.contains("南京 → 成都") && rows.contains("¥1,000.05"), "{rows}");
        // Filters, each a chip.
        let (_, page) = b.get("/shipments?q=db70000000&exception=short").await;
        assert!(page.contains("共 1 条") && page.contains("DB7000000001"), "{page}");
        assert!(page.contains("class=\"chip\""), "{page}");
        let (_, page) = b
            .get("/shipments?from=2026-10-03&to=2026-10-05&destination_city=成都")
            .await;
        assert!(page.contains("共 1 条") && page.contains("DB7000000003"), "{page}");
        let (_, page) = b.get("/shipments?status=delivered&service_mode=ltl").await;
        assert!(page.contains("共 2 条"), "DB…00 and DB…02: {page}");
        let (_, bad) = b.get("/shipments?from=10/03/2026&exception=lost").await;
        assert!(
            bad.contains("flash error") && bad.contains("from") && bad.contains("exception"),
            "{bad}"
        );
        // A manager of the company sees both branches' customers.
        let all = t.browser("admin").await;
        let (_, page) = all.get("/shipments").await;
        assert!(page.contains("共 7 条") && page.contains("SF8000000001"), "{page}");
        // The columns chosen stay.
        let r = b
            .post(
                "/views/shipments/columns",
                "/shipments",
                &[("col", "waybill"), ("col", "status"), ("back", "/shipments")],
            )
            .await;
        assert_eq!(location(&r), "/shipments");
        let (_, page) = b.get("/shipments").await;
        assert!(
            page.contains("class=\"s-status\"") && !page.contains("class=\"s-route\""),
            "{page}"
        );
    })
    .await;
}

/// The shipment list's sums, orders, owner and overdue filters, and its export of exactly
/// the filtered rows (issue 19), within the caller's scope.
#[tokio::test]
async fn the_shipment_list_sums_sorts_and_exports_what_it_filters() {
    each_db(|t| async move {
        let east = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let south = t.customer("广州白云冷链物流有限公司", Some("chenj"), None).await;
        let admin = t.api("admin").await;
        let code = |v: serde_json::Value| v["customer"]["code"].as_str().expect("code").to_string();
        let (_, c) = admin.get(&format!("/api/v1/customers/{east}")).await;
        let east_code = code(c);
        let (_, c) = admin.get(&format!("/api/v1/customers/{south}")).await;
        let south_code = code(c);
        let past = "2025-10-02T01:00:00Z";
        let items = json!([
            {"waybill_no": "TS0001", "customer_code": east_code, "revenue_fen": 10000, "cost_fen": 6000,
             "ordered_at": "2025-10-01T01:00:00Z", "promised_at": past, "status": "in_transit"},
            {"waybill_no": "TS0002", "customer_code": east_code, "revenue_fen": 30000,
             "ordered_at": "2025-10-03T01:00:00Z"},
            {"waybill_no": "TS0003", "customer_code": east_code, "revenue_fen": 20000, "cost_fen": 5000,
             "ordered_at": "2025-10-02T01:00:00Z", "delivered_at": "2025-10-02T05:00:00Z"},
            {"waybill_no": "TS0004", "customer_code": south_code, "revenue_fen": 99900,
             "ordered_at": "2025-10-04T01:00:00Z", "promised_at": "2025-10-05T01:00:00Z"},
        ]);
        let (s, body) = admin.post("/api/v1/shipments", json!({ "items": items })).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // Totals of the filtered rows, on request.
        let lixy = t.api("lixy").await;
        let (s, p) = lixy.get("/api/v1/shipments?totals=true").await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["totals"]["shipments"], 3, "lixy sees only its customer's: {p}");
        assert_eq!(p["totals"]["revenue_fen"], 60000, "{p}");
        assert_eq!(p["totals"]["cost_fen"], 11000, "{p}");
        assert_eq!(p["totals"]["profit_fen"], 49000, "{p}");
        let (_, p) = lixy.get("/api/v1/shipments").await;
        assert!(p["totals"].is_null(), "no scan unless asked: {p}");
        // Highest revenue first.
        let (s, p) = lixy.get("/api/v1/shipments?sort=revenue").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "all of time, by revenue: {p}");
        let (_, p) = lixy
            .get("/api/v1/shipments?sort=revenue&from=2025-10-01&to=2025-10-31")
            .await;
        let order: Vec<&str> = p["items"].as_array().expect("items").iter()
            .map(|s| s["waybill_no"].as_str().expect("no")).collect();
        assert_eq!(order, ["TS0002", "TS0003", "TS0001"]);
        // The same for the admin, who sees every customer's (sorted before the join).
        let (_, p) = admin
            .get("/api/v1/shipments?sort=revenue&from=2025-10-01&to=2025-10-31&totals=true")
            .await;
        let order: Vec<&str> = p["items"].as_array().expect("items").iter()
            .map(|s| s["waybill_no"].as_str().expect("no")).collect();
        assert_eq!(order, ["TS0004", "TS0002", "TS0003", "TS0001"]);
        assert_eq!(p["totals"]["shipments"], 4, "{p}");
        assert_eq!(p["totals"]["revenue_fen"], 159900, "{p}");
        let (_, p) = admin
            .get("/api/v1/shipments?sort=revenue_asc&from=2025-10-01&to=2025-10-31&per_page=2&page=2")
            .await;
        let order: Vec<&str> = p["items"].as_array().expect("items").iter()
            .map(|s| s["waybill_no"].as_str().expect("no")).collect();
        assert_eq!(order, ["TS0002", "TS0004"], "{p}");
        // Newest order first; under a waybill prefix, highest number first.
        let waybills = |p: &serde_json::Value| -> Vec<String> {
            p["items"].as_array().expect("items").iter()
                .map(|s| s["waybill_no"].as_str().expect("no").to_string()).collect()
        };
        let (_, p) = lixy.get("/api/v1/shipments").await;
        assert_eq!(waybills(&p), ["TS0002", "TS0003", "TS0001"]);
        let (_, p) = lixy.get("/api/v1/shipments?q=ts").await;
        assert_eq!(waybills(&p), ["TS0003", "TS0002", "TS0001"]);
        let (_, p) = lixy.get("/api/v1/shipments?q=ts&sort=oldest").await;
        assert_eq!(waybills(&p), ["TS0001", "TS0002", "TS0003"]);
        // Overdue: not delivered, past its promise (TS0004's promise is past too, but it
        // is outside lixy's scope).
        let (_, p) = lixy.get("/api/v1/shipments?overdue=true").await;
        assert_eq!(p["total"], 1, "{p}");
        assert_eq!(p["items"][0]["waybill_no"], "TS0001");
        let (s, p) = lixy.get("/api/v1/shipments?sort=biggest").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        // By account manager (the manager's filter).
        let (_, users) = admin.get("/api/v1/users?q=chenj").await;
        let chenj = users["items"][0]["id"].as_str().expect("id").to_string();
        let (_, p) = admin.get(&format!("/api/v1/shipments?owner_id={chenj}&totals=true")).await;
        assert_eq!(p["totals"]["shipments"], 1, "{p}");
        assert_eq!(p["items"][0]["waybill_no"], "TS0004");

        // On screen: the sums bar; the export of every customer's shipments is for
        // roles that write them, one customer's for whoever sees the list.
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/shipments?totals=true").await;
        assert!(page.contains("¥600.00") && page.contains("¥490.00"), "the sums bar");
        assert!(!page.contains("/shipments/export"), "{page}");
        let r = b
            .client
            .get(format!("{}/shipments/export?format=csv", b.base()))
            .send()
            .await
            .expect("export");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let (_, page) = b.get(&format!("/shipments?customer_id={east}")).await;
        assert!(
            page.contains(&format!("href=\"/shipments/export?customer_id={east}&#38;format=csv\"")),
            "{page}"
        );
        let r = b
            .client
            .get(format!("{}/shipments/export?customer_id={east}&format=csv", b.base()))
            .send()
            .await
            .expect("export");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.text().await.expect("csv").lines().count(), 4, "a header and three rows");
        // A manager exports exactly the filtered rows, within its scope.
        let b = t.browser("wangjl").await;
        let r = b
            .client
            .get(format!("{}/shipments/export?sort=revenue&from=2025-10-02&to=2025-10-31&format=csv", b.base()))
            .send()
            .await
            .expect("export");
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.text().await.expect("csv");
        assert!(csv.contains("TS0002") && csv.contains("TS0003"), "{csv}");
        assert!(!csv.contains("TS0001"), "ordered before the from day: {csv}");
        assert!(!csv.contains("TS0004"), "outside the Shanghai manager's scope: {csv}");
        assert_eq!(csv.lines().count(), 3, "a header and two rows: {csv}");
    })
    .await;
}
