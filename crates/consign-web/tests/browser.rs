//! The core flows in a real headless Chromium, driven over WebDriver (Debian's
//! chromium-driver): sign in, find a customer by pinyin initials, open it, edit a field,
//! see the change and its audit entry; and an agent working a complaint against a
//! waybill through the seed's workflow, a failed callback reopening it; the lists on an
//! office laptop and a desktop screen (one line per row, enough rows, no sideways scroll,
//! no serious or critical WCAG 2.1 AA violation that axe-core finds).
//!
//! Skips loudly when chromium or chromedriver is missing; under CI=true that fails.

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Duration;

mod driver;
use driver::Driver;

#[tokio::test]
async fn sign_in_search_edit_and_see_the_audit_entry() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    t.customer(
        "顺丰速运（上海）有限公司",
        Some("lixy"),
        Some("13812345678"),
    )
    .await;
    t.customer("上海德邦物流有限公司", Some("lixy"), None).await;

    d.goto(&t.url("/login")).await;
    d.wait_for_text("用户名").await;
    d.type_into("input[name=username]", "lixy").await;
    d.type_into("input[name=password]", PASSWORD).await;
    d.click("button[type=submit]").await;
    d.wait_for_text("客户档案").await;

    // Search by pinyin initials from the top bar.
    d.type_into(".global-search input[name=q]", "sfsy\n").await;
    let page = d.wait_for_text("共 1 条").await;
    assert!(page.contains("顺丰速运（上海）有限公司") && !page.contains("上海德邦物流有限公司"));
    d.screenshot("list.png").await;
    d.click("a.strong").await;
    d.wait_for_text("活动时间线").await;
    assert!(
        d.source().await.contains("138****5678"),
        "phone masked on the detail page"
    );

    // Edit the city.
    d.click("a.btn.primary[href$='/edit']").await;
    d.wait_for_text("编辑客户").await;
    d.type_into("input[name=city]", "苏州").await;
    d.click("form.form button.btn.primary[type=submit]").await;
    let page = d.wait_for_text("客户已更新").await;
    assert!(page.contains("苏州"));
    assert!(
        page.contains("修改客户") && page.contains("<td class=\"after\">苏州</td>"),
        "the audit entry shows on the timeline"
    );
    d.screenshot("detail.png").await;

    // Switch to English: same data, English labels.
    d.click("a.lang").await;
    let page = d.wait_for_text("Activity timeline").await;
    assert!(page.contains("Updated customer") && page.contains("顺丰速运（上海）有限公司"));
}

