//! What the OpenAPI document promises about requests holds on the server, on SQLite and
//! PostgreSQL: bounds, strict yes/no filters, empty query values, object bodies. The
//! whole document is checked against the running server by scripts/schemathesis.sh (CI).

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

fn field_of(body: &serde_json::Value) -> String {
    body["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn contract(t: TestApp) {
    let admin = t.api("admin").await.lang("en");
    let c = t.customer("杭州顺达物流有限公司", Some("lixy"), None).await;

    // A query parameter the operation does not take is refused, even sent empty (a
    // misspelt filter would otherwise list everything); the documented ones pass.
    for path in [
        "/api/v1/shipments?statuss=in_transit".to_string(),
        "/api/v1/customers?zzz=".to_string(),
        "/api/v1/exports/invoices?format=csv&zzz=".to_string(),
        format!("/api/v1/customers/{c}?expand=all"),
    ] {
        let (s, body) = admin.get(&path).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or("")
                .contains("takes no such query parameter"),
            "{path}: {body}"
        );
    }
    let (s, body) = admin
        .get("/api/v1/shipments?status=in_transit&totals=true&sort=newest")
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // A page past every bound is a 422 naming it (it overflowed the offset and dropped
    // the connection before).
    for path in [
        "/api/v1/customers?page=11900520549963190272".to_string(),
        "/api/v1/customers?page=100001".to_string(),
        format!("/api/v1/customers/{c}/shipments?page=100001"),
        format!("/api/v1/customers/{c}/invoices?page=9000000000000000000"),
        format!("/api/v1/customers/{c}/interactions?page=0"),
        "/api/v1/tickets?page=100001".to_string(),
        "/api/v1/audit?page=100001".to_string(),
    ] {
        let (s, body) = admin.get(&path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(field_of(&body), "page", "{path}: {body}");
    }
    // A page size above the documented maximum is refused, not clamped.
    let (s, body) = admin
        .get(&format!("/api/v1/customers/{c}/payments?per_page=201"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "per_page");
    let (s, body) = admin.get("/api/v1/tickets?per_page=x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "per_page");
    let (s, body) = admin.get("/api/v1/tasks?days=0").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "days");

    // Yes/no filters take yes or no, nothing else.
    let (s, body) = admin.get("/api/v1/customers?archived=AAA").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "archived");
    let (s, body) = admin.get("/api/v1/tickets?open=maybe").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "open");
    let (s, body) = admin.get("/api/v1/customers?archived=no").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 1);

    // An empty value is the same as none, for every parameter and type.
    for path in [
        "/api/v1/customers?page=&per_page=&kind=&archived=".to_string(),
        format!("/api/v1/customers/{c}/interactions?page="),
        "/api/v1/tasks?days=&group=&page=".to_string(),
        "/api/v1/service/dashboard?days=".to_string(),
        "/api/v1/tickets?to=&from=&open=".to_string(),
    ] {
        let (s, body) = admin.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
    }
    // White space alone is empty too (tab, ideographic space); a BOM is not white space.
    let (s, body) = admin
        .get("/api/v1/customers?archived=%09&kind=%E3%80%80")
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = admin.get("/api/v1/customers?archived=%EF%BB%BF").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = admin.get("/api/v1/customers?page=&kind=").await;
    assert_eq!(
        (body["page"].clone(), body["total"].clone()),
        (json!(1), json!(1)),
        "{s} {body}"
    );

    // A body is an object: serde would read a policy from an empty array.
    let r = admin
        .req(reqwest::Method::PUT, "/api/v1/policies/followup")
        .json(&json!([]))
        .send()
        .await
        .expect("send");
    let (s, body) = json(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "body");
    // An empty day is not a day; absent or null is today.
    let (s, body) = admin
        .post("/api/v1/classification/runs", json!({"as_of": ""}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "as_of");
    let (s, body) = admin
        .post("/api/v1/classification/runs", json!({"as_of": null}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = admin.get("/api/v1/dashboard?service_mode=&owner=").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // Unknown fields are refused on the service desk's bodies as everywhere else.
    let (s, body) = admin
        .post(
            &format!("/api/v1/customers/{c}/tasks"),
            json!({"title": "回访", "due_on": "2026-12-10", "priority": "high"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), "priority");
}

/// A role the code does not know, read back from the database, is an error, never a
/// silent default (it was read as read-only before).
async fn unknown_stored_role(t: TestApp) {
    let ro = t.api("ro").await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.app.db.conn,
        "UPDATE users SET role = 'superuser' WHERE username = 'ro'",
    )
    .await
    .expect("update");
    // Past the few seconds a checked credential is trusted without a query.
    tokio::time::sleep(std::time::Duration::from_millis(5200)).await;
    let (s, body) = ro.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(
        !body.to_string().contains("superuser"),
        "no internals shown: {body}"
    );
}

#[tokio::test]
async fn an_unknown_stored_role_is_an_error() {
    each_db(unknown_stored_role).await;
}

#[tokio::test]
async fn requests_are_read_as_the_document_says() {
    each_db(contract).await;
}

#[tokio::test]
async fn the_document_describes_each_export_and_its_filters() {
    let t = spawn(false).await;
    let (_, spec) = t.anonymous().get("/api/openapi.json").await;
    let names = |path: &str| -> Vec<String> {
        spec["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .map(|p| p["name"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert!(names("/api/v1/exports/customers").contains(&"data_source".to_string()));
    assert!(!names("/api/v1/exports/shipments").contains(&"data_source".to_string()));
    assert!(names("/api/v1/exports/tickets").contains(&"severity".to_string()));
    // Request bodies refuse unknown fields and say which fields are required.
    let ticket = &spec["components"]["schemas"]["TicketInput"];
    assert_eq!(ticket["additionalProperties"], false);
    assert_eq!(ticket["required"], json!(["kind", "channel", "subject"]));
    // Answers may carry null where a value is not set; requests only where the server
    // takes null.
    assert_eq!(
        spec["components"]["schemas"]["Contact"]["properties"]["email"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        spec["components"]["schemas"]["TaskInput"]["properties"]["title"]["type"],
        "string"
    );
}
