//! The customer portal (issue 22): an invited contact sets a password, signs in at
//! /portal and sees its own company's shipments, tracking, invoices and tickets; files a
//! complaint about its own waybill; and reaches nothing of another customer's, nor any
//! staff page — staff and portal sessions never cross.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ship(no: &str, customer: i64) -> Value {
    json!({"waybill_no": no, "customer_id": customer.to_string(), "revenue_fen": 128_000,
           "ordered_at": (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339(),
           "origin_city": "上海", "destination_city": "杭州", "status": "in_transit"})
}

struct Side {
    customer: i64,
    waybill: String,
    shipment: String,
    ticket: i64,
    contact: i64,
}

async fn side(t: &TestApp, name: &str, owner: &str, phone: &str, waybill: &str) -> Side {
    let admin = t.api("admin").await;
    let customer = t.customer(name, Some(owner), Some(phone)).await;
    let (s, w) = admin
        .post("/api/v1/shipments", ship(waybill, customer))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let sid = w["id"].as_str().expect("id").to_string();
    let (s, e) = admin
        .post(
            &format!("/api/v1/shipments/{sid}/events"),
            json!({"items": [{"at": chrono::Utc::now().to_rfc3339(), "place": "杭州转运中心", "status_text": "到达转运中心"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let ticket = t.complaint(customer, "货物外包装破损").await.ticket.id;
    let (_, c) = admin.get(&format!("/api/v1/customers/{customer}")).await;
    let contact = c["contacts"][0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| c["contacts"][0]["id"].as_i64())
        .expect("contact");
    Side {
        customer,
        waybill: waybill.to_string(),
        shipment: sid,
        ticket,
        contact,
    }
}

/// Invites a contact (as its account manager) and sets its password; returns the
/// sign-in name.
async fn invited(t: &TestApp, by: &str, s: &Side) -> (String, String) {
    let (st, i) = t
        .api(by)
        .await
        .post(
            &format!(
                "/api/v1/customers/{}/contacts/{}/portal-invite",
                s.customer, s.contact
            ),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{i}");
    let link = i["link"].as_str().expect("link").to_string();
    let path = link
        .split_once("/portal/")
        .map(|(_, p)| format!("/portal/{p}"))
        .expect("path");
    (i["username"].as_str().expect("username").to_string(), path)
}

async fn portal_login(t: &TestApp, username: &str, password: &str) -> (Browser, reqwest::Response) {
    let b = Browser::new(&t.base, Some("zh-CN"));
    let r = b
        .post(
            "/portal/login",
            "/portal/login",
            &[("username", username), ("password", password)],
        )
        .await;
    (b, r)
}

#[tokio::test]
async fn an_invited_contact_sees_its_own_company_only() {
    each_db(|t| async move {
        let a = side(
            &t,
            "上海恒通供应链管理有限公司",
            "lixy",
            "13800138000",
            "SF1400000001",
        )
        .await;
        let b = side(
            &t,
            "广州南沙远洋货运代理有限公司",
            "chenj",
            "13900139000",
            "SF1400000002",
        )
        .await;

        // An account manager invites only within its scope.
        let (s, _) = t
            .api("chenj")
            .await
            .post(
                &format!(
                    "/api/v1/customers/{}/contacts/{}/portal-invite",
                    a.customer, a.contact
                ),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (username, invite) = invited(&t, "lixy", &a).await;

        // The link sets the password once.
        let anon = Browser::new(&t.base, Some("zh-CN"));
        let (s, page) = anon.get(&invite).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&username) && page.contains("张伟"), "{page}");
        let r = anon
            .post(
                &invite,
                &invite,
                &[
                    ("password", "Hengtong-2026"),
                    ("password2", "Hengtong-2027"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .await
            .expect("body")
            .contains("两次输入的密码不一致"));
        let r = anon
            .post(
                &invite,
                &invite,
                &[
                    ("password", "Hengtong-2026"),
                    ("password2", "Hengtong-2026"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (s, page) = anon.get(&invite).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a used link is gone: {page}");

        // Staff sign-in refuses the portal account and the portal refuses staff.
        let staff = Browser::new(&t.base, Some("zh-CN"));
        let r = staff
            .post(
                "/login",
                "/login",
                &[
                    ("username", &username),
                    ("password", "Hengtong-2026"),
                    ("next", "/customers"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let (_, r) = portal_login(&t, "lixy", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // A survey for each company: the overview invites to its own only.
        let mut survey_paths = Vec::new();
        for (who, side) in [("lixy", &a), ("chenj", &b)] {
            let (s, v) = t
                .api(who)
                .await
                .post(&format!("/api/v1/customers/{}/surveys", side.customer), json!({}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            let link = v["link"].as_str().expect("link");
            survey_paths.push(link[link.find("/s/").expect("/s/")..].to_string());
        }
        let (p, r) = portal_login(&t, &username, "Hengtong-2026").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (s, home) = p.get("/portal").await;
        assert!(home.contains("请您评价我们的服务"), "{home}");
        assert!(home.contains(&format!("href=\"{}\"", survey_paths[0])), "{home}");
        assert!(!home.contains(&survey_paths[1]), "{home}");
        let (s2, form) = p.get(&survey_paths[0]).await;
        assert_eq!(s2, StatusCode::OK, "{form}");
        assert_eq!(s, StatusCode::OK);
        assert!(
            home.contains("上海恒通供应链管理有限公司") && home.contains(&a.waybill),
            "{home}"
        );
        assert!(
            !home.contains("广州南沙") && !home.contains(&b.waybill),
            "{home}"
        );
        let (_, list) = p
            .get(&format!("/portal/shipments?customer_id={}", b.customer))
            .await;
        assert!(
            list.contains(&a.waybill) && !list.contains(&b.waybill),
            "the customer is never taken from the request: {list}"
        );
        let (s, one) = p.get(&format!("/portal/shipments/{}", a.waybill)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            one.contains("杭州转运中心") && one.contains("到达转运中心"),
            "{one}"
        );
        assert!(!one.contains("成本"), "no cost shown: {one}");
        let (s, tk) = p.get(&format!("/portal/tickets/{}", a.ticket)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            tk.contains("货物外包装破损") && tk.contains("已受理"),
            "{tk}"
        );

        // Every portal route with the other customer's ids: not found.
        for path in [
            format!("/portal/shipments/{}", b.waybill),
            format!("/portal/tickets/{}", b.ticket),
            format!("/portal/tickets/{}", b.ticket + 1000),
            "/portal/shipments/NOPE".to_string(),
        ] {
            let (s, body) = p.get(&path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {body}");
            assert!(!body.contains("广州南沙"), "{path}");
        }
        // A complaint about its own waybill goes to its account manager; another
        // customer's waybill is as unknown as one that does not exist.
        let r = p
            .post(
                "/portal/tickets",
                "/portal/tickets/new",
                &[
                    ("kind", "complaint"),
                    ("subject", "签收延误两天"),
                    ("description", "客户催了三次"),
                    ("waybills", &b.waybill),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.expect("body");
        assert!(body.contains("没有该运单号的运单"), "{body}");
        assert!(!body.contains("其他客户"), "{body}");
        let r = p
            .post(
                "/portal/tickets",
                "/portal/tickets/new",
                &[
                    ("kind", "complaint"),
                    ("subject", "签收延误两天"),
                    ("description", "客户催了三次"),
                    ("waybills", &a.waybill),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        let (_, tk) = p.get(&to).await;
        assert!(tk.contains("签收延误两天"), "{tk}");
        let id = to.rsplit('/').next().expect("id");
        let (_, staff_view) = t
            .api("lixy")
            .await
            .get(&format!("/api/v1/tickets/{id}"))
            .await;
        assert_eq!(staff_view["ticket"]["channel"], "portal", "{staff_view}");
        assert_eq!(
            staff_view["ticket"]["assignee_name"], "李晓云",
            "{staff_view}"
        );
        assert_eq!(
            staff_view["ticket"]["customer_id"],
            a.customer.to_string(),
            "{staff_view}"
        );

        // A claim filed with its photos: each checked before anything is made (a text
        // file refuses the filing, naming the field), then stored on the new ticket.
        let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
        let filing = |photos: Vec<(&'static str, Vec<u8>)>| {
            let p = &p;
            let waybill = a.waybill.clone();
            async move {
                let (_, page) = p.get("/portal/tickets/new").await;
                let mut form = reqwest::multipart::Form::new()
                    .text("_csrf", csrf_of(&page))
                    .text("kind", "claim")
                    .text("subject", "外箱压坏索赔")
                    .text("description", "三箱外包装压坏，内件受损")
                    .text("waybills", waybill)
                    .text("claimed", "1200");
                for (name, bytes) in photos {
                    form = form.part("photos", reqwest::multipart::Part::bytes(bytes).file_name(name));
                }
                p.client.post(format!("{}/portal/tickets", p.base())).multipart(form).send().await.expect("file")
            }
        };
        let (_, before) = lixy_tickets(&t, a.customer).await;
        let r = filing(vec![("外箱.png", png.clone()), ("说明.txt", b"just text".to_vec())]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.expect("body");
        assert!(body.contains("外箱压坏索赔"), "what was typed stays: {body}");
        assert!(body.contains("field-error\">只接受图片（JPEG、PNG、GIF、WebP）、PDF 和 Office 文档"), "{body}");
        assert_eq!(lixy_tickets(&t, a.customer).await.1, before, "no ticket made");
        let r = filing(vec![("外箱.png", png.clone()), ("签收单.pdf", b"%PDF-1.4 test".to_vec())]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let claim = location(&r);
        let (_, tk) = p.get(&claim).await;
        assert!(tk.contains("外箱.png") && tk.contains("签收单.pdf"), "{tk}");

        // The account manager answers; the customer is not satisfied, then is.
        let lixy = t.api("lixy").await;
        let steps = format!("/api/v1/tickets/{id}/transitions");
        let step = |action: &str, note: &str| json!({"action": action, "note": note, "root_cause": "delay"});
        let (s, v) = lixy.post(&steps, step("investigate", "")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = lixy.post(&steps, step("resolve", "已协调天津网点优先派送，并减免本票运费")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, tk) = p.get(&to).await;
        assert!(tk.contains("已协调天津网点优先派送") && tk.contains("问题解决了吗"), "{tk}");
        let r = p.post(&format!("{to}/callback"), &to, &[("answer", "no"), ("note", "货还没到")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, v) = lixy.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(v["ticket"]["status"], "investigating", "a rejection reopens it: {v}");
        assert_eq!(v["ticket"]["reopened"], 1, "{v}");
        let (s, v) = lixy.post(&steps, step("resolve", "已改派专车，今日送达")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let r = p.post(&format!("{to}/callback"), &to, &[("answer", "yes"), ("note", "")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, v) = lixy.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(v["ticket"]["status"], "confirmed", "{v}");
        // Not on another customer's ticket, and not twice.
        let r = p.post(&format!("/portal/tickets/{}/callback", b.ticket), &to, &[("answer", "yes")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = p.post(&format!("{to}/callback"), &to, &[("answer", "no")]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);

        // A photo onto its own ticket: listed and downloadable; none onto another's, and
        // another's files are not found.
        let upload = |path: String| {
            let png = png.clone();
            let p = &p;
            let to = to.clone();
            async move {
                let (_, page) = p.get(&to).await;
                let form = reqwest::multipart::Form::new()
                    .text("_csrf", csrf_of(&page))
                    .part("file", reqwest::multipart::Part::bytes(png).file_name("破损照片.png"));
                p.client.post(format!("{}{path}", p.base())).multipart(form).send().await.expect("upload")
            }
        };
        let r = upload(format!("{to}/attachments")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, tk) = p.get(&to).await;
        let link = tk
            .split("href=\"")
            .filter_map(|x| x.split('"').next())
            .find(|h| h.contains("/attachments/"))
            .expect("a link to the photo")
            .to_string();
        assert!(tk.contains("破损照片.png"), "{tk}");
        let r = p.client.get(format!("{}{link}", t.base)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.expect("bytes").to_vec(), png);
        let r = upload(format!("/portal/tickets/{}/attachments", b.ticket)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let theirs = consign_app::service::attach(&t.app, &t.actor("admin").await, b.ticket, "运单.png", png.clone())
            .await
            .expect("attach")
            .attachments[0]
            .id;
        for path in [
            format!("/portal/tickets/{}/attachments/{theirs}", b.ticket),
            format!("{to}/attachments/{theirs}"),
        ] {
            let (s, _) = p.get(&path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }

        // The portal session opens no staff page or API, and a staff session no portal page.
        let portal_cookie = p
            .client
            .get(format!("{}/portal", t.base))
            .send()
            .await
            .expect("send");
        assert_eq!(portal_cookie.status(), StatusCode::OK);
        let raw = session_cookie(&t, &username).await;
        let c = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        for path in [
            "/customers",
            "/tickets",
            "/shipments",
            &format!("/customers/{}", a.customer),
        ] {
            let r = c
                .get(format!("{}{path}", t.base))
                .header("Cookie", format!("consign_session={raw}"))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        }
        for path in [
            "/api/v1/customers",
            &format!("/api/v1/shipments?customer_id={}", a.customer),
            "/api/v1/tickets",
        ] {
            let r = c
                .get(format!("{}{path}", t.base))
                .header("Cookie", format!("consign_session={raw}"))
                .send()
                .await
                .expect("send");
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let staff = t.browser("lixy").await;
        let (s, _) = staff.get("/portal").await;
        assert_eq!(
            s,
            StatusCode::SEE_OTHER,
            "a staff session is not a portal session"
        );

        // Every API operation the document describes, with the other customer's ids in
        // its path and the portal session sent as either cookie: no caller at all.
        let (_, spec) = t.anonymous().get("/api/openapi.json").await;
        let mut wrong = Vec::new();
        let mut operations = 0;
        for (path, ops) in spec["paths"].as_object().expect("paths") {
            let concrete = concrete_api_path(path, &b, theirs);
            for (method, op) in ops.as_object().expect("operations") {
                if op["security"].as_array().is_some_and(|s| s.is_empty()) {
                    continue; // public tracking: no account at all
                }
                operations += 1;
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                for cookie in ["consign_session", "consign_portal"] {
                    let r = c
                        .request(m.clone(), format!("{}{concrete}", t.base))
                        .header("Cookie", format!("{cookie}={raw}"))
                        .header("X-CSRF-Token", "x")
                        .json(&json!({}))
                        .send()
                        .await
                        .expect("send");
                    if r.status() != StatusCode::UNAUTHORIZED {
                        wrong.push(format!("{method} {concrete} ({cookie}): {}", r.status()));
                    }
                }
            }
        }
        assert!(operations > 100, "{operations} operations");
        assert!(wrong.is_empty(), "answered a portal account: {wrong:?}");

        // Every portal route (read from the router's source, so that a new one must be
        // added here): the lists show nothing of the other customer, and each id of
        // theirs is not found.
        let mut routes = portal_routes();
        routes.sort();
        let known = [
            "/portal",
            "/portal/invite/{token}",
            "/portal/invoices",
            "/portal/login",
            "/portal/logout",
            "/portal/shipments",
            "/portal/shipments/{waybill}",
            "/portal/tickets",
            "/portal/tickets/new",
            "/portal/tickets/{id}",
            "/portal/tickets/{id}/attachments",
            "/portal/tickets/{id}/attachments/{aid}",
            "/portal/tickets/{id}/callback",
        ];
        assert_eq!(routes, known, "a portal route this test does not cover");
        for list in [
            "/portal".to_string(),
            "/portal/invoices".into(),
            "/portal/tickets".into(),
            "/portal/tickets?all=1".into(),
            "/portal/tickets/new".into(),
            "/portal/shipments".into(),
            format!("/portal/shipments?q={}", b.waybill),
        ] {
            let (s, body) = p.get(&list).await;
            assert_eq!(s, StatusCode::OK, "{list}");
            assert!(!body.contains("广州南沙"), "{list}");
            assert!(!body.contains(&format!("/portal/shipments/{}", b.waybill)), "{list}");
            assert!(!body.contains(&format!("/portal/tickets/{}\"", b.ticket)), "{list}");
        }
        for path in [
            format!("/portal/shipments/{}", b.waybill),
            format!("/portal/tickets/{}", b.ticket),
            format!("/portal/tickets/{}/attachments/{theirs}", b.ticket),
        ] {
            let (s, _) = p.get(&path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        }
        let r = p.post(&format!("/portal/tickets/{}/callback", b.ticket), &to, &[("answer", "yes")]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = upload(format!("/portal/tickets/{}/attachments", b.ticket)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let (_, v) = t.api("admin").await.get(&format!("/api/v1/tickets/{}", b.ticket)).await;
        assert_eq!(v["ticket"]["status"], "registered", "nothing of theirs changed: {v}");
        assert_eq!(v["events"].as_array().map(Vec::len), Some(2), "its registration and staff's photo only: {v}");
        assert_eq!(v["attachments"].as_array().map(Vec::len), Some(1), "{v}");

        // Sign-in protections as at the staff login: the cookie is HttpOnly, SameSite and
        // sent under /portal only; five wrong passwords, then even the right one waits.
        let cookie = {
            let b = Browser::new(&t.base, Some("en"));
            let page = b.get("/portal/login").await.1;
            let r = b
                .client
                .post(format!("{}/portal/login", t.base))
                .form(&[("_csrf", csrf_of(&page).as_str()), ("username", username.as_str()), ("password", "Hengtong-2026")])
                .send()
                .await
                .expect("send");
            r.headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with("consign_portal="))
                .expect("portal cookie")
                .to_string()
        };
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/portal"), "{cookie}");
        for _ in 0..5 {
            let (_, r) = portal_login(&t, &username, "wrong-password").await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        let (_, r) = portal_login(&t, &username, "Hengtong-2026").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "locked even with the right password");
    })
    .await;
}

/// How many tickets the customer has, as its account manager sees them.
async fn lixy_tickets(t: &TestApp, customer: i64) -> (StatusCode, u64) {
    let (s, v) = t
        .api("lixy")
        .await
        .get(&format!("/api/v1/tickets?customer_id={customer}"))
        .await;
    (s, v["total"].as_u64().expect("total"))
}

/// An API path with the other side's ids in it: its customer, contact, ticket, shipment,
/// waybill and attachment; any other id is 1.
fn concrete_api_path(path: &str, b: &Side, attachment: i64) -> String {
    let first = path.split('/').nth(3).unwrap_or_default();
    path.split('/')
        .map(|seg| match (seg, first) {
            ("{id}", "customers") => b.customer.to_string(),
            ("{id}", "tickets") => b.ticket.to_string(),
            ("{id}", "shipments") => b.shipment.clone(),
            ("{cid}", _) => b.contact.to_string(),
            ("{aid}", _) => attachment.to_string(),
            ("{no}" | "{waybill_no}", _) => b.waybill.clone(),
            (s, _) if s.starts_with('{') => "1".to_string(),
            (s, _) => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths the portal's router registers, read from its source.
fn portal_routes() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/portal");
    let mut out = Vec::new();
    for f in std::fs::read_dir(&dir).expect("dir") {
        let src = std::fs::read_to_string(f.expect("entry").path()).expect("read");
        let lines: Vec<&str> = src.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if !l.contains(".route(") {
                continue;
            }
            let here = l.split(".route(").nth(1).unwrap_or_default();
            let text = if here.contains('"') {
                here
            } else {
                lines.get(i + 1).copied().unwrap_or_default()
            };
            if let Some(path) = text.split('"').nth(1).filter(|p| p.starts_with("/portal")) {
                out.push(path.to_string());
            }
        }
    }
    out
}

/// The raw value of the portal account's newest session, as a cookie would carry it,
/// read back by signing in again through the login form.
async fn session_cookie(t: &TestApp, username: &str) -> String {
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = c
        .get(format!("{}/portal/login", t.base))
        .send()
        .await
        .expect("send");
    let login_csrf = set_cookie(&page, "consign_login_csrf");
    let r = c
        .post(format!("{}/portal/login", t.base))
        .header("Cookie", format!("consign_login_csrf={login_csrf}"))
        .form(&[
            ("_csrf", login_csrf.as_str()),
            ("username", username),
            ("password", "Hengtong-2026"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    set_cookie(&r, "consign_portal")
}

/// The value a response sets for cookie `name`.
fn set_cookie(r: &reqwest::Response, name: &str) -> String {
    let prefix = format!("{name}=");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(prefix.as_str()))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .to_string()
}