#[tokio::test]
async fn an_agent_works_a_complaint_through_its_callback() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let c = t
        .customer(
            "上海恒通供应链管理有限公司",
            Some("lixy"),
            Some("13812345678"),
        )
        .await;
    let code = t.code_of(c).await;
    let (s, body) = t
        .api("admin")
        .await
        .post(
            "/api/v1/shipments",
            json!({"waybill_no": "DB20261120001", "customer_code": code, "service_mode": "ltl",
                   "origin_city": "上海", "destination_city": "成都", "revenue_fen": 268000,
                   "ordered_at": "2026-11-20T02:00:00Z", "delivered_at": "2026-11-25T08:00:00Z",
                   "exceptions": ["damaged"]}),
        )
        .await;
    assert!(s.is_success(), "{s} {body}");

    d.goto(&t.url("/login")).await;
    d.wait_for_text("用户名").await;
    d.type_into("input[name=username]", "liuy").await;
    d.type_into("input[name=password]", PASSWORD).await;
    d.click("button[type=submit]").await;
    d.wait_for_text("客户档案").await;

    // Register from the customer's page.
    d.goto(&t.url(&format!("/customers/{c}"))).await;
    d.click(&format!("a[href='/tickets/new?customer_id={c}']"))
        .await;
    d.wait_for_text("上海恒通供应链管理有限公司").await;
    d.click("select[name=kind] option[value=complaint]").await;
    d.click("select[name=severity] option[value=high]").await;
    d.type_into("input[name=subject]", "成都到货破损").await;
    d.type_into("textarea[name=waybills]", "db20261120001")
        .await;
    d.click(".row-actions button.btn.primary").await;
    let page = d.wait_for_text("成都到货破损").await;
    assert!(
        page.contains("已登记") && page.contains("DB20261120001"),
        "registered, waybill linked"
    );

    // Each step is a form of its own on the ticket.
    let step = |action: &'static str, cause: Option<&'static str>, note: &'static str| {
        let d = &d;
        async move {
            let form = format!("form.step-form:has(input[name=action][value={action}])");
            if let Some(c) = cause {
                d.click(&format!("{form} select[name=root_cause] option[value={c}]"))
                    .await;
            }
            if !note.is_empty() {
                d.type_into(&format!("{form} textarea[name=note]"), note)
                    .await;
            }
            d.click(&format!("{form} button[type=submit]")).await;
        }
    };
    step("investigate", None, "已联系成都网点核实").await;
    d.wait_for_text("调查中").await;
    step("resolve", Some("damage"), "补发破损件并减免运费").await;
    d.wait_for_text("补发破损件并减免运费").await;
    step("callback_failed", None, "客户不接受减免金额").await;
    let page = d.wait_for_text("重新处理 1 次").await;
    assert!(page.contains("调查中"), "the failed callback reopens it");
    step("resolve", Some("damage"), "按货值全额赔付").await;
    d.wait_for_text("按货值全额赔付").await;
    step("confirm", None, "客户确认满意").await;
    d.wait_for_text("客户确认满意").await;
    step("close", None, "").await;
    let page = d.wait_for_text("工单已关闭，无后续步骤").await;
    assert_eq!(
        page.matches("工单状态已更新").count(),
        1,
        "the confirmation shows once"
    );
    for text in [
        "登记工单",
        "开始调查",
        "处理完毕",
        "回访不满意（重新处理）",
        "回访确认满意",
        "关闭工单",
        "货物破损",
    ] {
        assert!(page.contains(text), "the history shows {text}");
    }
    d.screenshot("ticket.png").await;

    // The customer's timeline shows the steps; in English the same ticket reads in English.
    d.goto(&t.url(&format!("/customers/{c}"))).await;
    let page = d.wait_for_text("登记服务工单").await;
    assert!(page.contains("回访不满意（重新处理）"));
    d.click("a.lang").await;
    d.wait_for_text("Activity timeline").await;
    d.goto(&t.url("/tickets?kind=complaint")).await;
    d.click("td.mono a[href^='/tickets/']").await;
    let page = d.wait_for_text("Callback failed (reopen)").await;
    assert!(page.contains("Closed") && page.contains("成都到货破损"));
}

/// What a list looks like in the browser: its tallest row against two text lines, the
/// rows fully in view, and the table's width against its box.
const MEASURE_LIST: &str = r#"
const rows = [...document.querySelectorAll('table.list tbody tr')];
if (rows.length === 0) return null;
const cell = rows[0].cells[1];
const lh = parseFloat(getComputedStyle(cell).lineHeight);
const pad = parseFloat(getComputedStyle(cell).paddingTop) + parseFloat(getComputedStyle(cell).paddingBottom);
const tallest = Math.max(...rows.map(r => r.getBoundingClientRect().height));
const inView = rows.filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length;
const wrap = rows[0].closest('.table-wrap');
const cells = [...rows[0].cells].map(c => [c.className, Math.round(c.getBoundingClientRect().height), [...c.children].map(x => x.tagName + '.' + x.className + ':' + Math.round(x.getBoundingClientRect().height))]);
const head = document.querySelector('table.list thead th');
wrap.scrollTop = wrap.scrollHeight;
const scrolled = wrap.scrollTop;
const headTop = head.getBoundingClientRect().top, boxTop = wrap.getBoundingClientRect().top;
wrap.scrollTop = 0;
// The list scrolled in its box, and its header row stayed at the box's top.
return {cells, rows: rows.length, header_stays: scrolled > 0 && Math.abs(headTop - boxTop) < 2, tallest, two_lines: 2 * lh + pad, in_view: inView,
        scroll_width: wrap.scrollWidth, box_width: wrap.clientWidth, viewport: window.innerHeight};
