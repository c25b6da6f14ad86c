//! Accounts, scope, CSRF, throttling and personal data, on SQLite and PostgreSQL.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

async fn auth_and_scope(t: TestApp) {
    let anon = t.anonymous();
    let (s, body) = anon.get("/api/v1/customers").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["status"], 401);
    let bad = reqwest::Client::new()
        .get(t.url("/api/v1/me"))
        .bearer_auth("csk_forged")
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);

    let sh_lixy = t
        .customer("上海星辰电子科技有限公司", Some("lixy"), None)
        .await;
    let sh_zhaop = t
        .customer("上海润泽服饰有限公司", Some("zhaop"), None)
        .await;
    let gz_chenj = t
        .customer("广州百川医药有限公司", Some("chenj"), None)
        .await;
    let pooled = t.customer("深圳云端智能科技有限公司", None, None).await;

    let lixy = t.api("lixy").await;
    let (s, body) = lixy.get(&format!("/api/v1/customers/{sh_zhaop}")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another owner's customer reads as missing: {body}"
    );
    let (s, _) = lixy
        .patch(
            &format!("/api/v1/customers/{sh_zhaop}"),
            json!({"city": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = lixy.get("/api/v1/customers").await;
    let mut ids: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    let mut want = vec![sh_lixy.to_string(), pooled.to_string()];
    want.sort();
    assert_eq!(ids, want, "own customers and the pool");
    let (s, _) = lixy
        .patch(
            &format!("/api/v1/customers/{pooled}"),
            json!({"city": "深圳"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "pool customers are claimed before they are edited"
    );

    // The 上海 manager sees its branch (both teams) and the pool, not 广州.
    let sh = t.api("wangjl").await;
    let (_, list) = sh.get("/api/v1/customers").await;
    assert_eq!(list["total"], 3);
    let (s, _) = sh.get(&format!("/api/v1/customers/{gz_chenj}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = sh
        .patch(
            &format!("/api/v1/customers/{sh_zhaop}"),
            json!({"owner_id": t.users.lixy.to_string()}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a manager reassigns within its unit: {body}"
    );
    let (s, body) = sh
        .patch(
            &format!("/api/v1/customers/{sh_zhaop}"),
            json!({"owner_id": t.users.chenj.to_string()}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("owner_id")),
        "not outside it"
    );
    // An account manager cannot give a customer away except to the pool.
    let (s, body) = lixy
        .patch(
            &format!("/api/v1/customers/{sh_lixy}"),
            json!({"owner_id": t.users.zhaop.to_string()}),
        )
        .await;
    assert_eq!(
        (s, body["errors"][0]["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("owner_id"))
    );

    let admin = t.api("admin").await;
    let (_, list) = admin.get("/api/v1/customers").await;
    assert_eq!(list["total"], 4);
    // The audit log and user admin are for admins.
    let (s, _) = sh.get("/api/v1/audit").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, audit) = admin.get("/api/v1/audit?action=customer.assign").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["actor_name"], "王建林 (wangjl)");
    let (s, _) = sh
        .post(
            "/api/v1/users",
            json!({"username": "x", "display_name": "x", "role": "admin", "password": "12345678"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A revoked token stops working; a disabled user's token too.
    let (s, tok) = lixy
        .post("/api/v1/tokens", json!({"name": "TMS 对接"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let raw = tok["token"].as_str().expect("token").to_string();
    let me = |tok: String| {
        let url = t.url("/api/v1/me");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(tok)
                .send()
                .await
                .expect("send")
                .status()
        }
    };
    // Used repeatedly (so the server has it among its recently checked credentials).
    for _ in 0..3 {
        assert_eq!(me(raw.clone()).await, StatusCode::OK);
    }
    let (s, _) = lixy
        .delete(&format!(
            "/api/v1/tokens/{}",
            tok["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(me(raw).await, StatusCode::UNAUTHORIZED);
    let (s, _) = admin
        .patch(
            &format!("/api/v1/users/{}", t.users.lixy),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = lixy.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn authentication_and_row_scope() {
    each_db(auth_and_scope).await;
}

async fn csrf(t: TestApp) {
    let id = t.customer("天津宝利化工有限公司", Some("lixy"), None).await;
    let b = t.browser("lixy").await;
    // A forged form without the token is refused and changes nothing.
    let r = b
        .client
        .post(t.url(&format!("/customers/{id}/do/archive")))
        .form(&[("x", "1")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .client
        .post(t.url(&format!("/customers/{id}/do/archive")))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.expect("body").contains("CSRF"));
    // The API with a session cookie needs the header.
    let r = b
        .client
        .patch(t.url(&format!("/api/v1/customers/{id}")))
        .json(&json!({"city": "天津"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, body) = b.get(&format!("/customers/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!body.contains("badge-red\">已归档"), "still live");
    // With the token it works.
    let r = b
        .post(
            &format!("/customers/{id}/do/archive"),
            &format!("/customers/{id}"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body) = b.get(&format!("/customers/{id}")).await;
    assert!(body.contains("已归档"));
    // Login itself is protected by a double-submit token.
    let fresh = Browser::new(&t.base, None);
    let r = fresh
        .client
        .post(t.url("/login"))
        .form(&[("username", "lixy"), ("password", PASSWORD)])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// The company's policies and structure are for staff; a customer's portal user reads
/// none of them, and the use cases refuse it themselves (not only the screens).
async fn policies_for_staff(t: TestApp) {
    let admin = t.api("admin").await;
    let (s, _) = admin
        .post(
            "/api/v1/users",
            json!({"username": "kehu01", "display_name": "客户门户", "role": "portal_user", "password": "kehu-12345678"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let portal = t.api("kehu01").await;
    let agent = t.api("liuy").await;
    for path in [
        "/api/v1/policies/sla",
        "/api/v1/policies/followup",
        "/api/v1/policies/pool",
        "/api/v1/org-units",
        "/api/v1/policies/classification",
        "/api/v1/classification/runs",
    ] {
        // A portal account is no API caller at all (it has the customer portal).
        let (s, body) = portal.get(path).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {body}");
    }
    // Staff read the policies they work under.
    for path in [
        "/api/v1/policies/sla",
        "/api/v1/policies/followup",
        "/api/v1/policies/pool",
        "/api/v1/org-units",
    ] {
        let (s, body) = agent.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {body}");
    }
    // The classification's policy is for those who analyse.
    let (s, _) = agent.get("/api/v1/policies/classification").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let sys = consign_app::auth::Actor::system("test");
    let mut ro = t.actor("ro").await;
    ro.role = consign_domain::role::Role::PortalUser;
    assert!(matches!(
        consign_app::service::sla_policy(&t.app, &ro).await,
        Err(consign_app::AppError::Forbidden)
    ));
    assert!(consign_app::service::sla_policy(&t.app, &sys).await.is_ok());
}

#[tokio::test]
async fn policies_and_structure_are_for_staff() {
    each_db(policies_for_staff).await;
}

#[tokio::test]
async fn csrf_protection() {
    each_db(csrf).await;
}

async fn throttle(t: TestApp) {
    let b = Browser::new(&t.base, Some("en"));
    for _ in 0..5 {
        let r = b.login("zhaop", "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r
            .text()
            .await
            .expect("body")
            .contains("Wrong username or password"));
    }
    let r = b.login("zhaop", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("Too many failed sign-ins"));
    // Other users are not affected.
    let r = b.login("lixy", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Session cookie attributes.
    let b2 = Browser::new(&t.base, None);
    let r = b2.login("wangjl", PASSWORD).await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_string())
        .find(|c| c.starts_with("consign_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http in tests");
    // Logout ends the session.
    let r = b2.post("/logout", "/customers", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, _) = b2.get("/customers").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn login_throttling_and_sessions() {
    each_db(throttle).await;
}

async fn personal_data(t: TestApp) {
    let id = t
        .customer("成都博远农产品有限公司", Some("lixy"), Some("13912348765"))
        .await;
    let api = t.api("lixy").await;
    let (_, list) = api.get("/api/v1/customers?q=博远").await;
    assert_eq!(list["items"][0]["primary_contact"]["phone"], "139****8765");
    // Not readable in the database.
    let raw: Vec<String> = {
        use sea_orm::{ConnectionTrait, Statement};
        let rows = t
            .app
            .db
            .conn
            .query_all(Statement::from_string(
                t.app.db.db_backend(),
                "SELECT phone_enc, phone_hash FROM contacts",
            ))
            .await
            .expect("query");
        rows.iter()
            .flat_map(|r| {
                [
                    r.try_get_by_index::<Option<String>>(0).ok().flatten(),
                    r.try_get_by_index::<Option<String>>(1).ok().flatten(),
                ]
            })
            .flatten()
            .collect()
    };
    assert!(!raw.is_empty());
    assert!(
        raw.iter()
            .all(|v| !v.contains("13912348765") && !v.contains("8765")),
        "{raw:?}"
    );
    if let Some(path) = &t.app.db.sqlite_path {
        use sea_orm::ConnectionTrait;
        let _ = t
            .app
            .db
            .conn
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await;
        let mut bytes = std::fs::read(path).expect("db file");
        if let Ok(w) = std::fs::read(path.with_extension("db-wal")) {
            bytes.extend(w);
        }
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains("13912348765"),
            "the phone number is in the database file in clear"
        );
        assert!(
            hay.contains("成都博远农产品有限公司"),
            "sanity: the file does hold the customer"
        );
    }
    // Exact phone search works through the keyed hash.
    let (_, found) = api.get("/api/v1/customers?q=139-1234-8765").await;
    assert_eq!(found["total"], 1);
    let (_, none) = api.get("/api/v1/customers?q=13912340000").await;
    assert_eq!(none["total"], 0);
    // Unmasking writes an audit row; the read-only role cannot unmask.
    let (_, d) = api.get(&format!("/api/v1/customers/{id}")).await;
    let kid = d["contacts"][0]["id"].as_str().expect("id").to_string();
    let (s, r) = api
        .post(
            &format!("/api/v1/customers/{id}/contacts/{kid}/reveal"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["phone"], "13912348765");
    let admin = t.api("admin").await;
    let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["actor_name"], "李晓云 (lixy)");
    assert_eq!(audit["items"][0]["entity_id"], kid);
    let ro = t.api("ro").await;
    let (s, _) = ro
        .post(
            &format!("/api/v1/customers/{id}/contacts/{kid}/reveal"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
    assert_eq!(audit["total"], 1, "a refused reveal reveals nothing");
    // Audit rows never hold the phone in clear.
    let (_, all) = admin.get("/api/v1/audit?per_page=500").await;
    assert!(!all.to_string().contains("13912348765"));
    // ID numbers of individuals are encrypted and masked too.
    let (s, body) = api
        .post(
            "/api/v1/customers",
            json!({"name": "周子涵", "kind": "individual", "id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["customer"]["id_number"], "110105********002X");
}

#[tokio::test]
async fn personal_data_protection() {
    each_db(personal_data).await;
}

async fn headers(t: TestApp) {
    let must = |r: &reqwest::Response, what: &str| {
        let h = r.headers();
        let get = |k: &str| {
            h.get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let csp = get("content-security-policy");
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && csp.contains("form-action 'self'"),
            "{what}: CSP {csp:?}"
        );
        assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(get("referrer-policy"), "same-origin", "{what}");
        assert_eq!(
            get("strict-transport-security"),
            "",
            "{what}: plain http has no HSTS"
        );
        get("cache-control")
    };
    let anon = reqwest::Client::new();
    let r = anon.get(t.url("/login")).send().await.expect("send");
    assert_eq!(must(&r, "login"), "no-store");
    let r = anon
        .get(t.url("/static/app.css"))
        .send()
        .await
        .expect("send");
    assert!(
        must(&r, "static").starts_with("public"),
        "static files stay cacheable"
    );
    let r = anon
        .get(t.url("/api/v1/customers"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(must(&r, "401"), "no-store");

    let id = t
        .customer(
            "上海恒通供应链管理有限公司",
            Some("lixy"),
            Some("13812345678"),
        )
        .await;
    let b = t.browser("lixy").await;
    let r = b
        .client
        .get(t.url(&format!("/customers/{id}")))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(must(&r, "customer page"), "no-store");
    let api = t.api("lixy").await;
    let r = api
        .req(reqwest::Method::GET, &format!("/api/v1/customers/{id}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(must(&r, "customer API"), "no-store");
    let r = b
        .client
        .get(t.url("/customers/export"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(must(&r, "export"), "no-store");
    // The error page's "back" link works without inline script (the CSP forbids it).
    let (_, page) = b.get("/customers/999999999").await;
    assert!(!page.contains("javascript:"), "{page}");
}

#[tokio::test]
async fn security_headers_on_every_response() {
    each_db(headers).await;
}

/// HSTS only when the public address is https (a plain-http install must not pin it).
#[tokio::test]
async fn hsts_when_public_url_is_https() {
    let t = spawn_with(false, |s| {
        s.public_url = Some("https://crm.yuanda-wl.cn".into())
    })
    .await;
    let r = reqwest::Client::new()
        .get(t.url("/login"))
        .send()
        .await
        .expect("send");
    let hsts = r
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok());
    assert_eq!(hsts, Some("max-age=31536000; includeSubDomains"));
}

/// Sets a time column of every row of `table` to `ago` before now (time passing).
async fn backdate(t: &TestApp, table: &str, column: &str, ago: chrono::Duration) {
    use sea_orm::ConnectionTrait;
    let at = chrono::Utc::now() - ago;
    let q = format!("UPDATE {table} SET {column} = ?");
    t.app
        .db
        .conn
        .execute(consign_store::dialect::stmt(
            t.app.db.db_backend(),
            &q,
            vec![at.into()],
        ))
        .await
        .expect("backdate");
}

async fn sign_in_hardening(t: TestApp) {
    // Twenty wrong passwords sent at once: no more than five are checked; the rest are
    // refused as throttled, so parallel tries cannot beat the count.
    let mut tries = Vec::new();
    for _ in 0..20 {
        let base = t.base.clone();
        tries.push(tokio::spawn(async move {
            Browser::new(&base, Some("en"))
                .login("zhaop", "wrong-password")
                .await
                .status()
        }));
    }
    let mut checked = 0;
    for h in tries {
        match h.await.expect("join") {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            s => panic!("unexpected {s}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} of 20 parallel attempts were checked"
    );
    // Hashing ran within its cap meanwhile.
    assert!(consign_app::auth::hashing_peak() <= consign_app::auth::HASHING_AT_ONCE);
    let b = Browser::new(&t.base, Some("en"));
    assert_eq!(
        b.login("zhaop", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // The name is not locked for ever: once the wait since the last failure is over,
    // its owner signs in (refused tries in between do not extend it).
    backdate(&t, "login_attempts", "at", chrono::Duration::hours(1)).await;
    assert_eq!(
        b.login("zhaop", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // A disabled account says so only to the right password.
    let admin = t.api("admin").await;
    let (s, _) = admin
        .patch(
            &format!("/api/v1/users/{}", t.users.chenj),
            serde_json::json!({"disabled": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = Browser::new(&t.base, Some("en"))
        .login("chenj", "wrong-password")
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let text = r.text().await.expect("body");
    assert!(
        text.contains("Wrong username or password") && !text.contains("disabled"),
        "{text}"
    );
    let r = Browser::new(&t.base, Some("en"))
        .login("chenj", PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Changing one's own password asks for the current one, and revokes one's tokens.
    let api = t.api("lixy").await;
    let (s, _) = api.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    let lixy = t.browser("lixy").await;
    let (_, page) = lixy.get("/account").await;
    assert!(
        page.contains("name=\"current_password\"") && page.contains("API 令牌将被撤销"),
        "{page}"
    );
    let r = lixy
        .post(
            "/account/password",
            "/account",
            &[
                ("current_password", "not-it"),
                ("password", "new-password-2026"),
            ],
        )
        .await;
    let page = r.text().await.expect("page");
    assert!(page.contains("当前密码不正确"), "{page}");
    let (s, _) = api.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "nothing changed");
    let r = lixy
        .post(
            "/account/password",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("password", "new-password-2026"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/login?done=password");
    let (_, login) = lixy.get("/login?done=password").await;
    assert!(login.contains("API 令牌已全部撤销"), "{login}");
    let (s, _) = api.get("/api/v1/me").await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the token went with the old password"
    );
    // An admin's reset revokes the user's tokens too.
    let wang = t.api("wangjl").await;
    let (s, _) = admin
        .patch(
            &format!("/api/v1/users/{}", t.users.sh_manager),
            serde_json::json!({"password": "reset-password-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = wang.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Tokens may carry an expiry.
    let huang = t.api("huangm").await;
    let (s, tok) = huang
        .post(
            "/api/v1/tokens",
            serde_json::json!({"name": "TMS", "expires_days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{tok}");
    assert!(tok["expires_at"].is_string(), "{tok}");
    let short = reqwest::Client::new();
    let raw = tok["token"].as_str().expect("token").to_string();
    let me = |c: &reqwest::Client| c.get(t.url("/api/v1/me")).bearer_auth(&raw).send();
    assert_eq!(me(&short).await.expect("send").status(), StatusCode::OK);
    let (s, bad) = huang
        .post(
            "/api/v1/tokens",
            serde_json::json!({"name": "x", "expires_days": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "expires_days");
    backdate(&t, "api_tokens", "expires_at", chrono::Duration::hours(1)).await;
    tokio::time::sleep(consign_app::auth::CALLER_TTL).await;
    assert_eq!(
        me(&short).await.expect("send").status(),
        StatusCode::UNAUTHORIZED,
        "expired"
    );

    // A session ends after its absolute lifetime however busy it is.
    let ro = t.browser("ro").await;
    assert_eq!(ro.get("/customers").await.0, StatusCode::OK);
    backdate(&t, "sessions", "created_at", chrono::Duration::hours(25)).await;
    tokio::time::sleep(consign_app::auth::CALLER_TTL).await;
    assert_eq!(
        ro.get("/customers").await.0,
        StatusCode::SEE_OTHER,
        "signed out after 24 h"
    );

    // Old sign-in attempts are purged by the housekeeping job; long usernames are cut.
    let r = Browser::new(&t.base, None)
        .login(&"长".repeat(500), "x-password")
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    backdate(&t, "login_attempts", "at", chrono::Duration::days(8)).await;
    consign_app::jobs::enqueue(
        &t.app,
        &consign_app::jobs::JobKind::Housekeeping,
        chrono::Utc::now(),
    )
    .await
    .expect("enqueue");
    consign_app::jobs::run_due(&t.app, "test")
        .await
        .expect("run");
    let left: i64 = {
        use sea_orm::{ConnectionTrait, Statement};
        let row = t
            .app
            .db
            .conn
            .query_one(Statement::from_string(
                t.app.db.db_backend(),
                "SELECT COUNT(*) FROM login_attempts",
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get_by_index(0).expect("n")
    };
    assert_eq!(left, 0);
}

#[tokio::test]
async fn sign_in_resists_bursts_and_credentials_expire() {
    each_db(sign_in_hardening).await;
}

/// Behind a trusted proxy the client's address comes from X-Forwarded-For (throttling
/// and the audit log see it); from anyone else the header is ignored.
#[tokio::test]
async fn client_address_from_a_trusted_proxy_only() {
    for (trusted, want) in [
        (vec!["127.0.0.1".to_string()], "203.0.113.7"),
        (vec![], "127.0.0.1"),
    ] {
        let t = spawn_with(false, |s| s.trusted_proxies = trusted).await;
        let b = Browser::new(&t.base, None);
        let (_, page) = b.get("/login").await;
        let r = b
            .client
            .post(t.url("/login"))
            .header("X-Forwarded-For", "198.51.100.1, 203.0.113.7")
            .form(&[
                ("_csrf", csrf_of(&page).as_str()),
                ("username", "lixy"),
                ("password", "wrong-password"),
            ])
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=auth.login_failed")
            .await;
        assert_eq!(audit["items"][0]["ip"], want, "{audit}");
    }
}

/// Opening a contact's edit form reveals nothing (issue 16): the phone and e-mail show
/// masked and stay as they are unless typed anew; revealing them to edit is a POST, and
/// that is what the audit log records.
#[tokio::test]
async fn the_contact_form_reveals_only_on_request() {
    each_db(|t| async move {
        let id = t
            .customer("成都博远农产品有限公司", Some("lixy"), Some("13912348765"))
            .await;
        let api = t.api("lixy").await;
        let (_, d) = api.get(&format!("/api/v1/customers/{id}")).await;
        let kid = d["contacts"][0]["id"].as_str().expect("id").to_string();
        let b = t.browser("lixy").await;
        let edit = format!("/customers/{id}/contacts/{kid}/edit");
        let (s, page) = b.get(&edit).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("placeholder=\"139****8765\"") && !page.contains("13912348765"),
            "{page}"
        );
        let admin = t.api("admin").await;
        let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
        assert_eq!(audit["total"], 0, "opening the form is not a reveal");
        // Saving with the masked fields empty keeps them.
        let r = b
            .post(
                &edit,
                &edit,
                &[
                    ("masked", "1"),
                    ("name", "陈杰"),
                    ("title", "物流经理"),
                    ("phone", ""),
                    ("email", ""),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, full) = admin
            .post(
                &format!("/api/v1/customers/{id}/contacts/{kid}/reveal"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(full["phone"], "13912348765", "{full}");
        // Revealing to edit is a POST, audited, and fills the form.
        let r = b.post(&format!("{edit}/reveal"), &edit, &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.expect("page");
        assert!(page.contains("value=\"13912348765\""), "{page}");
        let (_, audit) = admin.get("/api/v1/audit?action=pii.reveal").await;
        assert_eq!(audit["total"], 2, "the admin's and lixy's: {audit}");
        // A GET of the reveal URL does nothing.
        let (s, _) = b.get(&format!("{edit}/reveal")).await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    })
    .await;
}
