//! The web UI as a user sees it: Chinese by default, English on request, forms with
//! inline errors, the audit trail on the customer page.

mod common;
use common::*;
use reqwest::StatusCode;

async fn languages(t: TestApp) {
    t.customer("宁波广源电器有限公司", Some("lixy"), Some("13500009999"))
        .await;
    // First visit: Accept-Language decides.
    let zh = Browser::new(&t.base, Some("zh-CN,zh;q=0.9"));
    let (_, login) = zh.get("/login").await;
    assert!(login.contains("用户名") && login.contains("登录"));
    let en = Browser::new(&t.base, Some("en-US,en;q=0.9"));
    let (_, login) = en.get("/login").await;
    assert!(login.contains("Username") && login.contains("Sign in"));
    let r = zh.login("lixy", PASSWORD).await;
    assert_eq!(location(&r), "/customers");
    let (s, list) = zh.get("/customers").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.contains("客户档案")
            && list.contains("宁波广源电器有限公司")
            && list.contains("135****9999"),
        "zh list"
    );
    assert!(list.contains("企业客户") && list.contains("李晓云"));
    // The user's choice then wins over the browser.
    let r = zh
        .client
        .get(t.url("/lang/en?next=/customers"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, list) = zh.get("/customers").await;
    assert!(
        list.contains("Customer archive")
            && list.contains("Enterprise")
            && list.contains("宁波广源电器有限公司"),
        "English UI, Chinese data"
    );
    assert!(!list.contains("客户档案"));
    // Open redirects are not followed: browsers drop tabs and line breaks and read `\`
    // as `/`, so each of these would lead to evil.example.
    for next in [
        "//evil.example",
        "/%09/evil.example",
        "/%0d%0a/evil.example",
        "/%5C/evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "https://evil.example/",
        "/%20/evil.example",
    ] {
        let r = zh
            .client
            .get(t.url(&format!("/lang/zh-CN?next={next}")))
            .send()
            .await
            .expect("send");
        assert_eq!(location(&r), "/customers", "next={next}");
    }
    // A same-site path with Chinese in it is kept (percent-encoded).
    let r = zh
        .client
        .get(t.url("/lang/zh-CN?next=/customers%3Fq%3D%E6%81%92%E9%80%9A"))
        .send()
        .await
        .expect("send");
    assert_eq!(location(&r), "/customers?q=%E6%81%92%E9%80%9A");
}

#[tokio::test]
async fn ui_in_chinese_and_english() {
    each_db(languages).await;
}