"#;

#[tokio::test]
async fn lists_show_one_line_per_row_on_an_office_laptop() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let admin = t.actor("admin").await;
    // Long company names, several tags, regions and contacts, as a real archive has.
    let names = [
        "东莞德信服饰股份有限公司",
        "上海寰宇国际货运代理有限公司",
        "广州白云山医药集团股份有限公司华南物流配送中心",
        "深圳市顺捷供应链管理有限公司",
        "成都蜀道冷链物流有限公司",
        "杭州网盛电子商务有限公司",
    ];
    for i in 0..30 {
        let input = consign_app::customers::NewCustomer {
            customer: consign_app::customers::CustomerInput {
                name: Some(format!("{}{}", names[i % names.len()], i)),
                kind: Some("enterprise".into()),
                province: Some("广东".into()),
                city: Some("东莞".into()),
                industry: Some("textiles".into()),
                tags: Some(vec![
                    "月结".into(),
                    "重点客户".into(),
                    "双11".into(),
                    "冷链".into(),
                ]),
                confirm_duplicates: true,
                ..Default::default()
            },
            contacts: vec![consign_app::customers::ContactInput {
                name: Some("欧阳建国".into()),
                phone: Some(format!("138{:08}", 10_000_000 + i)),
                ..Default::default()
            }],
        };
        let c = consign_app::customers::create(&t.app, &admin, &input)
            .await
            .expect("create");
        t.complaint(
            c.customer.id.get(),
            "货物外包装破损，收货人拒收，要求重新发货并赔偿运费和包装费",
        )
        .await;
        let shipment = consign_app::shipments::ShipmentInput {
            waybill_no: format!("SF14056603{i:04}"),
            customer_id: Some(c.customer.id.get().to_string()),
            service_mode: Some("cold_chain".into()),
            origin_city: Some("东莞".into()),
            destination_city: Some("乌鲁木齐".into()),
            revenue_fen: Some(consign_domain::ops::Fen(1_234_567 + i as i64)),
            ordered_at: Some(chrono::Utc::now() - chrono::Duration::hours(i as i64)),
            exceptions: if i % 7 == 0 {
                vec!["damaged".into(), "short".into()]
            } else {
                vec![]
            },
            ..Default::default()
        };
        consign_app::shipments::upsert(&t.app, &admin, &[shipment])
            .await
            .expect("shipment");
        if i < 5 {
            let task = consign_app::followups::TaskInput {
                title: "确认明年合同续签条款、月结账期和冷链线路报价，并约定下次拜访时间".into(),
                due_on: chrono::Utc::now().date_naive().to_string(),
                assignee_id: String::new(),
            };
            consign_app::followups::add(&t.app, &admin, c.customer.id, &task)
                .await
                .expect("task");
        }
    }
    // Import runs with the long file names carriers' exports have.
    for (i, carrier) in [
        "德邦快递",
        "顺丰速运",
        "京东物流",
        "中通快运",
        "跨越速运",
        "安能物流",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("2026年11月{carrier}华东区客户运单明细（含签收与异常）第{i}批.csv");
        let path = t.dir.path().join(&name);
        let rows: String = (0..=i * 40)
            .map(|n| format!("DB2026{i}{n:05},2026-11-02 10:00,DB{i},{carrier}华东大客户,120.50\n"))
            .collect();
        std::fs::write(
            &path,
            format!("运单号,寄件时间,客户编码,客户名称,应付金额(元)\n{rows}"),
        )
        .expect("write");
        let opts = consign_app::imports::ImportOptions {
            kind: Some(consign_app::imports::ImportKind::Shipments),
            unknown_customers: Some(consign_app::imports::UnknownCustomers::Create),
            file_name: name,
            ..Default::default()
        };
        consign_app::imports::import_file(
            &t.app,
            &admin,
            &path,
            opts,
            std::sync::Arc::new(consign_app::imports::ImportProgress::default()),
        )
        .await
        .expect("import");
    }
    d.goto(&t.url("/login")).await;
    d.wait_for_text("用户名").await;
    d.type_into("input[name=username]", "admin").await;
    d.type_into("input[name=password]", PASSWORD).await;
    d.click("button[type=submit]").await;
    d.wait_for_text("客户档案").await;
    let lists = [
        ("customers", "客户档案", "Customer archive"),
        ("tickets", "服务工单", "Service tickets"),
    ];
    for lang in ["zh", "en"] {
        d.goto(&t.url(&format!("/lang/{lang}?next=/customers")))
            .await;
        // On a phone the lists scroll sideways in their box; the page itself does not.
        d.window(390, 844).await;
        for list in ["customers", "tickets"] {
            d.goto(&t.url(&format!("/{list}"))).await;
            d.screenshot(&format!("{list}-phone-{lang}.png")).await;
            let fits = d
                .script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
                .await;
            assert_eq!(
                fits,
                json!(true),
                "/{list} on a phone scrolls the page sideways ({lang})"
            );
        }
        for (w, h, min_rows) in [(1366, 768, 15), (1920, 1080, 20)] {
            d.window(w, h).await;
            for (list, zh, en) in lists {
                d.goto(&t.url(&format!("/{list}"))).await;
                d.wait_for_text(if lang == "zh" { zh } else { en }).await;
                d.screenshot(&format!("{list}-{w}x{h}-{lang}.png")).await;
                if w == 1366 {
                    if let Some(v) = d.accessibility_violations().await {
                        assert_eq!(v, json!([]), "accessibility of /{list} in {lang}");
                    }
                }
                let m = d.script(MEASURE_LIST).await;
                let at = format!("{list} {lang} {w}×{h}: {m}");
                let num = |k: &str| m[k].as_f64().unwrap_or_else(|| panic!("{k} at {at}"));
                // Thirty customers with a ticket each; the six imports created a prospect each.
                let rows = if list == "customers" { 36.0 } else { 30.0 };
                assert_eq!(num("rows"), rows, "{at}");
                assert!(
                    num("tallest") <= num("two_lines"),
                    "a row is taller than two lines at {at}"
                );
                assert!(
                    num("in_view") >= min_rows as f64,
                    "fewer than {min_rows} rows in view at {at}"
                );
                assert_eq!(
                    m["header_stays"],
                    json!(true),
                    "the header scrolls away at {at}"
                );
                assert!(
                    num("scroll_width") <= num("box_width"),
                    "the table scrolls sideways at {at}"
                );
            }
            // The column chooser and the saved views open over the list.
            d.goto(&t.url("/customers")).await;
            d.click(".columns-menu summary").await;
            d.screenshot(&format!("customers-columns-{w}x{h}-{lang}.png"))
                .await;
            let open = d
                .script("return document.querySelector('.columns-menu').open")
                .await;
            assert_eq!(open, json!(true), "the column chooser opens");
            if (w, lang) == (1366, "zh") {
                choose_and_save_survive_a_reload(&d, &t).await;
            }
            // The other lists, with the rows they have: one line each, no sideways scroll.
            for page in [
                "shipments",
                "tasks",
                "admin/audit",
                "admin/users",
                "imports",
            ] {
                d.goto(&t.url(&format!("/{page}"))).await;
                d.screenshot(&format!("{}-{w}x{h}-{lang}.png", page.replace('/', "-")))
                    .await;
                if w == 1366 {
                    if let Some(v) = d.accessibility_violations().await {
                        assert_eq!(v, json!([]), "accessibility of /{page} in {lang}");
                    }
                }
                let m = d.script(MEASURE_LIST).await;
                let at = format!("{page} {lang} {w}×{h}: {m}");
                let num = |k: &str| m[k].as_f64().unwrap_or_else(|| panic!("{k} at {at}"));
                assert!(num("rows") >= 5.0, "{at}");
                assert!(
                    num("tallest") <= num("two_lines"),
                    "a row is taller than two lines at {at}"
                );
                assert!(
                    num("scroll_width") <= num("box_width"),
                    "the table scrolls sideways at {at}"
                );
            }
        }
    }
}

