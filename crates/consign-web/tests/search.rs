//! Chinese search: substrings of two characters, full pinyin, initials, polyphonic
//! characters, codes and phone numbers — on SQLite and PostgreSQL.

mod common;
use common::*;
use serde_json::Value;

async fn names(api: &Api, q: &str) -> Vec<String> {
    let (s, body) = api
        .get(&format!(
            "/api/v1/customers?q={}&per_page=100&sort=code",
            urlencode(q)
        ))
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{body}");
    let mut v: Vec<String> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

async fn search(t: TestApp) {
    for n in [
        "顺丰速运有限公司",
        "深圳顺丰冷链物流有限公司",
        "重庆长虹汽配有限公司",
        "德邦物流股份有限公司",
        "上海丰顺贸易有限公司",
    ] {
        t.customer(n, None, None).await;
    }
    t.customer("广州鲜丰食品有限公司", None, Some("13600001111"))
        .await;
    let api = t.api("admin").await;
    let sf = vec![
        "深圳顺丰冷链物流有限公司".to_string(),
        "顺丰速运有限公司".to_string(),
    ];
    assert_eq!(names(&api, "顺丰").await, sf, "two-character substring");
    assert_eq!(names(&api, "shunfeng").await, sf, "full pinyin");
    assert_eq!(names(&api, "ShunFeng").await, sf, "case does not matter");
    // Initials also match 丰顺 (fs) no, 顺丰 (sf) yes; 鲜丰 is xf.
    assert_eq!(names(&api, "sf").await, sf, "initials");
    assert_eq!(
        names(&api, "顺丰冷链").await,
        vec!["深圳顺丰冷链物流有限公司".to_string()],
        "longer substring needs every bigram in order"
    );
    assert_eq!(
        names(&api, "丰顺").await,
        vec!["上海丰顺贸易有限公司".to_string()],
        "order matters"
    );
    assert_eq!(
        names(&api, "冷链").await,
        vec!["深圳顺丰冷链物流有限公司".to_string()]
    );
    // 重 reads chong (重庆) and zhong: both spellings find it.
    assert_eq!(
        names(&api, "chongqing").await,
        vec!["重庆长虹汽配有限公司".to_string()]
    );
    assert_eq!(
        names(&api, "zhongqing").await,
        vec!["重庆长虹汽配有限公司".to_string()]
    );
    assert_eq!(
        names(&api, "cqch").await,
        vec!["重庆长虹汽配有限公司".to_string()]
    );
    assert_eq!(
        names(&api, "debang").await,
        vec!["德邦物流股份有限公司".to_string()]
    );
    assert_eq!(names(&api, "物").await.len(), 2, "a single character");
    assert_eq!(
        names(&api, "丰").await.len(),
        4,
        "a single character wherever it stands"
    );
    assert_eq!(
        names(&api, "司").await.len(),
        6,
        "also at the end of a name"
    );
    assert_eq!(
        names(&api, "13600001111").await,
        vec!["广州鲜丰食品有限公司".to_string()],
        "exact phone"
    );
    assert!(
        names(&api, "1360000").await.is_empty(),
        "no partial phone matches"
    );
    assert!(names(&api, "菜鸟").await.is_empty());
    // Codes: generated codes are KH000001…; a prefix finds them.
    let (_, body) = api.get("/api/v1/customers?q=KH00000").await;
    assert_eq!(body["total"], 6);
    let (_, body): (_, Value) = api.get("/api/v1/customers?q=kh000003").await;
    assert_eq!(body["items"][0]["code"], "KH000003");
    // An edit re-indexes the name.
    let id = body["items"][0]["id"].as_str().expect("id").to_string();
    let (s, _) = api
        .patch(
            &format!("/api/v1/customers/{id}"),
            serde_json::json!({"name": "苏州菜鸟供应链管理有限公司"}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(
        names(&api, "cainiao").await,
        vec!["苏州菜鸟供应链管理有限公司".to_string()]
    );
    assert_eq!(names(&api, "菜鸟").await.len(), 1);
    // … and its old name's keys are gone (a pinyin match has no name check after it).
    assert!(names(&api, "changhong").await.is_empty());
    assert!(names(&api, "chongqingch").await.is_empty());
    assert!(names(&api, "长虹").await.is_empty());
    // Without a sort, results come newest first, counted in full, paged.
    let (_, body) = api
        .get("/api/v1/customers?q=%E9%A1%BA%E4%B8%B0&per_page=1")
        .await;
    assert_eq!(body["total"], 2);
    assert_eq!(
        body["items"][0]["name"], "深圳顺丰冷链物流有限公司",
        "the newer of the two"
    );
    let (_, body) = api
        .get("/api/v1/customers?q=%E9%A1%BA%E4%B8%B0&per_page=1&page=2")
        .await;
    assert_eq!(body["items"][0]["name"], "顺丰速运有限公司");
    let (_, body) = api
        .get("/api/v1/customers?q=%E9%A1%BA%E4%B8%B0&per_page=1&page=3")
        .await;
    assert_eq!(
        (
            body["total"].clone(),
            body["items"].as_array().map(|a| a.len())
        ),
        (serde_json::json!(2), Some(0)),
        "past the end: empty page, same total"
    );
    // Filters combine with search.
    let (_, body) = api.get("/api/v1/customers?q=sf&kind=individual").await;
    assert_eq!(body["total"], 0);
    // Two initials and a code starting with the same letters: one list, newest first,
    // each customer once, paged and counted whole.
    let (s, body) = api
        .post("/api/v1/customers", serde_json::json!({"code": "SF-0001", "name": "德邦快递有限公司", "kind": "enterprise", "confirm_duplicates": true}))
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{body}");
    let debang = body["customer"]["id"].as_str().expect("id").to_string();
    let (s, body) = api
        .post("/api/v1/customers", serde_json::json!({"code": "SF-0002", "name": "顺丰国际货运有限公司", "kind": "enterprise", "confirm_duplicates": true}))
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{body}");
    let page = |n: u32| {
        let api = &api;
        async move {
            let (_, body) = api
                .get(&format!("/api/v1/customers?q=sf&per_page=2&page={n}"))
                .await;
            let names: Vec<String> = body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["name"].as_str().unwrap_or("").to_string())
                .collect();
            (body["total"].as_u64().unwrap_or(99), names)
        }
    };
    assert_eq!(
        page(1).await,
        (
            4,
            vec![
                "顺丰国际货运有限公司".to_string(),
                "德邦快递有限公司".to_string()
            ]
        )
    );
    assert_eq!(
        page(2).await,
        (
            4,
            vec![
                "深圳顺丰冷链物流有限公司".to_string(),
                "顺丰速运有限公司".to_string()
            ]
        )
    );
    assert_eq!(page(3).await, (4, vec![]));
    // An archived customer leaves the search.
    let (s, _) = api
        .post(
            &format!("/api/v1/customers/{debang}/archive"),
            serde_json::json!({}),
        )
        .await;
    assert!(s.is_success(), "{s}");
    assert_eq!(page(1).await.0, 3);
    // … and comes back when restored.
    let (s, _) = api
        .post(
            &format!("/api/v1/customers/{debang}/restore"),
            serde_json::json!({}),
        )
        .await;
    assert!(s.is_success(), "{s}");
    assert_eq!(page(1).await.0, 4);
}

/// A database whose search keys were built by an older scheme is re-indexed on start-up.
async fn reindex(t: TestApp) {
    t.customer("顺丰速运有限公司", None, None).await;
    let archived = t.customer("深圳顺丰冷链物流有限公司", None, None).await;
    let admin = t.actor("admin").await;
    consign_app::customers::archive(
        &t.app,
        &admin,
        consign_domain::customer::CustomerId::trusted(archived),
    )
    .await
    .expect("archive");
    let conn = &t.app.db.conn;
    use sea_orm::ConnectionTrait;
    conn.execute_unprepared("DELETE FROM search_keys WHERE key LIKE 'j:%' OR key LIKE 'xj:%'")
        .await
        .expect("delete");
    conn.execute_unprepared("UPDATE settings SET value = '1' WHERE key = 'search.keys_version'")
        .await
        .expect("version");
    let api = t.api("admin").await;
    let (_, body) = api.get("/api/v1/customers?q=sf").await;
    assert_eq!(body["total"], 0, "the old keys lack the two-initials key");
    let n = consign_app::customers::reindex_if_needed(&t.app)
        .await
        .expect("reindex");
    assert_eq!(n, 2);
    let (_, body) = api.get("/api/v1/customers?q=sf").await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["items"][0]["name"], "顺丰速运有限公司");
    let (_, body) = api.get("/api/v1/customers?q=sf&archived=true").await;
    assert_eq!(
        body["total"], 1,
        "archived keys are rebuilt archived: {body}"
    );
    assert_eq!(
        consign_app::customers::reindex_if_needed(&t.app)
            .await
            .expect("again"),
        0,
        "once only"
    );
}

#[tokio::test]
async fn search_keys_rebuilt_for_a_new_scheme() {
    each_db(reindex).await;
}

#[tokio::test]
async fn chinese_search() {
    each_db(search).await;
}

async fn filters(t: TestApp) {
    let api = t.api("admin").await;
    for (name, kind, province, modes, tag) in [
        (
            "南京万嘉医药有限公司",
            "enterprise",
            "江苏",
            vec!["cold_chain", "express"],
            "重点客户",
        ),
        (
            "南京市第一人民医院",
            "government",
            "江苏",
            vec!["ltl"],
            "合同客户",
        ),
        ("李娜", "individual", "广东", vec!["express"], "重点客户"),
    ] {
        let (s, body) = api
            .post("/api/v1/customers", serde_json::json!({"name": name, "kind": kind, "province": province, "service_modes": modes, "tags": [tag], "confirm_duplicates": true}))
            .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{body}");
    }
    let total = |q: &'static str| {
        let api = &api;
        async move {
            api.get(&format!("/api/v1/customers?{q}")).await.1["total"]
                .as_u64()
                .unwrap_or(99)
        }
    };
    assert_eq!(total("province=%E6%B1%9F%E8%8B%8F").await, 2);
    assert_eq!(total("service_mode=express").await, 2);
    assert_eq!(total("service_mode=cold_chain").await, 1);
    assert_eq!(total("kind=government").await, 1);
    assert_eq!(total("tag=%E9%87%8D%E7%82%B9%E5%AE%A2%E6%88%B7").await, 2);
    assert_eq!(
        total("owner=pool").await,
        3,
        "admin-created customers start in the pool"
    );
    assert_eq!(total("per_page=1&page=3").await, 3);
    let (_, body) = api
        .get("/api/v1/customers?per_page=1&page=3&sort=name")
        .await;
    assert_eq!(body["items"].as_array().expect("items").len(), 1);
    assert_eq!(body["page"], 3);
}

#[tokio::test]
async fn list_filters() {
    each_db(filters).await;
}
