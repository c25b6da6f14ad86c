//! Exports of lists as CSV and XLSX, from the web UI and the API: the file has the
//! import's column names, respects the list's filters and the user's scope, and imports
//! again unchanged — on SQLite and on PostgreSQL.

mod common;
use common::*;
use consign_app::auth::Actor;
use consign_app::imports::{import_file, ImportKind, ImportOptions, ImportProgress};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

async fn reimport(t: &TestApp, kind: ImportKind, name: &str, bytes: &[u8]) -> (i64, i64, i64, i64) {
    let path = t.dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    let r = import_file(
        &t.app,
        &Actor::system("test"),
        &path,
        ImportOptions {
            kind: Some(kind),
            ..Default::default()
        },
        Arc::new(ImportProgress::default()),
    )
    .await
    .expect("import");
    assert_eq!(r.fault, None, "{:?}", r.errors);
    let c = r.counts;
    (
        c.rows_read,
        c.rows_new + c.rows_updated,
        c.rows_unchanged,
        c.rows_bad,
    )
}

async fn bytes(b: &Browser, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = b
        .client
        .get(format!("{}{path}", b.base()))
        .send()
        .await
        .expect("send");
    let s = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (s, ct, r.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn lists_export_and_import_again_unchanged() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), Some("13812345678")).await;
        let other = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let admin = t.api("admin").await;
        let (_, d) = admin.get(&format!("/api/v1/customers/{mine}")).await;
        let code = d["customer"]["code"].as_str().expect("code").to_string();
        let mut items = Vec::new();
        for i in 0..30 {
            items.push(json!({
                "waybill_no": format!("SF40000000{i:02}"), "customer_code": code,
                "service_mode": "ltl", "origin_city": "上海", "destination_city": "成都",
                "weight_g": 125_500 + i, "volume_cm3": 1_250_000, "revenue_fen": 98_765 + i, "cost_fen": 50_000,
                "ordered_at": format!("2026-10-{:02}T01:00:00Z", i + 1),
                "delivered_at": format!("2026-10-{:02}T09:00:00Z", i + 1),
                "exceptions": if i % 7 == 0 { json!(["damaged"]) } else { json!([]) }
            }));
        }
        let (s, body) = admin.post("/api/v1/shipments", json!({ "items": items })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (s, body) = admin
            .post(
                "/api/v1/invoices",
                json!({"invoice_no": "ZD202610-001", "customer_code": code, "amount_fen": 2963400,
                       "issued_at": "2026-11-03T02:00:00Z", "due_at": "2026-12-03T15:59:59Z", "period": "2026-10"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        // The account manager downloads its customer's shipments as Excel from the
        // customer page; the file imports again with nothing changed.
        let lixy = t.browser("lixy").await;
        let (s, page) = lixy.get(&format!("/customers/{mine}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&format!("/customers/{mine}/export/shipments?format=xlsx")));
        let (s, ct, xlsx) = bytes(&lixy, &format!("/customers/{mine}/export/shipments?format=xlsx")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("application/vnd.openxmlformats"), "{ct}");
        assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");
        assert_eq!(reimport(&t, ImportKind::Shipments, "s.xlsx", &xlsx).await, (30, 0, 30, 0));
        let (s, _, csv) = bytes(&lixy, &format!("/customers/{mine}/export/shipments?format=csv")).await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(csv.clone()).expect("utf-8");
        assert!(text.starts_with("\u{feff}运单号,客户编号"), "{}", &text[..60.min(text.len())]);
        assert!(text.contains(",125.503,"), "weight in kg");
        assert_eq!(reimport(&t, ImportKind::Shipments, "s.csv", &csv).await, (30, 0, 30, 0));
        // Not another account manager's customer.
        let (s, _, _) = bytes(&lixy, &format!("/customers/{other}/export/shipments?format=csv")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The customer list, filtered, as the user sees it (phones masked for roles that
        // may not see them), with the import's column names.
        let (s, _, csv) = bytes(&lixy, "/customers/export?q=恒通&format=csv").await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(csv).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("\u{feff}客户编号,客户名称"), "{}", lines[0]);
        assert_eq!(lines.len(), 2, "only the filtered customer: {text}");
        assert!(
            lines[1].contains("上海恒通供应链管理有限公司") && lines[1].contains("13812345678"),
            "an account manager may reveal its customers' phones (the export is audited): {}",
            lines[1]
        );
        let ro = t.browser("ro").await;
        let (s, _, csv) = bytes(&ro, "/customers/export?q=恒通&format=csv").await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(csv).expect("utf-8");
        assert!(text.contains("138****5678") && !text.contains("13812345678"), "masked for read-only: {text}");
        // An admin's export has the phone in full and imports again unchanged.
        let adm = t.browser("admin").await;
        let (s, _, xlsx) = bytes(&adm, "/customers/export?format=xlsx").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(reimport(&t, ImportKind::Customers, "c.xlsx", &xlsx).await, (2, 0, 2, 0));
        let (_, list_page) = adm.get("/customers").await;
        assert!(list_page.contains("/customers/export?format=xlsx") || list_page.contains("format=xlsx"));

        // Invoices by API, with what is paid and outstanding beside the import's columns.
        let r = admin
            .req(reqwest::Method::GET, &format!("/api/v1/exports/invoices?format=csv&customer_id={mine}"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.bytes().await.expect("body").to_vec();
        let text = String::from_utf8(csv.clone()).expect("utf-8");
        assert!(text.contains("账单号,客户编号,客户名称,账单金额,开具日期,到期日,账期,备注,已付金额,未付金额,账单状态,逾期天数"), "{text}");
        assert!(text.contains("ZD202610-001,") && text.contains(",29634.00,2026-11-03 10:00:00,2026-12-03,2026-10,"), "{text}");
        assert_eq!(reimport(&t, ImportKind::Invoices, "i.csv", &csv).await, (1, 0, 1, 0));
        let (s, _) = t.api("lixy").await.get("/api/v1/exports/shipments").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "every customer's shipments: roles that write them");
        // The API's export takes the shipment list's filters: the damaged ones of the
        // first ten days, one customer's (its account manager may).
        let r = t
            .api("lixy")
            .await
            .req(
                reqwest::Method::GET,
                &format!("/api/v1/exports/shipments?customer_id={mine}&exception=damaged&from=2026-10-01&to=2026-10-11"),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.expect("body");
        let waybills: Vec<&str> = text.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
        assert_eq!(waybills, vec!["SF4000000000", "SF4000000007"], "in the order they were written: {text}");

        // Each export is in the audit log.
        let (_, audit) = admin.get(&format!("/api/v1/customers/{mine}/timeline")).await;
        assert!(audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["action"] == "shipment.export"), "{audit}");
    })
    .await;
}

/// Exports follow the screens' rules (issue 16): a manager's whole-company exports hold
/// only the customers of its unit and the pool; an account manager sees phones in clear
/// only for its own customers, never the pool's; each phone written in clear is a
/// reveal in the audit log, and the export's row names its filter and scope.
#[tokio::test]
async fn exports_stay_within_scope_and_audit_what_they_reveal() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), Some("13812345678")).await;
        let pooled = t.customer("苏州工业园区天元仓储有限公司", None, Some("13900001111")).await;
        let theirs = t.customer("广州南沙冷链物流有限公司", Some("chenj"), Some("13700002222")).await;
        let admin = t.api("admin").await;
        for (id, n) in [(mine, 1), (pooled, 2), (theirs, 3)] {
            let code = t.code_of(id).await;
            let (s, body) = admin
                .post(
                    "/api/v1/shipments",
                    json!({ "items": [{
                        "waybill_no": format!("SF77000000{n:02}"), "customer_code": code,
                        "service_mode": "ltl", "origin_city": "上海", "destination_city": "成都",
                        "revenue_fen": 10_000 * n, "cost_fen": 5_000, "ordered_at": "2026-10-01T01:00:00Z"
                    }]}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let (s, body) = admin
                .post(
                    "/api/v1/invoices",
                    json!({"invoice_no": format!("ZD-77-{n}"), "customer_code": code, "amount_fen": 100_000,
                           "issued_at": "2026-11-03T02:00:00Z", "due_at": "2026-12-03T15:59:59Z"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            let (s, body) = admin
                .post(
                    "/api/v1/payments",
                    json!({"payment_no": format!("SK-77-{n}"), "customer_code": code, "amount_fen": 50_000,
                           "paid_at": "2026-11-10T02:00:00Z", "invoice_no": format!("ZD-77-{n}")}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }

        // The Shanghai manager: its unit's customer and the pool, not Guangzhou's.
        let wang = t.api("wangjl").await;
        for (kind, mine_key, theirs_key) in [
            ("shipments", "SF7700000001", "SF7700000003"),
            ("invoices", "ZD-77-1", "ZD-77-3"),
            ("payments", "SK-77-1", "SK-77-3"),
        ] {
            let r = wang
                .req(reqwest::Method::GET, &format!("/api/v1/exports/{kind}?format=csv"))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::OK, "{kind}");
            let text = r.text().await.expect("body");
            assert!(text.contains(mine_key), "{kind}: {text}");
            assert!(!text.contains(theirs_key), "{kind} of another branch's customer: {text}");
            assert!(!text.contains("广州南沙冷链物流有限公司"), "{kind}: {text}");
        }
        // The Guangzhou manager does not get Shanghai's.
        let huang = t.api("huangm").await;
        let r = huang.req(reqwest::Method::GET, "/api/v1/exports/shipments").send().await.expect("send");
        let text = r.text().await.expect("body");
        assert!(text.contains("SF7700000003") && !text.contains("SF7700000001"), "{text}");

        // The account manager's customer list: its own customer's phone in clear, the
        // pool's masked (it may see the pool, not unmask it).
        let lixy = t.browser("lixy").await;
        let (s, _, csv) = bytes(&lixy, "/customers/export?format=csv").await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(csv).expect("utf-8");
        assert!(text.contains("13812345678"), "{text}");
        assert!(text.contains("139****1111") && !text.contains("13900001111"), "pool masked: {text}");
        assert!(!text.contains("广州南沙冷链物流有限公司"), "{text}");

        // One reveal audited, of lixy's contact; the export row has filter and scope.
        let (_, d) = admin.get(&format!("/api/v1/customers/{mine}")).await;
        let kid = d["contacts"][0]["id"].as_str().expect("contact").to_string();
        let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
        assert_eq!(audit["total"], 1, "{audit}");
        assert_eq!(audit["items"][0]["entity_id"], kid.as_str());
        assert_eq!(audit["items"][0]["actor_name"], "李晓云 (lixy)");
        assert_eq!(audit["items"][0]["summary"], "手机、邮箱（导出）", "{audit}");
        let (s, _, _) = bytes(&lixy, "/customers/export?format=csv&q=%E6%81%92%E9%80%9A").await;
        assert_eq!(s, StatusCode::OK);
        let (_, audit) = admin.get("/api/v1/audit?action=customer.export").await;
        assert_eq!(audit["total"], 2, "{audit}");
        let last = audit["items"][0].to_string();
        assert!(last.contains("q=%E6%81%92%E9%80%9A") && last.contains("owners 1 + pool"), "{last}");
        assert_eq!(audit["items"][0]["summary"], "1 行（csv），1 位负责人的客户及公海", "{last}");
        let en = admin.clone().lang("en");
        let (_, audit) = en.get("/api/v1/audit?action=customer.export").await;
        assert_eq!(
            audit["items"][0]["summary"], "1 rows (csv), customers of 1 owners and the pool",
            "the API reads in the user's language ({audit})"
        );
        let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
        assert_eq!(audit["total"], 2, "the second export revealed the phone again");
        let _ = (pooled, theirs);
    })
    .await;
}

/// CSV cells that Excel or WPS would run as formulas are written with a leading `'`
/// (issue 16), and the same file imports again with nothing changed.
#[tokio::test]
async fn formula_cells_are_neutralised_and_the_file_still_reimports() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let (s, body) = admin
            .post(
                "/api/v1/customers",
                json!({"name": "杭州西溪电子商务有限公司", "kind": "enterprise",
                       "notes": "=HYPERLINK(\"http://evil.example\",\"点此查看\")",
                       "address": "@SUM(1+1)", "goods_types": "-2+3",
                       "contacts": [{"name": "+1+cmd|' /C calc'!A0", "phone": "13812340000"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let adm = t.browser("admin").await;
        let (s, _, csv) = bytes(&adm, "/customers/export?format=csv").await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(csv.clone()).expect("utf-8");
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点此查看\"\")\""),
            "{text}"
        );
        assert!(
            text.contains(",'@SUM(1+1),") && text.contains(",'-2+3,"),
            "{text}"
        );
        assert!(text.contains("'+1+cmd|"), "{text}");
        for line in text.lines().skip(1) {
            for cell in line.split(',') {
                assert!(
                    !cell.starts_with(['=', '+', '@']),
                    "a live formula: {cell} in {line}"
                );
            }
        }
        assert_eq!(
            reimport(&t, ImportKind::Customers, "c.csv", &csv).await,
            (1, 0, 1, 0)
        );
        let (_, list) = admin.get("/api/v1/customers?q=西溪").await;
        assert_eq!(
            list["items"][0]["notes"],
            "=HYPERLINK(\"http://evil.example\",\"点此查看\")"
        );
    })
    .await;
}

/// A bad filter on an export is a 422 naming it, before the file starts (the file is
/// streamed; a failure after it started could only break the connection).
#[tokio::test]
async fn a_bad_export_filter_is_refused_before_the_file_starts() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        for (path, field) in [
            ("/api/v1/exports/customers?sort=-nonsense", "sort"),
            ("/api/v1/exports/customers?kind=robot", "kind"),
            ("/api/v1/exports/tickets?status=lost", "status"),
        ] {
            let (s, body) = admin.get(path).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
        }
    })
    .await;
}

/// A compressed download ends cleanly: the compression layer polls the streamed body
/// once more after its end, which once panicked the task and broke the connection
/// (found by schemathesis).
#[tokio::test]
async fn a_gzip_download_ends_cleanly() {
    each_db(|t| async move {
        t.customer(
            "上海恒通供应链管理有限公司",
            Some("lixy"),
            Some("13812345678"),
        )
        .await;
        let admin = t.api("admin").await;
        let r = admin
            .req(reqwest::Method::GET, "/api/v1/exports/customers?format=csv")
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip")
        );
        let body = r.bytes().await.expect("the whole body, cleanly ended");
        assert!(body.starts_with(&[0x1f, 0x8b]), "gzip data");
        let (s, _) = admin.get("/api/v1/me").await;
        assert_eq!(s, StatusCode::OK);
    })
    .await;
}