async fn forms(t: TestApp) {
    let b = t.browser("lixy").await;
    // Invalid input comes back with the values kept and a localized message at the field.
    let r = b
        .post(
            "/customers",
            "/customers/new",
            &[
                ("name", "东莞精工机械制造有限公司"),
                ("kind", "enterprise"),
                ("uscc", "12345"),
                ("contact_name", "黄丽"),
                ("contact_phone", "555"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.expect("body");
    assert!(page.contains("统一社会信用代码应为 18 位"), "uscc message");
    assert!(page.contains("电话号码格式不正确"), "contact phone message");
    assert!(
        page.contains("value=\"东莞精工机械制造有限公司\""),
        "values kept"
    );
    // Fixed, it is created and the page shows it with its timeline.
    let r = b
        .post(
            "/customers",
            "/customers/new",
            &[
                ("name", "东莞精工机械制造有限公司"),
                ("kind", "enterprise"),
                ("province", "广东"),
                ("city", "东莞"),
                ("service_modes", "ftl"),
                ("service_modes", "ltl"),
                ("tags", "月结客户，大件物流"),
                ("contact_name", "黄丽"),
                ("contact_phone", "13800138000"),
                ("custom_fields", "开票抬头=东莞精工\n结算=月结"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = location(&r);
    assert!(
        loc.starts_with("/customers/") && loc.ends_with("?ok=customer.created"),
        "{loc}"
    );
    let path = loc.split('?').next().expect("path").to_string();
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("客户已创建"));
    assert!(
        page.contains("整车、零担") || page.contains("零担、整车"),
        "service modes shown"
    );
    assert!(page.contains("月结客户") && page.contains("大件物流"));
    assert!(page.contains("开票抬头") && page.contains("138****8000"));
    assert!(page.contains("创建客户"), "timeline entry");
    // Edit a field: the change and its audit entry show.
    let edit = format!("{path}/edit");
    let (_, form) = b.get(&edit).await;
    assert!(form.contains("value=\"东莞精工机械制造有限公司\""));
    let r = b
        .post(
            &edit,
            &edit,
            &[
                ("name", "东莞精工机械制造有限公司"),
                ("kind", "enterprise"),
                ("province", "广东"),
                ("city", "惠州"),
                ("status", "active"),
                ("service_modes", "ftl"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.get(&path).await;
    assert!(page.contains("客户已更新") || page.contains("修改客户"));
    assert!(page.contains("惠州"));
    assert!(
        page.contains("修改客户")
            && page.contains("<td class=\"before\">东莞</td>")
            && page.contains("<td class=\"after\">惠州</td>"),
        "audit diff on the timeline"
    );
    // Reveal the phone: shown in full and audited.
    let kid = page
        .split("/contacts/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("contact id")
        .to_string();
    let r = b
        .post(&format!("{path}/contacts/{kid}/reveal"), &path, &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("body");
    assert!(page.contains("13800138000") && page.contains("已记录审计"));
    let (_, page) = b.get(&path).await;
    assert!(page.contains("查看个人信息明文"));
    // An account manager cannot open the admin pages.
    let (s, page) = b.get("/admin/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(page.contains("没有"));
    // A customer of another owner is a 404 page.
    let other = t
        .customer("惠州天成纺织有限公司", Some("chenj"), None)
        .await;
    let (s, _) = b.get(&format!("/customers/{other}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forms_errors_and_timeline() {
    each_db(forms).await;
}

async fn admin_pages(t: TestApp) {
    let b = t.browser("admin").await;
    for p in [
        "/admin/users",
        "/admin/audit",
        "/admin/settings",
        "/account",
        "/pool",
        "/customers/new",
        "/api/docs",
    ] {
        let (s, page) = b.get(p).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert!(!page.is_empty());
    }
    let r = b
        .post(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "sunl"),
                ("display_name", "孙丽"),
                ("role", "service_agent"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("密码至少 8 位"));
    let r = b
        .post(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "sunl"),
                ("display_name", "孙丽"),
                ("role", "service_agent"),
                ("password", "long-enough-1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = b
        .post(
            "/admin/users",
            "/admin/users",
            &[
                ("username", "sunl"),
                ("display_name", "孙丽"),
                ("role", "service_agent"),
                ("password", "long-enough-1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let sunl = Browser::new(&t.base, None);
    assert_eq!(
        sunl.login("sunl", "long-enough-1").await.status(),
        StatusCode::SEE_OTHER
    );
    let r = b
        .post(
            "/admin/settings",
            "/admin/settings",
            &[("pool_reclaim_days", "abc")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = b
        .post(
            "/admin/settings",
            "/admin/settings",
            &[("pool_reclaim_days", "45")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = b.get("/admin/audit").await;
    assert!(page.contains("修改设置") && page.contains("创建用户"));
    // API tokens from the account page are shown once and work.
    let r = b
        .post("/account/tokens", "/account", &[("name", "TMS")])
        .await;
    let page = r.text().await.expect("body");
    let token = page
        .split("<pre class=\"token\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("token shown")
        .to_string();
    let r = reqwest::Client::new()
        .get(t.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn administration_pages() {
    each_db(admin_pages).await;
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let t = spawn(false).await;
    let (s, spec) = t.anonymous().get("/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    // Every file that declares API routes: each module of src/api owns its routes, and
    // registers them with `routes!(handler, …)`, which takes the route from the handler's
    // operation: a plain `.route(` would serve a path the document does not describe.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut files = 0;
    for e in std::fs::read_dir(&dir).expect("src/api") {
        let path = e.expect("entry").path();
        if path.extension().is_some_and(|x| x == "rs") {
            let src = std::fs::read_to_string(&path).expect("read");
            assert!(
                !src.contains(".route(\""),
                "{} registers a route outside routes!()",
                path.display()
            );
            files += 1;
        }
    }
    assert!(files >= 8, "src/api holds {files} modules");
    // Each described operation is served: without credentials it answers 401, not the
    // 404 of a path the router does not know nor the 405 of a method it does not serve;
    // a public one (no security requirement: tracking) answers 422 for its missing input.
    let mut public = 0;
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 60, "{} paths", paths.len());
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    for (path, ops) in paths {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in ops.as_object().expect("operations") {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = client
                .request(m, format!("{}{concrete}", t.base))
                .send()
                .await
                .expect("send");
            let open = op["security"].as_array().is_some_and(|s| s.is_empty());
            public += usize::from(open);
            let want = if open {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::UNAUTHORIZED
            };
            if r.status() != want {
                wrong.push(format!("{method} {path}: {}", r.status()));
            }
        }
    }
    assert!(wrong.is_empty(), "described but not served so: {wrong:?}");
    assert_eq!(public, 1, "only tracking needs no token");
}

/// Every screen's title is text: the page's name, no markup (a block that swallowed a
/// form once hid the "add a unit" form in the title of the user page).
#[tokio::test]
async fn every_screen_has_a_plain_title() {
    let t = spawn(false).await;
    let b = t.browser("admin").await;
    for path in [
        "/customers",
        "/pool",
        "/tickets",
        "/service",
        "/tasks",
        "/imports",
        "/analysis",
        "/admin/users",
        "/admin/audit",
        "/admin/settings",
        "/admin/classification",
        "/admin/sla",
        "/account",
        "/notifications",
    ] {
        let (s, page) = b.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let title = page
            .split("<title>")
            .nth(1)
            .and_then(|x| x.split("</title>").next())
            .unwrap_or("");
        assert!(
            !title.trim().is_empty() && !title.contains('<') && title.len() < 200,
            "{path}: <title>{title}</title>"
        );
    }
}