/// The mapping screen in Chromium (issue 19): a file whose customer column no synonym
/// names is uploaded for checking; the user picks the column's field and a product's
/// mode, saves the profile and imports; the next file with the same headers imports at
/// once with it. Screenshots at 1366×768 and 1920×1080 in both languages.
#[tokio::test]
async fn the_mapping_screen_maps_a_column_and_a_value_then_a_second_file_uses_the_profile() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let dir = tempfile::tempdir().expect("tmp");
    let file = |name: &str, rows: &[(&str, &str)]| {
        let mut s = String::from(
            "货主台账导出,,,,,,\n运单号码,下单日期,货主,客户名称,产品,线路,应收费用\n",
        );
        for (waybill, product) in rows {
            s.push_str(&format!(
                "{waybill},2026-11-02,KH9001,苏州新禾贸易有限公司,{product},苏州-成都,120.50\n"
            ));
        }
        let p = dir.path().join(name);
        std::fs::write(&p, s).expect("write");
        p.to_string_lossy().into_owned()
    };
    let first = file(
        "货主台账11月.csv",
        &[("BM0001", "精品特供"), ("BM0002", "精准卡航")],
    );
    let second = file("货主台账12月.csv", &[("BM0101", "精品特供")]);

    d.goto(&t.url("/login")).await;
    d.wait_for_text("用户名").await;
    d.type_into("input[name=username]", "wangjl").await;
    d.type_into("input[name=password]", PASSWORD).await;
    d.click("button[type=submit]").await;
    d.wait_for_text("客户档案").await;
    d.window(1366, 768).await;

    // Upload for checking.
    d.goto(&t.url("/imports")).await;
    d.type_into("input[name=file]", &first).await;
    d.click("input[name=unknown_customers]").await;
    d.click("button[name=then][value=check]").await;
    d.wait_for_text("检查导入文件").await;
    let page = d.wait_for_text("缺少必需的字段").await;
    assert!(
        page.contains("KH9001"),
        "the first values are on the screen"
    );
    d.screenshot("import-check-unmapped-1366x768-zh.png").await;
    if let Some(v) = d.accessibility_violations().await {
        assert_eq!(v, json!([]), "accessibility of the mapping screen");
    }
    // The column: 货主 holds the customer code.
    d.click("select[name='col.2'] option[value=customer_code]")
        .await;
    d.click("button[name=action][value=check]").await;
    d.wait_for_text("无法识别的取值").await;
    // The value: 精品特供 is LTL. Save as a profile.
    d.click("select[name='vv.0'] option[value=ltl]").await;
    d.type_into("input[name=profile_name]", "货主台账").await;
    let check_url = d.current_url().await;
    for lang in ["zh", "en"] {
        let next = check_url.trim_start_matches(&t.url(""));
        d.goto(&t.url(&format!("/lang/{lang}?next={next}"))).await;
        for (w, h) in [(1366, 768), (1920, 1080)] {
            d.window(w, h).await;
            d.goto(&check_url).await;
            d.wait_for_text(if lang == "zh" { "试运行" } else { "Dry run" })
                .await;
            d.screenshot(&format!("import-check-{w}x{h}-{lang}.png"))
                .await;
            let fits = d
                .script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
                .await;
            assert_eq!(
                fits,
                json!(true),
                "the mapping screen scrolls sideways ({lang} {w}×{h})"
            );
        }
        d.window(390, 844).await;
        d.goto(&check_url).await;
        d.screenshot(&format!("import-check-phone-{lang}.png"))
            .await;
    }
    d.goto(&t.url(&format!(
        "/lang/zh?next={}",
        check_url.trim_start_matches(&t.url(""))
    )))
    .await;
    d.window(1366, 768).await;
    d.wait_for_text("无法识别的取值").await;
    d.click("select[name='vv.0'] option[value=ltl]").await;
    d.type_into("input[name=profile_name]", "货主台账").await;
    d.click("button[name=action][value=import]").await;
    d.wait_for_text("导入结果").await;
    let api = t.api("admin").await;
    let imported = imported_shipment(&api, "BM0001").await;
    assert_eq!(imported["items"][0]["service_mode"], "ltl", "{imported}");
    assert_eq!(imported["items"][0]["product"], "精品特供", "{imported}");
    assert_eq!(
        imported["items"][0]["destination_city"], "成都",
        "{imported}"
    );

    // The next file, imported at once: its headers are the profile's.
    d.goto(&t.url("/imports")).await;
    d.click("details.action-panel summary").await;
    d.type_into("input[name=file]", &second).await;
    d.click("button[name=then][value=import]").await;
    d.wait_for_text("导入结果").await;
    let imported = imported_shipment(&api, "BM0101").await;
    assert_eq!(imported["items"][0]["service_mode"], "ltl", "{imported}");
    assert_eq!(
        imported["items"][0]["customer"]["code"], "KH9001",
        "{imported}"
    );
}

