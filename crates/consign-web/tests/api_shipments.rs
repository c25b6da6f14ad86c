//! Shipments through the REST API, on SQLite and PostgreSQL: single and batch writes by
//! waybill number, reads within the customer scope, deletes, and rollups kept exact.

mod common;
use common::*;
use consign_store::shipments;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn shipments_by_api() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let other = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let (mine_code, other_code) = (t.code_of(mine).await, t.code_of(other).await);
        let admin = t.api("admin").await;
        let one = json!({
            "waybill_no": "sf1405660342988", "customer_code": mine_code, "service_mode": "express",
            "origin_city": "上海", "destination_city": "杭州", "pieces": 2, "weight_g": 3500,
            "revenue_fen": 123450, "cost_fen": 80000,
            "ordered_at": "2025-10-03T01:05:00Z", "promised_at": "2025-10-04T10:00:00Z",
            "delivered_at": "2025-10-04T12:00:00Z", "exceptions": ["damaged"]
        });
        let (s, body) = admin.post("/api/v1/shipments", one.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["outcome"], "created");
        assert_eq!(body["waybill_no"], "SF1405660342988");
        assert_eq!(body["status"], "delivered", "implied by the delivery time");
        assert_eq!(body["exceptions"], json!(["damaged", "delayed"]), "delayed is derived");
        assert_eq!(body["currency"], "CNY");
        assert_eq!(body["customer"]["name"], "上海恒通供应链管理有限公司");
        let id = body["id"].as_str().expect("id").to_string();

        let (s, again) = admin.post("/api/v1/shipments", one.clone()).await;
        assert_eq!((s, again["outcome"].clone()), (StatusCode::OK, json!("unchanged")));

        let (s, got) = admin.get("/api/v1/shipments/by-waybill/SF 1405 6603 42988").await;
        assert_eq!((s, got["id"].clone()), (StatusCode::OK, json!(id)));

        // A batch is all or none, and names the bad item's field.
        let (s, body) = admin
            .clone()
            .lang("zh-CN")
            .post(
                "/api/v1/shipments",
                json!({"items": [
                    {"waybill_no": "SF2000000001", "customer_code": mine_code, "revenue_fen": 1000, "ordered_at": "2025-10-05T01:00:00Z"},
                    {"waybill_no": "SF2000000002", "customer_code": mine_code, "revenue_fen": -5, "ordered_at": "2025-10-05T01:00:00Z"},
                    {"waybill_no": "SF2000000003", "customer_code": "NOSUCH", "revenue_fen": 5, "ordered_at": "2025-10-05T01:00:00Z"}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = body["errors"].as_array().expect("errors");
        assert!(errors
            .iter()
            .any(|e| e["field"] == "items[1].revenue_fen" && e["message"] == "不能为负数"));
        assert!(errors.iter().any(|e| e["field"] == "items[2].customer_code"));
        assert!(shipments::find_by_waybill(&t.app.db.conn, "SF2000000001")
            .await
            .expect("find")
            .is_none());

        let (s, body) = admin
            .post(
                "/api/v1/shipments",
                json!({"items": [
                    {"waybill_no": "SF2000000001", "customer_code": mine_code, "revenue_fen": 1000, "ordered_at": "2025-10-05T01:00:00Z"},
                    {"waybill_no": "SF2000000002", "customer_code": other_code, "revenue_fen": 2000, "ordered_at": "2025-11-05T01:00:00Z", "status": "in_transit"},
                    {"waybill_no": "SF1405660342988", "customer_code": mine_code, "revenue_fen": 99900, "ordered_at": "2025-10-03T01:05:00Z"}
                ]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(
            (body["created"].clone(), body["updated"].clone(), body["unchanged"].clone()),
            (json!(2), json!(1), json!(0))
        );

        // An account manager sees its own customer's shipments, not another's, and does
        // not write operations data.
        let lixy = t.api("lixy").await;
        let (s, page) = lixy.get(&format!("/api/v1/customers/{mine}/shipments?per_page=1")).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 2);
        assert_eq!(page["items"][0]["waybill_no"], "SF2000000001", "newest first");
        assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
        let (s, _) = lixy.get(&format!("/api/v1/customers/{other}/shipments")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = lixy.get("/api/v1/shipments/by-waybill/SF2000000002").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = lixy.post("/api/v1/shipments", one.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let (s, _) = admin.delete(&format!("/api/v1/shipments/{id}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = admin.get(&format!("/api/v1/shipments/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for monthly in [false, true] {
            let stored = shipments::rollup(&t.app.db.conn, monthly).await.expect("rollup");
            assert_eq!(
                stored,
                shipments::aggregate_raw(&t.app.db.conn, monthly)
                    .await
                    .expect("aggregate")
            );
            assert_eq!(
                shipments::company_rollup(&t.app.db.conn, monthly).await.expect("company"),
                shipments::summed(&stored),
                "the company's rollup is every customer's summed"
            );
        }
        let days = shipments::rollup(&t.app.db.conn, false).await.expect("rollup");
        assert_eq!(days.values().map(|d| d.shipments).sum::<i64>(), 2);
        assert_eq!(days.values().map(|d| d.revenue_fen).sum::<i64>(), 3_000);
    })
    .await;
}

#[tokio::test]
async fn a_shipment_names_a_customer_that_exists() {
    each_db(|t| async move {
        // The reference is the database's own check too (a foreign key on SQLite, a
        // check over each statement's new rows on PostgreSQL), whatever writes the row.
        let c = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let conn = &t.app.db.conn;
        let ts = match sea_orm::ConnectionTrait::get_database_backend(conn) {
            sea_orm::DbBackend::Postgres => "'2026-11-20 02:00:00+00'",
            _ => "1763604000",
        };
        let insert = |customer: i64, waybill: &str| {
            format!(
                "INSERT INTO shipments (waybill_no, customer_id, revenue_fen, ordered_at, order_day, status, \
                 created_at, updated_at) VALUES ('{waybill}', {customer}, 100, {ts}, 20261120, 'delivered', {ts}, {ts})"
            )
        };
        // Refused for its reference, and for nothing else.
        let refused = |r: Result<sea_orm::ExecResult, sea_orm::DbErr>| {
            let e = r.expect_err("refused").to_string();
            assert!(
                e.contains("FOREIGN KEY constraint failed") || e.contains("names a customer that does not exist")
                    || e.contains("still name a deleted customer"),
                "{e}"
            );
        };
        refused(sea_orm::ConnectionTrait::execute_unprepared(conn, &insert(c + 1000, "FK0001")).await);
        sea_orm::ConnectionTrait::execute_unprepared(conn, &insert(c, "FK0002"))
            .await
            .expect("a shipment of the customer");
        let moved = sea_orm::ConnectionTrait::execute_unprepared(
            conn,
            &format!("UPDATE shipments SET customer_id = {} WHERE waybill_no = 'FK0002'", c + 1000),
        )
        .await;
        refused(moved);
        // A customer with shipments is not deleted (its contacts and keys first, so that
        // only the shipments stand in the way).
        for table in ["contacts", "customer_tags", "search_keys"] {
            sea_orm::ConnectionTrait::execute_unprepared(conn, &format!("DELETE FROM {table} WHERE customer_id = {c}"))
                .await
                .expect("delete");
        }
        let gone = sea_orm::ConnectionTrait::execute_unprepared(conn, &format!("DELETE FROM customers WHERE id = {c}")).await;
        refused(gone);
    })
    .await;
}

/// Writes by number stay in the caller's scope (issue 16): a manager posting a waybill,
/// invoice or payment number that belongs to another branch's customer is refused with
/// the field named, and the record stays where it was; an import by that manager reports
/// such rows, and codes of customers outside its scope, as bad rows.
#[tokio::test]
async fn numbers_of_customers_out_of_scope_are_refused_not_moved() {
    each_db(|t| async move {
        let gz = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let sh = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let (gz_code, sh_code) = (t.code_of(gz).await, t.code_of(sh).await);
        let admin = t.api("admin").await;
        let (s, body) = admin
            .post(
                "/api/v1/shipments",
                json!({"waybill_no": "SF8800000001", "customer_code": gz_code, "revenue_fen": 50_000,
                       "ordered_at": "2026-10-01T01:00:00Z"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, body) = admin
            .post(
                "/api/v1/invoices",
                json!({"invoice_no": "ZD-GZ-1", "customer_code": gz_code, "amount_fen": 100_000,
                       "issued_at": "2026-11-03T02:00:00Z", "due_at": "2026-12-03T15:59:59Z"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, body) = admin
            .post(
                "/api/v1/payments",
                json!({"payment_no": "SK-GZ-1", "customer_code": gz_code, "amount_fen": 100_000,
                       "paid_at": "2026-11-10T02:00:00Z"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        let wang = t.api("wangjl").await;
        let (s, body) = wang
            .post(
                "/api/v1/shipments",
                json!({"waybill_no": "SF8800000001", "customer_code": sh_code, "revenue_fen": 1,
                       "ordered_at": "2026-10-01T01:00:00Z"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "waybill_no", "{body}");
        let (s, body) = wang
            .post(
                "/api/v1/invoices",
                json!({"items": [
                    {"invoice_no": "ZD-SH-1", "customer_code": sh_code, "amount_fen": 1,
                     "issued_at": "2026-11-03T02:00:00Z", "due_at": "2026-12-03T15:59:59Z"},
                    {"invoice_no": "ZD-GZ-1", "customer_code": sh_code, "amount_fen": 1,
                     "issued_at": "2026-11-03T02:00:00Z", "due_at": "2026-12-03T15:59:59Z"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "items[1].invoice_no", "{body}");
        let (s, body) = wang
            .post(
                "/api/v1/payments",
                json!({"payment_no": "SK-GZ-1", "customer_code": sh_code, "amount_fen": 1,
                       "paid_at": "2026-11-10T02:00:00Z"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "payment_no", "{body}");
        // All three still belong to the Guangzhou customer, unchanged.
        let (_, s1) = admin.get("/api/v1/shipments?waybill_no=SF8800000001").await;
        let (_, d) = admin.get(&format!("/api/v1/customers/{gz}/shipments")).await;
        assert_eq!(d["total"], 1, "{d} {s1}");
        assert_eq!(d["items"][0]["revenue_fen"], 50_000, "{d}");
        let (_, inv) = admin.get(&format!("/api/v1/customers/{gz}/invoices")).await;
        assert_eq!(inv["items"][0]["amount_fen"], 100_000, "{inv}");
        let (_, pay) = admin.get(&format!("/api/v1/customers/{gz}/payments")).await;
        assert_eq!(pay["items"][0]["amount_fen"], 100_000, "{pay}");
        let (_, mine) = admin.get(&format!("/api/v1/customers/{sh}/invoices")).await;
        assert_eq!(mine["total"], 0, "nothing of the refused batch was written: {mine}");

        // The same by import: the taken waybill and the other branch's code are bad rows,
        // the good row goes in.
        let csv = format!(
            "运单号,客户编号,寄件时间,应收金额\n\
             SF8800000001,{sh_code},2026-10-02 09:00,1\n\
             SF8800000002,{gz_code},2026-10-02 09:00,2\n\
             SF8800000003,{sh_code},2026-10-02 09:00,3\n"
        );
        let run = import_by_api(&wang, "kind=shipments&file_name=上海.csv", "text/csv", csv.into_bytes()).await;
        assert_eq!(run["status"], "finished", "{run}");
        assert_eq!(run["counts"]["rows_new"], 1, "{run}");
        assert_eq!(run["counts"]["rows_bad"], 2, "{run}");
        assert_eq!(run["errors"][0]["row"], 2, "{run}");
        assert_eq!(run["errors"][0]["column"], "运单号", "{run}");
        assert_eq!(run["errors"][1]["row"], 3, "{run}");
        assert_eq!(run["errors"][1]["reason"], "该客户不在您的权限范围内", "{run}");
        let (_, d) = admin.get(&format!("/api/v1/customers/{gz}/shipments")).await;
        assert_eq!((d["total"].clone(), d["items"][0]["revenue_fen"].clone()), (json!(1), json!(50_000)), "{d}");
    })
    .await;
}

/// A query parameter that does not parse is a 400 problem in the caller's language, as
/// the OpenAPI document says (it was axum's plain text; found by schemathesis).
#[tokio::test]
async fn a_malformed_query_is_a_problem() {
    each_db(|t| async move {
        let c = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let r = t
            .api("lixy")
            .await
            .req(
                reqwest::Method::GET,
                &format!("/api/v1/customers/{c}/shipments?per_page=abc"),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert_eq!(ct, "application/problem+json");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["status"], 400, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or("")
                .starts_with("查询参数格式错误"),
            "{body}"
        );
    })
    .await;
}

/// `GET /api/v1/shipments`: the shipments of the customers in scope, newest order first,
/// with the list's filters; a bad filter is a 422 naming it.
#[tokio::test]
async fn the_shipment_list_by_api() {
    each_db(|t| async move {
        let mine = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let theirs = t
            .customer("广州白云山医药集团股份有限公司", Some("chenj"), None)
            .await;
        let admin = t.api("admin").await;
        let mut items = Vec::new();
        for (i, c) in [mine, mine, theirs].iter().enumerate() {
            items.push(json!({
                "waybill_no": format!("ZT90000000{i:02}"), "customer_id": c.to_string(),
                "revenue_fen": 1000, "ordered_at": format!("2026-11-0{}T02:00:00Z", i + 1),
                "exceptions": if i == 0 { json!(["damaged"]) } else { json!([]) }
            }));
        }
        let (s, body) = admin
            .post("/api/v1/shipments", json!({ "items": items }))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let lixy = t.api("lixy").await;
        let (s, l) = lixy.get("/api/v1/shipments").await;
        assert_eq!(s, StatusCode::OK, "{l}");
        assert_eq!(
            (l["total"].as_u64(), l["total_capped"].as_bool()),
            (Some(2), Some(false)),
            "{l}"
        );
        assert_eq!(
            l["items"][0]["waybill_no"], "ZT9000000001",
            "newest first: {l}"
        );
        assert_eq!(
            l["items"][0]["customer"]["name"],
            "上海恒通供应链管理有限公司"
        );
        let (_, l) = lixy.get("/api/v1/shipments?exception=damaged&q=zt9").await;
        assert_eq!(l["total"], 1, "{l}");
        let (_, l) = admin
            .get(&format!("/api/v1/shipments?customer_id={theirs}"))
            .await;
        assert_eq!(l["total"], 1, "{l}");
        let (_, l) = lixy
            .get(&format!("/api/v1/shipments?customer_id={theirs}"))
            .await;
        assert_eq!(l["total"], 0, "another's customer lists nothing: {l}");
        let (s, p) = lixy.get("/api/v1/shipments?status=lost&per_page=500").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.contains(&"status") && fields.contains(&"per_page"),
            "{p}"
        );
    })
    .await;
}
