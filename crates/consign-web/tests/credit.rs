//! Credit management (issue 21) on SQLite and PostgreSQL: a customer's exposure after
//! every kind of event equals a recount from its shipments, invoices and payments as the
//! API lists them (also over random sequences of events); the block policy holds every
//! shipment that comes in over the limit whatever the path (API single and batch, CSV
//! and XLSX imports); only credit staff set terms and release holds; an account
//! manager's request goes to a credit officer and back.

mod common;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn local_day(t: &str) -> i32 {
    let t: DateTime<Utc> = t.parse().expect("time");
    let d = t.with_timezone(&Shanghai).date_naive();
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

fn next_day(day: i32) -> i32 {
    let d =
        chrono::NaiveDate::from_ymd_opt(day / 10_000, (day / 100 % 100) as u32, (day % 100) as u32)
            .expect("day")
            .succ_opt()
            .expect("next");
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

async fn all_items(api: &Api, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let (s, body) = api.get(&format!("{path}?page={page}&per_page=200")).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
        let items = body["items"].as_array().expect("items").clone();
        let n = items.len();
        out.extend(items);
        if n < 200 {
            break;
        }
    }
    out
}

/// The customer's exposure counted from scratch from what the API lists: invoices less
/// payments, plus the revenue of shipments ordered on or after the first day no invoice
/// covers (a monthly statement covers its month, another invoice up to its issue day).
async fn recount(api: &Api, id: i64) -> i64 {
    let invoices = all_items(api, &format!("/api/v1/customers/{id}/invoices")).await;
    let payments = all_items(api, &format!("/api/v1/customers/{id}/payments")).await;
    let shipments = all_items(api, &format!("/api/v1/customers/{id}/shipments")).await;
    // Credit notes subtract, and cover no days.
    let invoiced: i64 = invoices
        .iter()
        .map(|i| {
            let a = i["amount_fen"].as_i64().expect("amount");
            if i["kind"] == "credit_note" {
                -a
            } else {
                a
            }
        })
        .sum();
    let paid: i64 = payments
        .iter()
        .map(|p| p["amount_fen"].as_i64().expect("amount"))
        .sum();
    let billed_from = invoices
        .iter()
        .filter(|i| i["kind"] == "invoice")
        .map(|i| match i["period"].as_str().expect("period") {
            "" => next_day(local_day(i["issued_at"].as_str().expect("issued"))),
            p => {
                let (y, m) = p.split_once('-').expect("period");
                let (y, m): (i32, i32) = (y.parse().expect("y"), m.parse().expect("m"));
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                y * 10_000 + m * 100 + 1
            }
        })
        .max()
        .unwrap_or(0);
    let uninvoiced: i64 = shipments
        .iter()
        .filter(|s| local_day(s["ordered_at"].as_str().expect("ordered")) >= billed_from)
        .map(|s| s["revenue_fen"].as_i64().expect("revenue"))
        .sum();
    (invoiced - paid + uninvoiced).max(0)
}

async fn credit(api: &Api, id: i64) -> Value {
    let (s, c) = api.get(&format!("/api/v1/customers/{id}/credit")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    c
}

async fn assert_exposure(api: &Api, id: i64, what: &str) -> i64 {
    let c = credit(api, id).await;
    let want = recount(api, id).await;
    assert_eq!(c["exposure_fen"].as_i64(), Some(want), "after {what}: {c}");
    want
}

fn ship(no: &str, customer: i64, fen: i64, at: DateTime<Utc>) -> Value {
    json!({"waybill_no": no, "customer_id": customer.to_string(), "revenue_fen": fen,
           "ordered_at": at.to_rfc3339(), "origin_city": "上海", "destination_city": "杭州"})
}

/// Noon, `back` days ago, Shanghai time.
fn days_ago(back: i64) -> DateTime<Utc> {
    let d = Utc::now().with_timezone(&Shanghai).date_naive() - Duration::days(back);
    Shanghai
        .from_local_datetime(&d.and_hms_opt(12, 0, 0).expect("noon"))
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn exposure_after_every_kind_of_event_equals_a_recount() {
    each_db(|t| async move {
        let a = t.customer("上海恒通供应链管理有限公司", Some("lixy"), Some("13812345678")).await;
        let b = t.customer("杭州优品电商有限公司", Some("lixy"), Some("13700002222")).await;
        let admin = t.api("admin").await;
        // Before any terms the exposure is still computed (no account yet).
        let c = credit(&admin, a).await;
        assert_eq!((c["has_account"].as_bool(), c["status"].as_str()), (Some(false), Some("ok")));
        let (s, c) = admin
            .put_json(&format!("/api/v1/customers/{a}/credit"),
                json!({"monthly_settlement": true, "limit_fen": 5_000_000, "term_days": 30, "rating": "b"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!((c["rating"].as_str(), c["policy"].as_str(), c["limit_fen"].as_i64()), (Some("B"), Some("warn"), Some(5_000_000)));
        let last_month = days_ago(35);
        let (s, body) = admin.post("/api/v1/shipments", ship("CR0000001", a, 120_000, last_month)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(assert_exposure(&admin, a, "a shipment").await, 120_000);
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": [
                ship("CR0000002", a, 80_000, days_ago(2)), ship("CR0000003", a, 30_050, days_ago(1))]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(assert_exposure(&admin, a, "a batch").await, 230_050);
        // The statement for last month's shipments: billed, not yet paid.
        let period = last_month.with_timezone(&Shanghai).format("%Y-%m").to_string();
        let (s, body) = admin
            .post("/api/v1/invoices", json!({"invoice_no": "INV-CR-1", "customer_id": a.to_string(),
                "amount_fen": 125_000, "issued_at": days_ago(3).to_rfc3339(),
                "due_at": (days_ago(3) + Duration::days(30)).to_rfc3339(), "period": period}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let c = credit(&admin, a).await;
        assert_eq!(assert_exposure(&admin, a, "an invoice").await, c["unpaid_invoices_fen"].as_i64().unwrap_or(0) + c["uninvoiced_fen"].as_i64().unwrap_or(0));
        for (no, fen, what) in [("PAY-CR-1", 25_000, "a partial payment"), ("PAY-CR-2", 100_000, "the rest")] {
            let (s, body) = admin
                .post("/api/v1/payments", json!({"payment_no": no, "customer_id": a.to_string(),
                    "invoice_no": "INV-CR-1", "amount_fen": fen, "paid_at": days_ago(1).to_rfc3339()}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            assert_exposure(&admin, a, what).await;
        }
        assert_eq!(credit(&admin, a).await["unpaid_invoices_fen"], 0);
        // A credit note (红字发票): it lowers the exposure; deleted, it no longer does.
        let (s, body) = admin
            .post("/api/v1/invoices", json!({"invoice_no": "CN-CR-1", "customer_id": a.to_string(),
                "kind": "credit_note", "amount_fen": 5_000, "issued_at": days_ago(1).to_rfc3339(),
                "due_at": days_ago(1).to_rfc3339()}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let with_note = assert_exposure(&admin, a, "a credit note").await;
        let (s, body) = admin
            .post("/api/v1/invoices", json!({"invoice_no": "CN-CR-2", "customer_id": a.to_string(),
                "kind": "debit", "amount_fen": 5_000, "issued_at": days_ago(1).to_rfc3339(),
                "due_at": days_ago(1).to_rfc3339()}))
            .await;
        assert_eq!((s, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")), "{body}");
        let (_, cn) = admin.get("/api/v1/invoices/by-number/CN-CR-1").await;
        assert_eq!(cn["kind"], "credit_note", "{cn}");
        let (s, _) = admin.delete(&format!("/api/v1/invoices/{}", cn["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(assert_exposure(&admin, a, "the credit note deleted").await, with_note + 5_000);
        // Re-imported with a changed amount, by file.
        let csv = format!(
            "运单号,客户编号,寄件时间,应收金额\nCR0000002,{},{},950.00\n",
            t.code_of(a).await,
            days_ago(2).with_timezone(&Shanghai).format("%Y-%m-%d %H:%M")
        );
        let run = import_by_api(&admin, "kind=shipments&file_name=改价.csv", "text/csv", csv.into_bytes()).await;
        assert_eq!(run["counts"]["rows_updated"], 1, "{run}");
        assert_eq!(assert_exposure(&admin, a, "a re-import").await, 95_000 + 30_050);
        let (_, one) = admin.get("/api/v1/shipments/by-waybill/CR0000003").await;
        let (s, _) = admin.delete(&format!("/api/v1/shipments/{}", one["id"].as_str().expect("id"))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(assert_exposure(&admin, a, "a deletion").await, 95_000);
        // An overpayment with no invoice named offsets uninvoiced revenue.
        let (s, _) = admin
            .post("/api/v1/payments", json!({"payment_no": "PAY-CR-3", "customer_id": a.to_string(),
                "amount_fen": 15_000, "paid_at": days_ago(0).to_rfc3339()}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let c = credit(&admin, a).await;
        assert_eq!((c["prepaid_fen"].as_i64(), c["exposure_fen"].as_i64()), (Some(15_000), Some(80_000)), "{c}");
        // B (no account) merged into A: its shipments and invoices now count for A.
        admin.post("/api/v1/shipments", ship("CR0000009", b, 44_000, days_ago(1))).await;
        admin
            .post("/api/v1/invoices", json!({"invoice_no": "INV-CR-9", "customer_id": b.to_string(),
                "amount_fen": 10_000, "issued_at": days_ago(40).to_rfc3339(),
                "due_at": days_ago(10).to_rfc3339()}))
            .await;
        let mgr = t.api("wangjl").await;
        let (s, body) = mgr.post(&format!("/api/v1/customers/{b}/merge"), json!({"into_id": a.to_string()})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(assert_exposure(&admin, a, "a merge").await, 80_000 + 44_000 + 10_000);
        let (s, _) = admin.delete(&format!("/api/v1/invoices/{}", {
            let (_, i) = admin.get("/api/v1/invoices/by-number/INV-CR-9").await;
            i["id"].as_str().expect("id").to_string()
        })).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_exposure(&admin, a, "an invoice deleted").await;
    })
    .await;
}

/// A small deterministic generator for the random sequences.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test]
async fn exposure_equals_a_recount_over_random_sequences_of_events() {
    each_db(|t| async move {
        let ids = [
            t.customer("宁波港联物流有限公司", Some("lixy"), Some("13911110001")).await,
            t.customer("苏州精工机械有限公司", Some("zhaop"), Some("13911110002")).await,
        ];
        let admin = t.api("admin").await;
        for id in ids {
            let (s, body) = admin
                .put_json(&format!("/api/v1/customers/{id}/credit"), json!({"monthly_settlement": true, "limit_fen": 300_000, "policy": "block"}))
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        for seed in [7u64, 21, 1_000_003] {
            let mut r = Lcg(seed);
            for step in 0..24 {
                let who = ids[r.below(2) as usize];
                let other = ids.iter().copied().find(|x| *x != who).unwrap_or(who);
                let back = r.below(70) as i64;
                let fen = 1_000 + r.below(90_000) as i64;
                let n = r.below(12);
                match r.below(6) {
                    0 | 1 => {
                        // A new shipment, or one written again for either customer.
                        admin.post("/api/v1/shipments", ship(&format!("RS{seed}N{n:02}"), who, fen, days_ago(back))).await;
                    }
                    2 => {
                        let period = days_ago(back).with_timezone(&Shanghai).format("%Y-%m").to_string();
                        let period = if r.below(2) == 0 { period } else { String::new() };
                        admin.post("/api/v1/invoices", json!({"invoice_no": format!("RI{seed}N{n:02}"), "customer_id": who.to_string(),
                            "amount_fen": fen, "issued_at": days_ago(back).to_rfc3339(),
                            "due_at": (days_ago(back) + Duration::days(30)).to_rfc3339(), "period": period})).await;
                    }
                    3 => {
                        admin.post("/api/v1/payments", json!({"payment_no": format!("RP{seed}N{n:02}"), "customer_id": who.to_string(),
                            "amount_fen": fen, "paid_at": days_ago(back).to_rfc3339()})).await;
                    }
                    4 => {
                        let (s, one) = admin.get(&format!("/api/v1/shipments/by-waybill/RS{seed}N{n:02}")).await;
                        if s == StatusCode::OK {
                            admin.delete(&format!("/api/v1/shipments/{}", one["id"].as_str().unwrap_or("0"))).await;
                        }
                    }
                    _ => {
                        // A shipment moved to the other customer.
                        admin.post("/api/v1/shipments", ship(&format!("RS{seed}N{n:02}"), other, fen, days_ago(back))).await;
                    }
                }
                for id in ids {
                    assert_exposure(&admin, id, &format!("seed {seed} step {step}")).await;
                }
            }
        }
    })
    .await;
}

fn xlsx(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn no_write_path_stores_an_unheld_shipment_over_the_limit() {
    each_db(|t| async move {
        let c = t.customer("昆山新材料科技有限公司", Some("lixy"), Some("13822223333")).await;
        let free = t.customer("无锡小件电商有限公司", Some("lixy"), Some("13822224444")).await;
        let code = t.code_of(c).await;
        let admin = t.api("admin").await;
        let lixy = t.api("lixy").await;
        let (s, _) = lixy
            .put_json(&format!("/api/v1/customers/{c}/credit"), json!({"limit_fen": 100_000_000}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "account managers do not set limits");
        let (s, body) = admin
            .put_json(&format!("/api/v1/customers/{c}/credit"),
                json!({"monthly_settlement": true, "limit_fen": 100_000, "policy": "block"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // Under the limit: through.
        let (s, w) = admin.post("/api/v1/shipments", ship("HD0000001", c, 60_000, days_ago(1))).await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        assert_eq!(w["on_hold"], false, "{w}");
        // The one that takes it over, and every one after: held, whatever the path.
        let (_, w) = admin.post("/api/v1/shipments", ship("HD0000002", c, 50_000, days_ago(1))).await;
        assert_eq!((w["on_hold"].as_bool(), w["hold_reason"].as_str()), (Some(true), Some("over_limit")), "{w}");
        let (s, w) = admin
            .post("/api/v1/shipments", json!({"items": [ship("HD0000003", c, 0, days_ago(1)), ship("HD0000004", free, 900_000, days_ago(1))]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert_eq!(w["items"][0]["on_hold"], true, "a new one while over, even at ¥0: {w}");
        assert_eq!(w["items"][1]["on_hold"], false, "a customer without a limit: {w}");
        let day = days_ago(1).with_timezone(&Shanghai).format("%Y-%m-%d %H:%M").to_string();
        let csv = format!("运单号,客户编号,寄件时间,应收金额\nHD0000005,{code},{day},10.00\n");
        let run = import_by_api(&admin, "kind=shipments&file_name=held.csv", "text/csv", csv.into_bytes()).await;
        assert_eq!(run["counts"]["rows_new"], 1, "{run}");
        let book = xlsx(&[["运单号", "客户编号", "寄件时间", "应收金额"], ["HD0000006", &code, &day, "12.50"]]);
        let run = import_by_api(&admin, "kind=shipments&file_name=held.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", book).await;
        assert_eq!(run["counts"]["rows_new"], 1, "{run}");
        for no in ["HD0000002", "HD0000003", "HD0000005", "HD0000006"] {
            let (_, s) = admin.get(&format!("/api/v1/shipments/by-waybill/{no}")).await;
            assert_eq!(s["on_hold"], true, "{no}: {s}");
        }
        let (_, s) = admin.get("/api/v1/shipments/by-waybill/HD0000001").await;
        assert_eq!(s["on_hold"], false);
        let k = credit(&admin, c).await;
        assert_eq!((k["status"].as_str(), k["on_hold_shipments"].as_i64()), (Some("over"), Some(4)), "{k}");
        assert!(k["utilization"].as_f64().unwrap_or(0.0) > 1.0, "{k}");
        let (_, holds) = lixy.get("/api/v1/credit/holds").await;
        assert_eq!(holds["total"], 4, "the owner sees its customer's holds: {holds}");
        let (_, other) = t.api("chenj").await.get("/api/v1/credit/holds").await;
        assert_eq!(other["total"], 0, "another branch's account manager does not: {other}");
        // The export carries the hold.
        let r = admin.req(reqwest::Method::GET, &format!("/api/v1/exports/shipments?format=csv&customer_id={c}")).send().await.expect("export");
        let text = r.text().await.expect("text");
        assert!(text.lines().next().unwrap_or("").ends_with("信用扣货,扣货原因"), "{text}");
        assert!(text.contains("HD0000002") && text.contains("是,超出信用额度"), "{text}");

        // Releasing: credit staff only, audited; once.
        let id2 = { let (_, s) = admin.get("/api/v1/shipments/by-waybill/HD0000002").await; s["id"].as_str().expect("id").to_string() };
        let (s, _) = lixy.post(&format!("/api/v1/shipments/{id2}/release-hold"), json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "account managers do not release");
        let zhoum = t.api("zhoum").await;
        let (s, body) = zhoum.post(&format!("/api/v1/shipments/{id2}/release-hold"), json!({"note": "客户已承诺本周回款"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        let (s, _) = zhoum.post(&format!("/api/v1/shipments/{id2}/release-hold"), json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "not on hold any more");
        let (s, body) = zhoum.post(&format!("/api/v1/customers/{c}/credit/release-holds"), json!({"note": "提额后放行"})).await;
        assert_eq!((s, body["released"].as_i64()), (StatusCode::OK, Some(3)), "{body}");
        let (_, audit) = admin.get(&format!("/api/v1/audit?customer_id={c}")).await;
        assert!(audit.to_string().contains("shipment.release"), "{audit}");

        // A payment that brings exposure under the limit lifts the flag; the next
        // shipment goes through.
        let (s, _) = admin
            .post("/api/v1/payments", json!({"payment_no": "PAY-HD-1", "customer_id": c.to_string(),
                "amount_fen": 100_000, "paid_at": days_ago(0).to_rfc3339()}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let k = credit(&admin, c).await;
        assert_eq!(k["status"], "ok", "{k}");
        let (_, w) = admin.post("/api/v1/shipments", ship("HD0000007", c, 5_000, days_ago(0))).await;
        assert_eq!(w["on_hold"], false, "{w}");
        // Under the warn policy an over-limit customer is flagged, nothing is held.
        admin.put_json(&format!("/api/v1/customers/{c}/credit"), json!({"policy": "warn", "limit_fen": 1_000})).await;
        let (_, w) = admin.post("/api/v1/shipments", ship("HD0000008", c, 5_000, days_ago(0))).await;
        assert_eq!(w["on_hold"], false, "{w}");
        assert_eq!(credit(&admin, c).await["status"], "over");
        // The owner was told of the crossings (over, then over again after the payment).
        let (_, n) = lixy.get("/api/v1/notifications").await;
        assert!(n.to_string().contains("信用占用") || n.to_string().contains("exposure"), "{n}");
    })
    .await;
}

#[tokio::test]
async fn an_account_managers_request_goes_to_a_credit_officer_and_back() {
    each_db(|t| async move {
        let c = t.customer("常州恒力纺织有限公司", Some("lixy"), Some("13833334444")).await;
        let lixy = t.api("lixy").await;
        let zhoum = t.api("zhoum").await;
        let (s, body) = lixy
            .post(&format!("/api/v1/customers/{c}/credit/requests"), json!({"limit_fen": 20_000_000}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a request needs a reason: {body}");
        assert_eq!(body["errors"][0]["field"], "reason", "{body}");
        let (s, body) = lixy
            .post(&format!("/api/v1/customers/{c}/credit/requests"),
                json!({"monthly_settlement": true, "limit_fen": 20_000_000, "reason": "旺季备货，月发货量翻倍"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["state"], "pending");
        let rid = body["id"].as_str().expect("id").to_string();
        assert_eq!(credit(&lixy, c).await["limit_fen"], Value::Null, "nothing applied yet");
        let (s, _) = lixy.get("/api/v1/credit/requests").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, pending) = zhoum.get("/api/v1/credit/requests").await;
        assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
        let (_, tasks) = zhoum.get("/api/v1/tasks").await;
        assert!(tasks.to_string().contains("credit_review"), "a task for the officer: {tasks}");
        let (s, body) = zhoum.post(&format!("/api/v1/credit/requests/{rid}/decision"), json!({"approve": false})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs a reason: {body}");
        let (s, body) = zhoum
            .post(&format!("/api/v1/credit/requests/{rid}/decision"), json!({"approve": true, "note": "近一年回款准时"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["state"], "approved");
        let (s, _) = zhoum.post(&format!("/api/v1/credit/requests/{rid}/decision"), json!({"approve": false, "note": "x"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "decided once");
        let k = credit(&lixy, c).await;
        assert_eq!((k["limit_fen"].as_i64(), k["monthly_settlement"].as_bool()), (Some(20_000_000), Some(true)), "{k}");
        let (_, h) = lixy.get(&format!("/api/v1/customers/{c}/credit/history")).await;
        assert_eq!(h[0]["state"], "approved", "{h}");
        assert_eq!(h[0]["decided_by"], "周敏", "{h}");
        let (_, n) = lixy.get("/api/v1/notifications").await;
        assert!(n.to_string().contains("已批准") || n.to_string().contains("approved"), "{n}");
        let (_, tasks) = lixy.get("/api/v1/tasks").await;
        assert!(tasks.to_string().contains("信用申请已批准"), "a task back to the requester: {tasks}");
        let (_, tasks) = zhoum.get("/api/v1/tasks").await;
        assert!(!tasks.to_string().contains("credit_review"), "the officer's task is closed: {tasks}");
        // The credit list: the officer sees it; a service agent does not see credit.
        let (_, list) = zhoum.get("/api/v1/credit?sort=exposure").await;
        assert_eq!(list["total"], 1, "{list}");
        let (s, _) = t.api("liuy").await.get("/api/v1/credit").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) = zhoum.get("/api/v1/credit?status=bad").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    })
    .await;
}