/// The shipment list's answer for one waybill once the background import has written it.
async fn imported_shipment(api: &Api, waybill: &str) -> Value {
    for _ in 0..50 {
        let (_, list) = api.get(&format!("/api/v1/shipments?q={waybill}")).await;
        if list["total"] == 1 {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{waybill} was not imported");
}

/// The column chooser hides a column for good, and a saved view keeps its filter: both
/// are read back after a reload (they are stored for the user, not in the browser).
async fn choose_and_save_survive_a_reload(d: &Driver, t: &TestApp) {
    let headers =
        "return [...document.querySelectorAll('table.list thead th')].map(th => th.className)";
    let before = d.script(headers).await;
    assert!(before.to_string().contains("c-industry"), "{before}");
    // The chooser is open: untick 行业 and apply.
    d.click("input[name=col][value=industry]").await;
    d.click("button[type=submit][form=columns-form]:not([name=up])")
        .await;
    d.wait_for_text("客户档案").await;
    d.goto(&t.url("/customers")).await;
    let after = d.script(headers).await;
    assert!(
        !after.to_string().contains("c-industry") && after.to_string().contains("c-name"),
        "the hidden column stays hidden after a reload: {after}"
    );
    // A column dragged to the front of the chooser's list comes first in the table (the
    // drag as the browser sends it: dragstart, dragover on the first line, dragend).
    d.click(".columns-menu summary").await;
    let moved = d
        .script(
            "const lis = [...document.querySelectorAll('.column-list li')]\
               .filter(li => li.querySelector('input').checked);\
             const from = lis[lis.length - 1], to = lis[0];\
             const dt = new DataTransfer();\
             from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));\
             const r = to.getBoundingClientRect();\
             to.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt, clientY: r.top + 1}));\
             from.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));\
             return [from.querySelector('input').value, to.querySelector('input').value];",
        )
        .await;
    let (from, to) = (
        format!("c-{}", moved[0].as_str().expect("moved")),
        format!("c-{}", moved[1].as_str().expect("first")),
    );
    d.click("button[type=submit][form=columns-form]:not([name=up])")
        .await;
    d.wait_for_text("客户档案").await;
    d.goto(&t.url("/customers")).await;
    let order: Vec<String> = d
        .script(headers)
        .await
        .as_array()
        .expect("headers")
        .iter()
        .map(|c| c.as_str().unwrap_or("").to_string())
        .collect();
    let at = |c: &str| order.iter().position(|x| x.split(' ').any(|k| k == c));
    assert!(
        matches!((at(&from), at(&to)), (Some(a), Some(b)) if a < b),
        "{from} was dragged before {to}: {order:?}"
    );
    // A view of the customers in 广东, saved from the filtered list.
    d.goto(&t.url("/customers?province=%E5%B9%BF%E4%B8%9C"))
        .await;
    d.click(".views-menu summary").await;
    d.type_into("input[name=name][form=view-save]", "我的广东客户")
        .await;
    d.click("button[type=submit][form=view-save]").await;
    d.wait_for_text("我的广东客户").await;
    d.goto(&t.url("/customers")).await;
    d.click(".views-menu summary").await;
    d.click(".view-list a").await;
    let page = d.wait_for_text("我的广东客户").await;
    let url = d.current_url().await;
    assert!(url.contains("view="), "the view opens by its link: {url}");
    assert!(
        page.contains("广东") && page.contains("chip"),
        "the view's filter is applied and shown as a chip"
    );
    let after = d.script(headers).await;
    assert!(
        !after.to_string().contains("c-industry"),
        "the view keeps the columns it was saved with: {after}"
    );
}

/// The offline API page renders every operation of the document (a body that is a file,
/// not JSON, once stopped it halfway).
#[tokio::test]
async fn the_api_page_shows_every_operation() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let (_, spec) = t.anonymous().get("/api/openapi.json").await;
    let operations: usize = spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|ops| ops.as_object().map_or(0, |o| o.len()))
        .sum();
    d.goto(&t.url("/api/docs")).await;
    d.wait_for_text("/api/v1/shipments").await;
    let shown = d
        .script("return document.querySelectorAll('details.op').length")
        .await;
    assert_eq!(shown, json!(operations), "every operation is listed");
    let imports = d
        .script("return [...document.querySelectorAll('details.op')].some(e => e.textContent.includes('text/csv'))")
        .await;
    assert_eq!(
        imports,
        json!(true),
        "a file body is shown with its media type"
    );
}

