//! Invoices and payments through the REST API and on the customer page, on SQLite and
//! PostgreSQL: writes by number (single and batch, all or none), what is paid and what
//! is overdue (named payments, unnamed ones applied to the oldest invoice first), the
//! aging buckets, deletes, and the customer scope.

mod common;
use chrono::{Duration, SecondsFormat, Utc};
use common::*;
use reqwest::StatusCode;
use serde_json::json;

fn days_ago(d: i64) -> String {
    (Utc::now() - Duration::days(d)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[tokio::test]
async fn invoices_and_payments() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let other = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let admin = t.api("admin").await;
        let code = |id: i64| {
            let admin = admin.clone();
            async move {
                let (_, c) = admin.get(&format!("/api/v1/customers/{id}")).await;
                c["customer"]["code"].as_str().expect("code").to_string()
            }
        };
        let (mine_code, other_code) = (code(mine).await, code(other).await);

        // A statement issued 100 days ago, due 70 days ago, nothing paid: 61–90 days overdue.
        let old = json!({
            "invoice_no": "zd2026-07-001", "customer_code": mine_code, "amount_fen": 500000,
            "issued_at": days_ago(100), "due_at": days_ago(70), "period": "2026/7"
        });
        let (s, body) = admin.post("/api/v1/invoices", old.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["outcome"], "created");
        assert_eq!(body["invoice_no"], "ZD2026-07-001");
        assert_eq!(body["period"], "2026-07");
        assert_eq!(body["state"], "overdue");
        assert_eq!(body["days_overdue"], 70);
        assert_eq!(body["aging"], "d61_to90");
        assert_eq!(body["outstanding_fen"], 500000);
        let old_id = body["id"].as_str().expect("id").to_string();
        let (s, again) = admin.post("/api/v1/invoices", old.clone()).await;
        assert_eq!((s, again["outcome"].clone()), (StatusCode::OK, json!("unchanged")));

        // A batch is all or none and names each bad item's field.
        let (s, body) = admin
            .clone()
            .lang("zh-CN")
            .post(
                "/api/v1/invoices",
                json!({"items": [
                    {"invoice_no": "ZD2026-10-001", "customer_code": mine_code, "amount_fen": 200000, "issued_at": days_ago(10), "due_at": days_ago(-20)},
                    {"invoice_no": "ZD2026-10-002", "customer_code": mine_code, "amount_fen": 0, "issued_at": days_ago(10), "due_at": days_ago(12)},
                    {"invoice_no": "ZD2026-10-003", "customer_code": mine_code, "amount_fen": 100, "issued_at": days_ago(10), "due_at": days_ago(-20), "period": "2026-13"},
                    {"invoice_no": "ZD2026-10-004", "customer_code": "NOSUCH", "amount_fen": 100, "issued_at": days_ago(10), "due_at": days_ago(-20)}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = body["errors"].as_array().expect("errors");
        let has = |f: &str, m: &str| errors.iter().any(|e| e["field"] == f && e["message"] == m);
        assert!(has("items[1].amount_fen", "金额必须大于 0"), "{body}");
        assert!(has("items[1].due_at", "到期日早于开具日期"), "{body}");
        assert!(has("items[2].period", "账期应为年月，如 2026-10"), "{body}");
        assert!(errors.iter().any(|e| e["field"] == "items[3].customer_code"), "{body}");
        let (s, _) = admin.get("/api/v1/invoices/by-number/ZD2026-10-001").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "nothing of a refused batch is written");

        let (s, body) = admin
            .post(
                "/api/v1/invoices",
                json!({"items": [
                    {"invoice_no": "ZD2026-10-001", "customer_code": mine_code, "amount_fen": 200000, "issued_at": days_ago(10), "due_at": days_ago(-20), "period": "2026-10"},
                    {"invoice_no": "ZD2026-08-001", "customer_code": mine_code, "amount_fen": 300000, "issued_at": days_ago(70), "due_at": days_ago(40), "period": "2026-08"},
                    {"invoice_no": "GZ-001", "customer_code": other_code, "amount_fen": 100000, "issued_at": days_ago(10), "due_at": days_ago(-20)}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 3);

        // Payments: one names the July statement and pays part of it, 5 days late is
        // not the point here (it is paid after the due date: days_late > 0); one names
        // no invoice and goes to the oldest unpaid invoice first.
        let (s, body) = admin
            .post(
                "/api/v1/payments",
                json!({"payment_no": "SK-001", "customer_code": mine_code, "invoice_no": "ZD2026-07-001",
                       "amount_fen": 200000, "paid_at": days_ago(60), "method": "对公转账"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["method"], "bank_transfer");
        assert_eq!(body["days_late"], 10);
        let pay_id = body["id"].as_str().expect("id").to_string();
        let (s, body) = admin
            .post(
                "/api/v1/payments",
                json!({"payment_no": "SK-002", "customer_code": mine_code,
                       "amount_fen": 400000, "paid_at": days_ago(5), "method": "acceptance"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        // A payment may not name another customer's invoice, nor an unknown method.
        let (s, body) = admin
            .clone()
            .lang("en")
            .post(
                "/api/v1/payments",
                json!({"items": [
                    {"payment_no": "SK-003", "customer_code": mine_code, "invoice_no": "GZ-001", "amount_fen": 100, "paid_at": days_ago(1)},
                    {"payment_no": "SK-004", "customer_code": mine_code, "amount_fen": 100, "paid_at": days_ago(1), "method": "赊账"}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = body["errors"].as_array().expect("errors");
        assert!(errors.iter().any(|e| e["field"] == "items[0].invoice_no"
            && e["message"] == "No invoice has this number (or it belongs to another customer)"));
        assert!(errors.iter().any(|e| e["field"] == "items[1].method"
            && e["message"] == "Unknown payment method"));

        // July: 500,000 − 200,000 named − 300,000 of the unnamed 400,000 (due first) = 0;
        // August: 300,000 − the remaining 100,000 = 200,000, 40 days overdue; October open.
        let (s, page) = admin.get(&format!("/api/v1/customers/{mine}/invoices")).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 3);
        let by_no = |no: &str| {
            page["items"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["invoice_no"] == no))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(by_no("ZD2026-07-001")["state"], "paid");
        assert_eq!(by_no("ZD2026-08-001")["outstanding_fen"], 200000);
        assert_eq!(by_no("ZD2026-08-001")["aging"], "d31_to60");
        assert_eq!(by_no("ZD2026-10-001")["state"], "open");
        assert_eq!(page["items"][0]["invoice_no"], "ZD2026-10-001", "latest issued first");
        let r = &page["receivables"];
        assert_eq!(r["outstanding_fen"], 400000);
        assert_eq!(r["overdue_fen"], 200000);
        assert_eq!(r["aging"]["d31_60"], 200000);
        assert_eq!(r["aging"]["not_due"], 200000);
        assert_eq!(r["oldest_overdue_days"], 40);

        // An invoice with payments is not deleted; the payment can be.
        let (s, body) = admin.delete(&format!("/api/v1/invoices/{old_id}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (s, _) = admin.delete(&format!("/api/v1/payments/{pay_id}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = admin.delete(&format!("/api/v1/invoices/{old_id}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        // Scope: an account manager reads its own customer's bills, not another's, and
        // does not write them.
        let lixy = t.api("lixy").await;
        let (s, page) = lixy.get(&format!("/api/v1/customers/{mine}/payments")).await;
        assert_eq!((s, page["total"].clone()), (StatusCode::OK, json!(1)));
        let (s, _) = lixy.get(&format!("/api/v1/customers/{other}/invoices")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = lixy.get("/api/v1/invoices/by-number/GZ-001").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = lixy.post("/api/v1/invoices", old.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A large old statement takes the unnamed payment (it fell due first): it is 120
        // days overdue with ¥6,000 left, and August is overdue again in full.
        let (s, body) = admin
            .post(
                "/api/v1/invoices",
                json!({"invoice_no": "ZD2026-06-001", "customer_code": mine_code, "amount_fen": 1000000,
                       "issued_at": days_ago(150), "due_at": days_ago(120), "period": "2026-06"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["outstanding_fen"], 600000);
        assert_eq!(body["aging"], "over90");

        // On the customer page: receivables, the overdue invoices in red, the payment.
        for (lang, overdue, late) in [
            ("zh-CN", "已逾期", "逾期 120 天"),
            ("en", "Overdue", "120 days overdue"),
        ] {
            let b = Browser::new(&t.url(""), Some(lang));
            let r = b.login("lixy", PASSWORD).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            let (s, html) = b.get(&format!("/customers/{mine}")).await;
            assert_eq!(s, StatusCode::OK);
            assert!(html.contains("ZD2026-08-001"), "{lang}: invoice listed");
            assert!(html.contains(overdue) && html.contains(late), "{lang}: overdue shown");
            assert!(html.contains("<tr class=\"overdue\">"), "{lang}: overdue rows marked");
            assert!(html.contains("¥6,000.00"), "{lang}: outstanding in yuan");
            assert!(html.contains("¥11,000.00"), "{lang}: total outstanding");
            assert!(html.contains("SK-002"), "{lang}: payment listed");
        }
    })
    .await;
}
