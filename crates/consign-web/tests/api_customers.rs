//! The customer archive through the REST API, on SQLite and PostgreSQL.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn create_read_update(t: TestApp) {
    let api = t.api("lixy").await;
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({
                "code": "sh-0001", "name": "上海恒通供应链管理有限公司", "short_name": "恒通供应链",
                "kind": "enterprise", "industry": "ecommerce", "province": "上海", "city": "上海",
                "service_modes": ["express", "warehousing"], "tags": ["月结客户", "重点客户"],
                "uscc": "91310000MA1FL3LX2", "custom_fields": {"结算方式": "月结30天"},
                "contacts": [{"name": "王芳", "title": "物流经理", "phone": "138 1234 5678", "email": "wangfang@hengtong.com.cn"}]
            }),
        )
        .await;
    // The USCC above lacks its check character: the whole request is refused, naming the field.
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "uscc");
    let uscc = format!(
        "91310000MA1FL3LX2{}",
        consign_domain::validate::uscc_check_char("91310000MA1FL3LX2").expect("check")
    );
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({
                "code": "sh-0001", "name": "上海恒通供应链管理有限公司", "short_name": "恒通供应链",
                "kind": "enterprise", "industry": "ecommerce", "province": "上海", "city": "上海",
                "service_modes": ["express", "warehousing"], "tags": ["月结客户", "重点客户"],
                "uscc": uscc, "custom_fields": {"结算方式": "月结30天"},
                "contacts": [{"name": "王芳", "title": "物流经理", "phone": "138 1234 5678", "email": "wangfang@hengtong.com.cn"}]
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let c = &body["customer"];
    assert_eq!(c["code"], "SH-0001");
    assert_eq!(
        c["owner_name"], "李晓云",
        "an account manager owns what it creates"
    );
    assert_eq!(c["service_modes"], json!(["express", "warehousing"]));
    assert_eq!(c["tags"], json!(["月结客户", "重点客户"]));
    assert_eq!(
        body["contacts"][0]["phone"], "138****5678",
        "phones are masked"
    );
    assert_eq!(body["contacts"][0]["email"], "w***@hengtong.com.cn");
    assert_eq!(body["contacts"][0]["is_primary"], true);
    let id = c["id"].as_str().expect("id is a string").to_string();

    let (s, body) = api
        .patch(
            &format!("/api/v1/customers/{id}"),
            json!({"city": "苏州", "status": "active"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["customer"]["city"], "苏州");
    assert_eq!(
        body["customer"]["name"], "上海恒通供应链管理有限公司",
        "absent fields stay"
    );

    let (s, body) = api.get(&format!("/api/v1/customers/{id}/timeline")).await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<&str> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, vec!["customer.update", "customer.create"]);
    let change = &body["items"][0]["changes"];
    assert!(
        change
            .as_array()
            .expect("changes")
            .iter()
            .any(|c| c["field"] == "city" && c["before"] == "上海" && c["after"] == "苏州"),
        "{change}"
    );

    // Archive hides it from the list; restore brings it back.
    let (s, _) = api
        .post(&format!("/api/v1/customers/{id}/archive"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = api.get("/api/v1/customers?q=恒通").await;
    assert_eq!(list["total"], 0, "{list} on {}", t.backend);
    let (_, list) = api.get("/api/v1/customers?q=恒通&archived=true").await;
    assert_eq!(list["total"], 1);
    let (s, body) = api
        .patch(&format!("/api/v1/customers/{id}"), json!({"city": "南京"}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an archived customer is not edited: {body}"
    );
    let (s, _) = api
        .post(&format!("/api/v1/customers/{id}/restore"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = api.get("/api/v1/customers?q=恒通").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn customer_lifecycle() {
    each_db(create_read_update).await;
}

async fn errors(t: TestApp) {
    let api = t.api("lixy").await.lang("en");
    // Invalid input: 422 naming each field, in the caller's language.
    let (s, body) = api
        .post("/api/v1/customers", json!({"name": "", "kind": "company", "contacts": [{"name": "张三", "phone": "12345"}]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert!(
        fields.contains(&"name")
            && fields.contains(&"kind")
            && fields.contains(&"contacts[0].phone"),
        "{body}"
    );
    assert!(
        body["errors"]
            .to_string()
            .contains("Not a valid phone number"),
        "{body}"
    );
    let zh = t.api("lixy").await.lang("zh-CN");
    let (_, body) = zh
        .post(
            "/api/v1/customers",
            json!({"name": "x", "kind": "enterprise", "gov_level": "national"}),
        )
        .await;
    assert_eq!(body["errors"][0]["field"], "gov_level");
    assert_eq!(
        body["errors"][0]["message"],
        "只有政府及其他机构可以设置级别"
    );
    // A wrongly typed field is a 422 naming it; an unknown one too; broken JSON is a 400.
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({"name": "顺丰", "kind": "enterprise", "tags": "a"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "tags");
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({"name": "顺丰", "kind": "enterprise", "colour": "red"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "colour");
    let (s, _) = api.raw_post("/api/v1/customers", "{\"name\": ").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Duplicate code: 409 naming the field.
    let (s, _) = api
        .post(
            "/api/v1/customers",
            json!({"code": "KH-9", "name": "武汉鼎泰汽配有限公司", "kind": "enterprise"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({"code": "kh-9", "name": "长沙睿达化工有限公司", "kind": "enterprise"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["errors"][0]["field"], "code");
    assert_eq!(body["detail"], "This customer code is already taken");
    // Unknown filter values are named too.
    let (s, body) = api.get("/api/v1/customers?kind=alien&per_page=9999").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, vec!["kind", "per_page"]);
    // Problem details content type.
    let r = reqwest::Client::new()
        .get(t.url("/api/v1/customers"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn input_errors() {
    each_db(errors).await;
}

async fn duplicates(t: TestApp) {
    let api = t.api("lixy").await;
    let (s, first) = api
        .post("/api/v1/customers", json!({"name": "苏州嘉禾精密制造有限公司", "kind": "enterprise", "contacts": [{"name": "陈杰", "phone": "13912345678"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let first_id = first["customer"]["id"].clone();
    // Same name modulo company form words, and same phone: a 409 that lists the candidate and why.
    let (s, body) = api
        .post("/api/v1/customers", json!({"name": "苏州嘉禾精密制造股份有限公司", "kind": "enterprise", "contacts": [{"name": "陈杰", "phone": "+86 139-1234-5678"}]}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["duplicates"][0]["id"], first_id);
    let reasons = body["duplicates"][0]["reasons"].to_string();
    assert!(
        reasons.contains("customer.duplicate_reason.phone")
            && reasons.contains("customer.duplicate_reason.name"),
        "{reasons}"
    );
    // A near-same name is flagged too.
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({"name": "苏州嘉禾精密制造（集团）有限公司园区分部", "kind": "enterprise"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["duplicates"][0]["reasons"]
        .to_string()
        .contains("similar_name"));
    // Confirmed, it is created.
    let (s, _) = api
        .post("/api/v1/customers", json!({"name": "苏州嘉禾精密制造股份有限公司", "kind": "enterprise", "confirm_duplicates": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // Unrelated names pass.
    let (s, _) = api
        .post(
            "/api/v1/customers",
            json!({"name": "哈尔滨北辰冷链食品有限公司", "kind": "enterprise"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

async fn duplicate_check_scope(t: TestApp) {
    t.customer("佛山万嘉电器有限公司", Some("chenj"), None)
        .await;
    let body = serde_json::json!({"name": "佛山万嘉电器股份有限公司"});
    let (s, seen) = t
        .api("lixy")
        .await
        .post("/api/v1/customers/duplicates", body.clone())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(seen["total"], 1, "the duplicate is counted");
    assert_eq!(
        seen["duplicates"],
        json!([]),
        "but not named to someone outside its scope"
    );
    let (_, seen) = t
        .api("admin")
        .await
        .post("/api/v1/customers/duplicates", body)
        .await;
    assert_eq!(seen["duplicates"][0]["name"], "佛山万嘉电器有限公司");

    // Creating it: the 409 counts the other branch's customer without naming it.
    let (s, conflict) = t
        .api("lixy")
        .await
        .post(
            "/api/v1/customers",
            json!({"name": "佛山万嘉电器股份有限公司", "kind": "enterprise"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["duplicates"], json!([]), "{conflict}");
    assert_eq!(conflict["others_out_of_scope"], 1, "{conflict}");
    assert!(
        !conflict.to_string().contains("万嘉电器有限公司"),
        "{conflict}"
    );
    // The form says so in words, and names nobody.
    let b = t.browser("lixy").await;
    let r = b
        .post(
            "/customers",
            "/customers/new",
            &[("name", "佛山万嘉电器股份有限公司"), ("kind", "enterprise")],
        )
        .await;
    let page = r.text().await.expect("page");
    assert!(page.contains("不在您权限范围内的客户"), "{page}");
    assert!(!page.contains("佛山万嘉电器有限公司"), "{page}");
    assert!(!page.contains("陈静"), "nor its owner: {page}");
}

#[tokio::test]
async fn duplicate_check_respects_scope() {
    each_db(duplicate_check_scope).await;
}

#[tokio::test]
async fn duplicate_warnings() {
    each_db(duplicates).await;
}

async fn merge(t: TestApp) {
    let keep = t
        .customer(
            "杭州优品电子商务有限公司",
            Some("lixy"),
            Some("13700001111"),
        )
        .await;
    let gone = t
        .customer("杭州优品电商有限公司", Some("zhaop"), Some("13700002222"))
        .await;
    let lixy = t.api("lixy").await;
    let (s, _) = lixy
        .post(
            &format!("/api/v1/customers/{gone}/merge"),
            json!({"into_id": keep.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "account managers do not merge");
    let mgr = t.api("wangjl").await;
    let (_, _) = mgr
        .patch(
            &format!("/api/v1/customers/{gone}"),
            json!({"tags": ["电商大促"]}),
        )
        .await;
    // A ticket and a task of the merged customer, which must move with it.
    let (s, body) = mgr
        .post(
            "/api/v1/tickets",
            json!({"kind": "complaint", "channel": "phone", "customer_id": gone.to_string(),
                   "subject": "配送延误"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let ticket = body["ticket"]["id"].as_str().expect("ticket").to_string();
    let (s, body) = mgr
        .post(
            &format!("/api/v1/customers/{gone}/tasks"),
            json!({"title": "合并前回访", "due_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = mgr
        .post(
            &format!("/api/v1/customers/{gone}/merge"),
            json!({"into_id": keep.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["customer"]["id"], keep.to_string());
    assert_eq!(
        body["contacts"].as_array().expect("contacts").len(),
        2,
        "the contacts moved"
    );
    assert_eq!(body["customer"]["tags"], json!(["电商大促"]));
    let primaries = body["contacts"]
        .as_array()
        .expect("c")
        .iter()
        .filter(|c| c["is_primary"] == true)
        .count();
    assert_eq!(primaries, 1);
    // The ticket and the task are the kept customer's now, and in its owner's lists.
    let (_, tk) = mgr.get(&format!("/api/v1/tickets/{ticket}")).await;
    assert_eq!(tk["ticket"]["customer_id"], keep.to_string(), "{tk}");
    let (_, list) = lixy.get("/api/v1/tickets").await;
    assert_eq!(list["total"], 1, "lixy owns the kept customer: {list}");
    let (_, tasks) = mgr.get(&format!("/api/v1/customers/{keep}/tasks")).await;
    assert_eq!(tasks["items"][0]["title"], "合并前回访", "{tasks}");
    let (_, src) = mgr.get(&format!("/api/v1/customers/{gone}")).await;
    assert_eq!(src["customer"]["merged_into_id"], keep.to_string());
    assert!(src["customer"]["archived_at"].is_string());
    // The merged customer's page links the customer it went into only for those who
    // may open it: zhaop owns the merged customer, lixy the kept one. (The history
    // still records the merge, with both codes: it happened to zhaop's customer.)
    let link = format!("href=\"/customers/{keep}\"");
    let (s, page) = t
        .browser("wangjl")
        .await
        .get(&format!("/customers/{gone}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&link), "the manager is shown where it went");
    let (s, page) = t
        .browser("zhaop")
        .await
        .get(&format!("/customers/{gone}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !page.contains(&link),
        "no link to another owner's customer on zhaop's page"
    );
    let (_, tl) = mgr.get(&format!("/api/v1/customers/{keep}/timeline")).await;
    let actions: Vec<&str> = tl["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["action"].as_str().unwrap_or(""))
        .collect();
    assert!(
        actions.contains(&"customer.merged_from") && actions.contains(&"customer.merge"),
        "{actions:?}"
    );
    // Merging into itself or into nothing is refused with a field error.
    let (s, body) = mgr
        .post(
            &format!("/api/v1/customers/{keep}/merge"),
            json!({"into_id": keep.to_string()}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("into_id"))
    );
    let (s, _) = mgr
        .post(
            &format!("/api/v1/customers/{keep}/merge"),
            json!({"into_id": "999999"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn merge_moves_records() {
    each_db(merge).await;
}

async fn pool(t: TestApp) {
    let id = t.customer("青岛海纳果业有限公司", Some("lixy"), None).await;
    let lixy = t.api("lixy").await;
    let zhaop = t.api("zhaop").await;
    let (s, _) = zhaop.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another account manager's customer is invisible"
    );
    let (s, body) = lixy
        .post(&format!("/api/v1/customers/{id}/release"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["customer"]["owner_id"].is_null());
    let (_, list) = zhaop.get("/api/v1/customers?owner=pool").await;
    assert_eq!(
        list["total"], 1,
        "the pool is visible to every account manager"
    );
    let (s, body) = zhaop
        .post(&format!("/api/v1/customers/{id}/claim"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["customer"]["owner_name"], "赵鹏");
    let (s, _) = lixy
        .post(&format!("/api/v1/customers/{id}/claim"), json!({}))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "claimed by another: no longer visible to lixy"
    );
    // Reclaim job: an owner with no interaction for the policy's days loses the customer.
    let admin = t.api("admin").await;
    let (s, _) = admin
        .post("/api/v1/policies/pool", json!({"reclaim_days": 7}))
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let r = admin
        .client
        .put(t.url("/api/v1/policies/pool"))
        .bearer_auth(admin.token.clone().unwrap_or_default())
        .json(&json!({"reclaim_days": 7}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK);
    let n = consign_app::customers::reclaim_stale(
        &t.app,
        chrono::Utc::now() + chrono::Duration::days(6),
    )
    .await
    .expect("reclaim");
    assert_eq!(n, 0, "six days is within the policy");
    let n = consign_app::customers::reclaim_stale(
        &t.app,
        chrono::Utc::now() + chrono::Duration::days(8),
    )
    .await
    .expect("reclaim");
    assert_eq!(n, 1);
    let (_, body) = admin.get(&format!("/api/v1/customers/{id}")).await;
    assert!(body["customer"]["owner_id"].is_null());
    let (_, tl) = admin.get(&format!("/api/v1/customers/{id}/timeline")).await;
    assert_eq!(tl["items"][0]["action"], "customer.reclaim");
}

#[tokio::test]
async fn customer_pool() {
    each_db(pool).await;
}

async fn contacts(t: TestApp) {
    let id = t
        .customer("厦门锦程茶业有限公司", Some("lixy"), Some("13800001234"))
        .await;
    let api = t.api("lixy").await;
    let (s, k) = api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            json!({"name": "林静", "phone": "0592-5551234", "is_primary": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    assert_eq!(k["phone"], "059****1234");
    let kid = k["id"].as_str().expect("id").to_string();
    let (_, list) = api.get(&format!("/api/v1/customers/{id}/contacts")).await;
    let primaries: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["is_primary"] == true)
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(primaries, vec!["林静"], "one primary contact");
    let (s, body) = api
        .patch(
            &format!("/api/v1/customers/{id}/contacts/{kid}"),
            json!({"email": "not-an-email"}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("email"))
    );
    let (s, _) = api
        .delete(&format!("/api/v1/customers/{id}/contacts/{kid}"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = api.get(&format!("/api/v1/customers/{id}/contacts")).await;
    assert_eq!(list["total"], 1);
    let ro = t.api("ro").await;
    let (s, _) = ro
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn contact_management() {
    each_db(contacts).await;
}

/// Concurrent creates are written together (group commit): each gets its own answer, a
/// code taken twice in flight is refused for one of them only, and every written customer
/// is whole (contact, tag, search keys, audit entry).
async fn concurrent(t: TestApp) {
    let api = t.api("admin").await;
    let names: [&'static str; 12] = [
        "成都天府冷链物流有限公司",
        "重庆渝新欧供应链管理有限公司",
        "西安丝路国际货运代理有限公司",
        "昆明滇南医药物流有限公司",
        "贵阳黔通汽车零部件有限公司",
        "南宁北部湾跨境电商有限公司",
        "兰州金城商贸有限公司",
        "乌鲁木齐天山快运有限公司",
        "拉萨雪域商贸有限公司",
        "呼和浩特草原乳业有限公司",
        "太原晋阳机械制造有限公司",
        "石家庄冀中医药连锁有限公司",
    ];
    let mut tasks = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let api = api.clone();
        // Two of them ask for the same code.
        let code = if i < 2 {
            Some("DUP-0001".to_string())
        } else {
            None
        };
        let phone = format!("1390000{:04}", i);
        tasks.push(tokio::spawn(async move {
            let mut body = json!({"name": name, "kind": "enterprise", "tags": ["并发"],
                "contacts": [{"name": "测试", "phone": phone}]});
            if let Some(c) = code {
                body["code"] = json!(c);
            }
            api.post("/api/v1/customers", body).await
        }));
    }
    let mut created = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let (s, body) = task.await.expect("task");
        match s {
            StatusCode::CREATED => created.push(body),
            StatusCode::CONFLICT => {
                assert_eq!(body["errors"][0]["field"], "code", "{body}");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(conflicts, 1, "one of the two DUP-0001 creates is refused");
    assert_eq!(created.len(), names.len() - 1);
    let mut codes: Vec<String> = created
        .iter()
        .map(|b| b["customer"]["code"].as_str().expect("code").to_string())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), created.len(), "distinct codes: {codes:?}");
    for b in &created {
        let name = b["customer"]["name"].as_str().expect("name");
        assert_eq!(b["customer"]["tags"], json!(["并发"]));
        assert_eq!(b["contacts"][0]["name"], "测试");
        // Searchable by two characters of its name, and audited.
        let two: String = name.chars().take(2).collect();
        let (s, found) = api
            .get(&format!("/api/v1/customers?q={}", urlencode(&two)))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            found["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|c| c["name"] == name),
            "{two} finds {name}: {found}"
        );
        let id = b["customer"]["id"].as_str().expect("id");
        let (_, tl) = api.get(&format!("/api/v1/customers/{id}/timeline")).await;
        assert!(tl.to_string().contains("customer.create"), "{tl}");
    }
}

#[tokio::test]
async fn concurrent_creates() {
    each_db(concurrent).await;
}

/// A create retried with the same `Idempotency-Key` gets the first answer, not a second
/// customer; the key cannot be reused for another request.
async fn idempotency(t: TestApp) {
    let api = t.api("lixy").await;
    let body = json!({"name": "杭州云仓电商物流有限公司", "kind": "enterprise",
        "contacts": [{"name": "周敏", "phone": "13700002222"}]});
    let post = |key: &'static str, body: serde_json::Value| {
        let api = api.clone();
        let url = t.url("/api/v1/customers");
        async move {
            let r = api
                .client
                .post(url)
                .bearer_auth(api.token.clone().unwrap_or_default())
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect("send");
            let replayed = r.headers().get("Idempotent-Replayed").is_some();
            let location = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let (s, v) = json(r).await;
            (s, v, replayed, location)
        }
    };
    let (s, first, replayed, loc) = post("order-7781", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert!(!replayed);
    let id = first["customer"]["id"].as_str().expect("id").to_string();
    assert_eq!(
        loc.as_deref(),
        Some(format!("/api/v1/customers/{id}").as_str())
    );
    // The retry: same answer, no second customer (which the duplicate check would refuse).
    let (s, again, replayed, loc) = post("order-7781", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert!(replayed);
    assert_eq!(again["customer"]["id"], first["customer"]["id"]);
    assert_eq!(
        loc.as_deref(),
        Some(format!("/api/v1/customers/{id}").as_str())
    );
    let (_, list) = api.get("/api/v1/customers?q=%E4%BA%91%E4%BB%93").await;
    assert_eq!(list["total"], 1, "{list}");
    // The same key for another request: refused, naming the header.
    let (s, err, _, _) = post(
        "order-7781",
        json!({"name": "宁波港通国际货运代理有限公司", "kind": "enterprise"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["errors"][0]["field"], "Idempotency-Key");
    // A failed request frees its key: corrected, the retry goes through.
    let (s, _, _, _) = post("order-7782", json!({"name": "", "kind": "enterprise"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, ok, replayed, _) = post(
        "order-7782",
        json!({"name": "宁波港通国际货运代理有限公司", "kind": "enterprise"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    assert!(!replayed);
    // Keys are per user: another user's same key is its own.
    let other = t.api("zhaop").await;
    let r = other
        .client
        .post(t.url("/api/v1/customers"))
        .bearer_auth(other.token.clone().unwrap_or_default())
        .header("Idempotency-Key", "order-7781")
        .json(&json!({"name": "温州瓯江鞋业有限公司", "kind": "enterprise"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    // A key that is not visible ASCII is refused.
    let (s, err, _, _) = post("", body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["errors"][0]["field"], "Idempotency-Key");
}

#[tokio::test]
async fn idempotent_creates() {
    each_db(idempotency).await;
}

/// Near-same-name candidates count only distinctive bigrams: with the bar for "common"
/// lowered to two customers, names sharing only common pairs are no candidates.
async fn common_bigrams(t: TestApp) {
    t.customer("常州物流", None, None).await;
    t.customer("常州大厦物流", None, None).await;
    let grams: Vec<String> = ["c:常州", "c:州物", "c:物流"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let similar = |common_at: u32| {
        let grams = grams.clone();
        let conn = t.app.db.conn.clone();
        async move {
            consign_store::customers::duplicate_candidates(
                &conn,
                None,
                &[],
                None,
                &grams,
                common_at,
            )
            .await
            .expect("candidates")
            .into_iter()
            .filter(|r| r.reason() == consign_store::customers::DupReason::SimilarCandidate)
            .map(|r| r.name)
            .collect::<Vec<_>>()
        }
    };
    // Counting every pair, both share at least 60% of them (2 of 3).
    assert_eq!(
        similar(1000).await,
        vec!["常州物流".to_string(), "常州大厦物流".to_string()]
    );
    assert!(
        similar(2).await.is_empty(),
        "常州 and 物流 are common at 2: one distinctive pair is too few to compare"
    );
}

#[tokio::test]
async fn duplicate_check_ignores_common_bigrams() {
    each_db(common_bigrams).await;
}
