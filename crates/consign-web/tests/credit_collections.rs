//! Receivables aging and collections (issue 21) on SQLite and PostgreSQL: the company's
//! aging by account manager, unit and customer with payments applied as on the invoice
//! list, each user seeing its own scope; DSO; the daily collection sweep (a reminder to
//! the owner, an escalation to the nearest managers, once while open); promises to pay,
//! kept or broken.

mod common;
use chrono::{Duration, Utc};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn aging_by_group_dso_and_collection_tasks() {
    each_db(|t| async move {
        let a = t
            .customer(
                "上海恒通供应链管理有限公司",
                Some("lixy"),
                Some("13812345678"),
            )
            .await;
        let b = t
            .customer("杭州优品电商有限公司", Some("zhaop"), Some("13700002222"))
            .await;
        let admin = t.api("admin").await;
        let now = Utc::now();
        let at = |d: i64| (now + Duration::days(d)).to_rfc3339();
        for (no, c, amount, issued, due) in [
            ("AG-1", a, 100_000, -75, -45),
            ("AG-2", a, 50_000, -20, 10),
            ("AG-3", b, 20_000, -35, -5),
        ] {
            let (s, body) = admin
                .post(
                    "/api/v1/invoices",
                    json!({"invoice_no": no, "customer_id": c.to_string(),
                    "amount_fen": amount, "issued_at": at(issued), "due_at": at(due)}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }
        // A payment naming no invoice goes to A's earliest-due one.
        admin
            .post(
                "/api/v1/payments",
                json!({"payment_no": "AGP-1", "customer_id": a.to_string(),
                "amount_fen": 30_000, "paid_at": at(-2)}),
            )
            .await;
        admin
            .post(
                "/api/v1/shipments",
                json!({"waybill_no": "AG0000001", "customer_id": a.to_string(),
                "revenue_fen": 90_000, "ordered_at": at(-1)}),
            )
            .await;
        let (s, r) = admin.get("/api/v1/ar/aging").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["group"], "owner");
        assert_eq!(
            (
                r["total"]["not_due"].as_i64(),
                r["total"]["d1_30"].as_i64(),
                r["total"]["d31_60"].as_i64()
            ),
            (Some(50_000), Some(20_000), Some(70_000)),
            "{r}"
        );
        assert_eq!(r["overdue_fen"], 90_000, "{r}");
        assert_eq!(r["groups"][0]["label"], "李晓云", "most overdue first: {r}");
        assert_eq!(r["groups"][0]["overdue_fen"], 70_000);
        assert_eq!(r["top_overdue"][0]["customer_id"], a.to_string());
        assert_eq!(r["top_overdue"][0]["oldest_days"], 45, "{r}");
        let dso = r["dso"].as_array().expect("dso");
        assert_eq!(dso.len(), 12);
        let last = &dso[11];
        assert_eq!(last["receivables_fen"], 140_000, "{last}");
        assert_eq!(last["revenue_90d_fen"], 90_000, "{last}");
        assert!(last["days"].as_f64().is_some_and(|d| d > 100.0), "{last}");
        let (_, u) = admin.get("/api/v1/ar/aging?group=unit").await;
        assert_eq!(u["groups"][0]["label"], "华东大客户部", "{u}");
        let (_, c) = admin.get("/api/v1/ar/aging?group=customer").await;
        assert_eq!(c["groups"].as_array().map(Vec::len), Some(2), "{c}");
        let (_, mine) = t.api("lixy").await.get("/api/v1/ar/aging").await;
        assert_eq!(
            mine["overdue_fen"], 70_000,
            "an account manager sees its own: {mine}"
        );
        let (s, body) = admin.get("/api/v1/ar/aging?group=region").await;
        assert_eq!(
            (s, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("group"))
        );
        let (s, _) = t.api("liuy").await.get("/api/v1/ar/aging").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The sweep: A is 45 days overdue (past 7 and 30), B 5 (neither).
        let (reminded, escalated) = consign_app::credit::sweep(&t.app).await.expect("sweep");
        assert_eq!((reminded, escalated), (1, 1));
        assert_eq!(
            consign_app::credit::sweep(&t.app).await.expect("again"),
            (0, 0),
            "once while open"
        );
        let (_, tasks) = t.api("lixy").await.get("/api/v1/tasks").await;
        assert!(
            tasks.to_string().contains("追收欠款") || tasks.to_string().contains("Collect from"),
            "{tasks}"
        );
        let (_, tasks) = t.api("wangjl").await.get("/api/v1/tasks").await;
        assert!(
            tasks.to_string().contains("collection"),
            "the branch manager above the team: {tasks}"
        );
        let (_, n) = t.api("wangjl").await.get("/api/v1/notifications").await;
        assert!(
            n.to_string().contains("升级") || n.to_string().contains("escalated"),
            "{n}"
        );
        let (_, n) = t.api("huangm").await.get("/api/v1/notifications").await;
        assert!(
            !n.to_string().contains("升级"),
            "not the other branch's manager: {n}"
        );

        // Promises: one kept by a payment, one broken (its day passed unpaid).
        let lixy = t.api("lixy").await;
        let day = |d: i64| {
            (now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive() + Duration::days(d))
                .to_string()
        };
        let (s, body) = lixy
            .post(
                &format!("/api/v1/customers/{a}/credit/promises"),
                json!({"amount_fen": 70_000, "promised_on": day(-1)}),
            )
            .await;
        assert_eq!(
            (s, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("promised_on")),
            "{body}"
        );
        let (s, p) = lixy
            .post(
                &format!("/api/v1/customers/{a}/credit/promises"),
                json!({"amount_fen": 70_000, "promised_on": day(3), "note": "财务说周五付款"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["items"][0]["state"], "pending", "{p}");
        consign_store::credit::add_promise(
            &t.app.db.conn,
            a,
            10_000,
            20200101,
            "早年的承诺",
            None,
            now - Duration::days(2500),
        )
        .await
        .expect("old promise");
        admin
            .post(
                "/api/v1/payments",
                json!({"payment_no": "AGP-2", "customer_id": a.to_string(),
                "amount_fen": 70_000, "paid_at": Utc::now().to_rfc3339()}),
            )
            .await;
        let (_, p) = lixy
            .get(&format!("/api/v1/customers/{a}/credit/promises"))
            .await;
        assert_eq!(
            (p["kept"].as_i64(), p["broken"].as_i64()),
            (Some(1), Some(1)),
            "{p}"
        );
        assert_eq!(p["items"][0]["state"], "kept", "{p}");
        let (s, _) = t
            .api("liuy")
            .await
            .post(
                &format!("/api/v1/customers/{a}/credit/promises"),
                json!({"amount_fen": 1, "promised_on": day(1)}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "service agents do not take promises"
        );
        // The aging page draws both charts.
        let (s, page) = t.browser("admin").await.get("/credit/aging").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("<svg") && page.contains("DSO") && page.contains("李晓云"),
            "{page}"
        );
    })
    .await;
}