/// A customer answers a survey through its link on a phone: no sign-in, the choices big
/// enough to tap, no sideways scroll, no serious accessibility violation; the customer's
/// CSAT then reads the answer, and the link takes no second answer.
#[tokio::test]
async fn a_survey_is_answered_on_a_phone_and_the_customers_csat_changes() {
    let Some(d) = Driver::start().await else {
        return;
    };
    let t = spawn(false).await;
    let id = t
        .customer(
            "杭州顺达电子商务有限公司",
            Some("lixy"),
            Some("13700001111"),
        )
        .await;
    let api = t.api("lixy").await;
    let (_, s) = api
        .post(&format!("/api/v1/customers/{id}/surveys"), json!({}))
        .await;
    let link = s["link"].as_str().expect("link").to_string();
    let path = link.split_once("/s/").map(|(_, p)| p).expect("path");
    let kpis = format!("/api/v1/customers/{id}/kpis");
    assert_eq!(api.get(&kpis).await.1["csat"], Value::Null);

    d.window(390, 844).await;
    d.goto(&format!("{}/s/{path}", t.base)).await;
    d.wait_for_text("总体而言，您对这次服务满意吗？").await;
    let wide = d
        .script("return document.documentElement.scrollWidth > window.innerWidth")
        .await;
    assert_eq!(wide, json!(false), "the survey scrolls sideways on a phone");
    // Every choice is a finger's size.
    let small = d
        .script(
            "return [...document.querySelectorAll('.pick span')]
               .filter(s => s.getBoundingClientRect().height < 40).length",
        )
        .await;
    assert_eq!(small, json!(0), "choices under 40 px high");
    if let Some(v) = d.accessibility_violations().await {
        assert_eq!(v, json!([]), "accessibility violations on the survey page");
    }
    d.click("input[name=csat][value='4']").await;
    d.click("input[name=nps][value='9']").await;
    d.type_into("textarea[name=comment]", "司机很准时，货物完好。")
        .await;
    d.screenshot("survey-answer-phone.png").await;
    d.click("button[type=submit]").await;
    d.wait_for_text("感谢您的反馈").await;

    let (_, k) = api.get(&kpis).await;
    assert_eq!(k["csat"], json!(4.0), "{k}");
    assert_eq!(k["nps"], json!(100.0), "{k}");
    // The link takes no second answer.
    d.goto(&format!("{}/s/{path}", t.base)).await;
    d.wait_for_text("此问卷已回答").await;
}
