//! The customer portal in a real headless Chromium (issue 22): a contact invited by its
//! account manager opens the link on a phone-sized window, sets its password, signs in,
//! finds a shipment by its waybill number, files a complaint about it with a photo, and
//! sees its account manager's answer and the question whether it is settled. Each page
//! fits the phone's width and has no serious or critical WCAG 2.1 AA violation.
//!
//! Skips loudly when chromium or chromedriver is missing; under CI=true that fails.

mod common;
use common::*;
use serde_json::json;

mod driver;
use driver::Driver;

/// The page fits the window's width (no sideways scroll) and passes axe-core.
async fn fits_and_is_accessible(d: &Driver, what: &str) {
    let fits = d
        .script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        .await;
    assert_eq!(fits, json!(true), "{what} scrolls sideways on a phone");
    if let Some(v) = d.accessibility_violations().await {
        assert_eq!(v, json!([]), "accessibility of {what}");
    }
}

#[tokio::test]
async fn an_invited_contact_files_a_complaint_with_a_photo_on_a_phone() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let admin = t.api("admin").await;
    let lixy = t.api("lixy").await;
    let customer = t
        .customer(
            "上海恒通供应链管理有限公司",
            Some("lixy"),
            Some("13800138000"),
        )
        .await;
    let (s, w) = admin
        .post(
            "/api/v1/shipments",
            json!({"waybill_no": "SF1400000077", "customer_id": customer.to_string(),
                   "revenue_fen": 128_000, "status": "in_transit",
                   "ordered_at": (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339(),
                   "origin_city": "上海", "destination_city": "天津"}),
        )
        .await;
    assert!(s.is_success(), "{w}");
    let sid = w["id"].as_str().expect("id").to_string();
    let (s, e) = admin
        .post(
            &format!("/api/v1/shipments/{sid}/events"),
            json!({"items": [{"at": chrono::Utc::now().to_rfc3339(), "place": "天津武清分拨中心", "status_text": "到达分拨中心"}]}),
        )
        .await;
    assert!(s.is_success(), "{e}");
    let (_, c) = admin.get(&format!("/api/v1/customers/{customer}")).await;
    let contact = c["contacts"][0]["id"]
        .as_str()
        .expect("contact")
        .to_string();
    let (s, i) = lixy
        .post(
            &format!("/api/v1/customers/{customer}/contacts/{contact}/portal-invite"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{i}");
    let username = i["username"].as_str().expect("username").to_string();
    let link = i["link"].as_str().expect("link");
    let invite = &link[link.find("/portal/invite/").expect("path")..];
    let photo = tempfile::tempdir().expect("tmp");
    let photo_path = photo.path().join("外箱破损.png");
    std::fs::write(
        &photo_path,
        [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 256]].concat(),
    )
    .expect("photo");

    // The link, on a phone: the password is set, then the sign-in.
    d.window(390, 844).await;
    d.goto(&t.url(invite)).await;
    d.wait_for_text(&username).await;
    fits_and_is_accessible(&d, "the invitation").await;
    d.type_into("input[name=password]", "Hengtong-2026").await;
    d.type_into("input[name=password2]", "Hengtong-2026").await;
    d.click("button[type=submit]").await;
    d.wait_for_text("密码已设置，请登录").await;
    d.type_into("input[name=username]", &username).await;
    d.type_into("input[name=password]", "Hengtong-2026").await;
    d.click("button[type=submit]").await;
    d.wait_for_text("近 90 天服务表现").await;
    fits_and_is_accessible(&d, "the overview").await;

    // The shipment, found by its number, with its tracking.
    d.goto(&t.url("/portal/shipments")).await;
    d.type_into("input[name=q]", "SF1400000077").await;
    d.click("form.filters button[type=submit]").await;
    d.wait_for_text("value=\"SF1400000077\"").await;
    d.wait_for_text("/portal/shipments/SF1400000077").await;
    fits_and_is_accessible(&d, "the shipment list").await;
    d.click("a[href='/portal/shipments/SF1400000077']").await;
    d.wait_for_text("天津武清分拨中心").await;
    fits_and_is_accessible(&d, "a shipment").await;

    // A complaint about it, with the photo.
    d.click("a[href^='/portal/tickets/new']").await;
    d.wait_for_text("提交投诉、理赔或咨询").await;
    let prefilled = d
        .script("return document.querySelector('input[name=waybills]').value")
        .await;
    assert_eq!(prefilled, json!("SF1400000077"));
    d.type_into("input[name=subject]", "外箱破损，内件受潮")
        .await;
    d.type_into("textarea[name=description]", "今早签收时发现三箱外箱破损")
        .await;
    d.type_into("input[name=photos]", &photo_path.to_string_lossy())
        .await;
    fits_and_is_accessible(&d, "the filing form").await;
    d.click("form.form-grid button[type=submit]").await;
    let page = d.wait_for_text("外箱破损，内件受潮").await;
    assert!(
        page.contains("外箱破损.png"),
        "the photo is on the ticket: {page}"
    );
    let ticket_url = d.current_url().await;
    let id = ticket_url.rsplit('/').next().expect("id").to_string();

    // Its account manager answers; the customer sees the answer and the question.
    let steps = format!("/api/v1/tickets/{id}/transitions");
    for (action, note) in [
        ("investigate", ""),
        ("resolve", "已联系天津网点重新包装，破损部分按价赔付"),
    ] {
        let (s, v) = lixy
            .post(
                &steps,
                json!({"action": action, "note": note, "root_cause": "damage"}),
            )
            .await;
        assert!(s.is_success(), "{v}");
    }
    d.goto(&ticket_url).await;
    d.wait_for_text("已联系天津网点重新包装").await;
    d.wait_for_text("问题解决了吗？").await;
    fits_and_is_accessible(&d, "the answered ticket").await;
    d.screenshot("portal-ticket-answered-390x844-zh.png").await;
}
