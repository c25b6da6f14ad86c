//! The mapping screen (issue 19): a file whose customer column has a header no synonym
//! knows, a product name no table knows and a status word no rule knows is uploaded for
//! checking; the screen shows the columns with their fields and the dry run, nothing is
//! written; the user maps the column and the values, saves the profile and imports; the
//! next file with the same headers is read with the profile without being asked. And a
//! product name nobody mapped keeps its revenue: mode "other", the name kept, one note.

mod common;
use common::*;
use reqwest::StatusCode;

/// A 货主 ledger export: a title row, the header, rows, a 合计 row.
fn ledger(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut s = String::from(
        "货主台账导出,,,,,,\n运单号码,下单日期,货主,客户名称,产品,线路,应收费用,状态\n",
    );
    let mut total = 0i64;
    for (waybill, product, revenue, status) in rows {
        s.push_str(&format!(
            "{waybill},2026-11-02,KH9001,苏州新禾贸易有限公司,{product},苏州-成都,{revenue},{status}\n"
        ));
        total += (revenue.parse::<f64>().expect("money") * 100.0).round() as i64;
    }
    s.push_str(&format!("合计,,,,,,{}.{:02},\n", total / 100, total % 100));
    s.into_bytes()
}

async fn upload(
    b: &Browser,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
    then: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("kind", "shipments")
        .text("encoding", "")
        .text("unknown_customers", "create")
        .text("then", then.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    b.client
        .post(format!("{}/imports", b.base()))
        .multipart(form)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn the_mapping_screen_maps_a_column_and_values_and_the_next_file_is_recognised() {
    each_db(|t| async move {
        let b = t.browser("wangjl").await;
        let (_, page) = b.get("/imports").await;
        assert!(
            page.contains("检查并映射"),
            "the upload offers a check first"
        );
        let csrf = csrf_of(&page);
        let first = ledger(&[
            ("MP0001", "精品特供", "120.50", "运输中"),
            ("MP0002", "精品特供", "80.00", "滞留"),
            ("MP0003", "精准卡航", "300.25", "运输中"),
        ]);
        let r = upload(&b, &csrf, "货主台账11月.csv", first, "check").await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let check = location(&r);
        assert!(check.starts_with("/imports/check/"), "{check}");

        let (s, html) = b.get(&check).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        // The columns with their fields: 运单号码 by stem, 线路 as the route; 货主 unknown.
        assert!(html.contains("表头在第 2 行"), "{html}");
        assert!(
            html.contains("<option value=\"waybill_no\" selected>"),
            "{html}"
        );
        assert!(html.contains("<option value=\"route\" selected>"), "{html}");
        assert!(
            html.contains("缺少必需的字段"),
            "customer_code has no column: {html}"
        );
        assert!(html.contains("KH9001"), "the first values are shown");
        assert!(
            html.contains("name=\"action\" value=\"import\" disabled"),
            "nothing to import before the customer column is chosen"
        );
        // Nothing was written by looking.
        let api = t.api("admin").await;
        let (_, list) = api.get("/api/v1/shipments?q=MP0001").await;
        assert_eq!(list["total"], 0, "{list}");

        // Another user cannot open it.
        let other = t.browser("huangm").await;
        let (s, _) = other.get(&check).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Map 货主 (the third column) to the customer code; check again.
        let r = b
            .post(
                &check,
                &check,
                &[
                    ("col.2", "customer_code"),
                    ("create_prospects", "1"),
                    ("action", "check"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = b.get(&check).await;
        assert!(!html.contains("缺少必需的字段"), "{html}");
        assert!(
            html.contains("精品特供") && html.contains("滞留"),
            "the unknown values: {html}"
        );
        assert!(html.contains("无法识别的取值"), "{html}");
        assert!(html.contains("合计"), "the file's total is checked: {html}");

        // Map the values, save as a profile, import.
        let mut fields: Vec<(String, String)> = vec![("col.2".into(), "customer_code".into())];
        for (k, (field, text, to)) in [
            ("service_mode", "精品特供", "ltl"),
            ("status", "滞留", "in_transit"),
        ]
        .iter()
        .enumerate()
        {
            // The screen numbers the values as the dry run lists them: products, then statuses.
            fields.push((format!("vf.{k}"), field.to_string()));
            fields.push((format!("vt.{k}"), text.to_string()));
            fields.push((format!("vv.{k}"), to.to_string()));
        }
        fields.push(("create_prospects".into(), "1".into()));
        fields.push(("profile_name".into(), "货主台账".into()));
        fields.push(("action".into(), "import".into()));
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let r = b.post(&check, &check, &refs).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let run = location(&r);
        assert!(
            run.starts_with("/imports/") && !run.contains("check"),
            "{run}"
        );
        let html = until_done(&b, &run).await;
        assert!(
            html.contains("与导入的行一致"),
            "the total checks out: {html}"
        );

        let (_, list) = api.get("/api/v1/shipments?q=MP0001").await;
        assert_eq!(list["items"][0]["service_mode"], "ltl", "{list}");
        assert_eq!(list["items"][0]["product"], "精品特供", "{list}");
        assert_eq!(list["items"][0]["origin_city"], "苏州", "{list}");
        let (_, list) = api.get("/api/v1/shipments?q=MP0002").await;
        assert_eq!(list["items"][0]["status"], "in_transit", "{list}");
        // The staged file is gone with the import.
        let (s, _) = b.get(&check).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The next month's file, same headers: recognised on the check screen and when
        // imported at once.
        let (_, page) = b.get("/imports").await;
        let csrf = csrf_of(&page);
        let second = ledger(&[("MP0101", "精品特供", "55.00", "滞留")]);
        let r = upload(&b, &csrf, "货主台账12月.csv", second.clone(), "check").await;
        let (_, html) = b.get(&location(&r)).await;
        assert!(html.contains("按导入方案“货主台账”读取"), "{html}");
        assert!(!html.contains("缺少必需的字段"), "{html}");
        assert!(
            !html.contains("无法识别的取值"),
            "the values are mapped: {html}"
        );
        let r = upload(&b, &csrf, "货主台账12月.csv", second, "import").await;
        let html = until_done(&b, &location(&r)).await;
        assert!(!html.contains("badge-red"), "{html}");
        let (_, list) = api.get("/api/v1/shipments?q=MP0101").await;
        assert_eq!(list["items"][0]["service_mode"], "ltl", "{list}");
        assert_eq!(list["items"][0]["status"], "in_transit", "{list}");
    })
    .await;
}

#[tokio::test]
async fn an_unknown_product_keeps_its_revenue_as_other_with_one_note() {
    each_db(|t| async move {
        let b = t.browser("wangjl").await;
        let (_, page) = b.get("/imports").await;
        let csrf = csrf_of(&page);
        // The customer column is named the usual way; the product nobody knows.
        let csv = "运单号,下单时间,客户编号,客户名称,产品名称,应付金额\n\
                   OT0001,2026-11-03 09:00,KH9100,杭州云栖物流,云栖特供A,10.00\n\
                   OT0002,2026-11-03 10:00,KH9100,杭州云栖物流,云栖特供A,20.00\n\
                   OT0003,2026-11-03 11:00,KH9100,杭州云栖物流,精准汽运,30.00\n";
        let r = upload(&b, &csrf, "other.csv", csv.as_bytes().to_vec(), "import").await;
        let run = location(&r);
        let html = until_done(&b, &run).await;
        assert!(
            html.contains("产品名称“云栖特供A”不在产品表中：2 行按“其他”方式导入"),
            "{html}"
        );
        let api = t.api("admin").await;
        let (_, list) = api.get("/api/v1/shipments?q=OT0001").await;
        assert_eq!(list["items"][0]["service_mode"], "other", "{list}");
        assert_eq!(list["items"][0]["product"], "云栖特供A", "{list}");
        assert_eq!(list["items"][0]["revenue_fen"], 1000, "{list}");
        let (_, list) = api.get("/api/v1/shipments?q=OT0003").await;
        assert_eq!(list["items"][0]["service_mode"], "ltl", "{list}");
        // The API's run says the same, in English for an English client.
        let id = run.trim_start_matches("/imports/");
        let (_, v) = api.get(&format!("/api/v1/imports/{id}")).await;
        assert_eq!(v["notes"]["unknown_products"][0]["name"], "云栖特供A", "{v}");
        assert_eq!(v["notes"]["unknown_products"][0]["rows"], 2, "{v}");
        assert_eq!(v["counts"]["rows_bad"], 0, "{v}");
        let en = Browser::new(&t.url(""), Some("en"));
        en.login("wangjl", PASSWORD).await;
        let (_, html) = en.get(&run).await;
        assert!(
            html.contains("Product name “云栖特供A” is not in the product table: 2 rows imported with the mode “other”"),
            "{html}"
        );
    })
    .await;
}
