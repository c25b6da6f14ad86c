//! Credit assessments and financial statements (issue 21) on SQLite and PostgreSQL: a 5C
//! assessment's score, rating (which becomes the account's) and suggested limit from the
//! last twelve months' revenue; factors out of range refused by name; statements give
//! the seed's ratios as computed by hand, undefined where a denominator is zero, with
//! the previous period's closing figures as the next one's opening; only credit staff
//! enter them; the customer's credit page shows them.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ratio(period: &Value, key: &str) -> (Value, Value) {
    let r = period["ratios"]
        .as_array()
        .expect("ratios")
        .iter()
        .find(|r| r["key"] == key)
        .expect("ratio")
        .clone();
    (r["value"].clone(), r["flag"].clone())
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-4)
}

#[tokio::test]
async fn assessments_score_rate_and_suggest_a_limit() {
    each_db(|t| async move {
        let c = t.customer("嘉兴华宇包装材料有限公司", Some("lixy"), Some("13844445555")).await;
        let admin = t.api("admin").await;
        // ¥240,000 of revenue over the last months: ¥20,000 a month.
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"waybill_no": "AS0000001", "customer_id": c.to_string(),
                "revenue_fen": 24_000_000, "ordered_at": chrono::Utc::now().to_rfc3339()}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        admin.put_json(&format!("/api/v1/customers/{c}/credit"), json!({"monthly_settlement": true, "limit_fen": 1_000_000})).await;
        let lixy = t.api("lixy").await;
        let (s, _) = lixy
            .post(&format!("/api/v1/customers/{c}/credit/assessments"), json!({"scores": [5, 5, 5, 5, 5]}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "account managers do not assess");
        let zhoum = t.api("zhoum").await;
        let (s, body) = zhoum
            .post(&format!("/api/v1/customers/{c}/credit/assessments"), json!({"scores": [4, 0, 3, 6]}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<&str> = body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["scores.capacity", "scores.collateral", "scores.conditions"], "{body}");
        // (4×30 + 4×25 + 3×20 + 2×10 + 4×15) / 100 = 3.6 → 65 → B;
        // ¥20,000 × 2 months × 65 % = ¥26,000.
        let (s, a) = zhoum
            .post(&format!("/api/v1/customers/{c}/credit/assessments"),
                json!({"method": "five_c", "scores": [4, 4, 3, 2, 4], "notes": "担保不足，经营稳定"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!((a["score"].as_f64(), a["rating"].as_str()), (Some(65.0), Some("B")), "{a}");
        assert_eq!(a["suggested_limit_fen"], 2_600_000, "{a}");
        assert_eq!(a["revenue_12m_fen"], 24_000_000, "{a}");
        assert_eq!(a["factors"][0], json!(["character", 4]), "{a}");
        assert_eq!(a["assessed_by"], "周敏");
        let k = lixy.get(&format!("/api/v1/customers/{c}/credit")).await.1;
        assert_eq!(k["rating"], "B", "the account takes the rating: {k}");
        // 6A weighs its six factors equally.
        let (_, a) = zhoum
            .post(&format!("/api/v1/customers/{c}/credit/assessments"), json!({"method": "six_a", "scores": [3, 3, 3, 3, 3, 3]}))
            .await;
        assert_eq!((a["score"].as_f64(), a["rating"].as_str()), (Some(50.0), Some("C")), "{a}");
        let (_, list) = lixy.get(&format!("/api/v1/customers/{c}/credit/assessments")).await;
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        assert_eq!(list[0]["method"], "six_a", "latest first: {list}");
        let (s, body) = zhoum
            .post(&format!("/api/v1/customers/{c}/credit/assessments"), json!({"method": "seven_x", "scores": []}))
            .await;
        assert_eq!((s, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("method")), "{body}");
    })
    .await;
}

#[tokio::test]
async fn statements_give_the_seeds_ratios() {
    each_db(|t| async move {
        let c = t.customer("太仓港隆物流有限公司", Some("lixy"), Some("13855556666")).await;
        let zhoum = t.api("zhoum").await;
        let y = |v: i64| v * 100;
        let year = |period: &str, ar: i64, open_ar: Option<i64>| {
            let mut items = json!({
                "cash_fen": y(300_000), "cash_equivalents_fen": y(100_000), "receivables_fen": y(ar),
                "inventory_fen": y(400_000), "current_assets_fen": y(1_800_000), "total_assets_fen": y(5_000_000),
                "current_liabilities_fen": y(1_200_000), "total_liabilities_fen": y(2_750_000),
                "sales_fen": y(9_000_000), "credit_sales_fen": y(7_700_000), "cost_of_sales_fen": y(6_300_000),
                "costs_and_expenses_fen": y(8_400_000), "profit_fen": y(420_000),
                "opening_inventory_fen": y(500_000), "opening_total_assets_fen": y(4_600_000)});
            if let Some(o) = open_ar {
                items["opening_receivables_fen"] = json!(y(o));
            }
            json!({"period": period, "items": items})
        };
        let (s, _) = t.api("lixy").await.post(&format!("/api/v1/customers/{c}/financials"), year("2025", 900_000, Some(1_300_000))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "account managers do not enter statements");
        let (s, body) = zhoum.post(&format!("/api/v1/customers/{c}/financials"), year("2025年度", 900_000, None)).await;
        assert_eq!((s, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("period")), "{body}");
        let (s, all) = zhoum.post(&format!("/api/v1/customers/{c}/financials"), year("2025", 900_000, Some(1_300_000))).await;
        assert_eq!(s, StatusCode::CREATED, "{all}");
        let p = &all[0];
        assert!(close(&ratio(p, "debt_ratio").0, 0.55) && ratio(p, "debt_ratio").1 == "good", "{p}");
        assert!(close(&ratio(p, "current_ratio").0, 1.5) && ratio(p, "current_ratio").1 == "watch", "{p}");
        assert!(close(&ratio(p, "quick_ratio").0, 1_400_000.0 / 1_200_000.0), "{p}");
        assert!(close(&ratio(p, "cash_ratio").0, 400_000.0 / 1_800_000.0), "cash over current assets, as the seed has it: {p}");
        assert!(close(&ratio(p, "ar_turnover").0, 7.0), "{p}");
        assert!(close(&ratio(p, "inventory_turnover").0, 14.0), "{p}");
        assert!(close(&ratio(p, "return_on_assets").0, 420_000.0 / 4_800_000.0), "{p}");
        assert!(close(&ratio(p, "profit_margin").0, 420_000.0 / 9_000_000.0), "{p}");
        assert!(close(&ratio(p, "cost_profit_ratio").0, 0.05), "{p}");
        assert!(close(&ratio(p, "liquidity_ratio").0, 400_000.0 / 1_200_000.0), "{p}");
        // The next year without opening receivables: 2025's closing ones; and a company
        // with no current liabilities and no sales: those ratios are undefined.
        let mut next = year("2026-H1", 500_000, None);
        next["items"]["current_liabilities_fen"] = json!(0);
        next["items"]["sales_fen"] = json!(0);
        next["items"]["credit_sales_fen"] = json!(null);
        let (s, all) = zhoum.post(&format!("/api/v1/customers/{c}/financials"), next).await;
        assert_eq!(s, StatusCode::CREATED, "{all}");
        let (_, r) = zhoum.get(&format!("/api/v1/customers/{c}/financials/ratios")).await;
        assert_eq!(r.as_array().map(Vec::len), Some(2), "{r}");
        let h1 = &r[1];
        assert_eq!(h1["period"], "2026-H1");
        for k in ["current_ratio", "quick_ratio", "liquidity_ratio", "profit_margin"] {
            assert_eq!(ratio(h1, k), (Value::Null, json!("undefined")), "{k}: {h1}");
        }
        // 0 sales over an average receivable of (900,000 + 500,000) / 2: 0, defined.
        assert!(close(&ratio(h1, "ar_turnover").0, 0.0), "{h1}");
        // Negative amounts are refused by field.
        let mut bad = year("2024", 900_000, None);
        bad["items"]["cash_fen"] = json!(-1);
        let (s, body) = zhoum.post(&format!("/api/v1/customers/{c}/financials"), bad).await;
        assert_eq!((s, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cash_fen")), "{body}");
        // The credit page shows the ratios and the assessment form to credit staff.
        let b = t.browser("zhoum").await;
        let (s, page) = b.get(&format!("/customers/{c}/credit")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("速动比率") && page.contains("无法计算") && page.contains("2026-H1"), "{page}");
        assert!(page.contains("name=\"score_character\""), "the 5C form");
        let (_, page) = t.browser("lixy").await.get(&format!("/customers/{c}/credit")).await;
        assert!(!page.contains("name=\"score_character\"") && page.contains("申请调整信用条件"), "account managers ask instead");
    })
    .await;
}

async fn post_file(api: &Api, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let r = api
        .req(reqwest::Method::POST, path)
        .header("Content-Type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("send");
    json(r).await
}

#[tokio::test]
async fn statements_are_imported_from_the_files_finance_departments_send() {
    each_db(|t| async move {
        let c = t
            .customer("昆山润华包装有限公司", Some("lixy"), Some("13866667777"))
            .await;
        let zhoum = t.api("zhoum").await;
        // A GBK CSV as 用友/金蝶 exports it: title rows, the unit in 万元, the balance
        // sheet's two halves side by side, then the income statement.
        let text =
            "资产负债表,,,,,\r\n编制单位：昆山润华包装有限公司,2025年12月31日,,,单位：万元,\r\n\
            资产,期末余额,年初余额,负债和所有者权益,期末余额,年初余额\r\n\
            货币资金,30,25,短期借款,40,30\r\n应收账款,90,130,应付账款,50,45\r\n\
            存货,40,50,流动负债合计,120,100\r\n流动资产合计,180,200,负债合计,275,260\r\n\
            资产总计,500,460,所有者权益合计,225,200\r\n,,,,,\r\n利润表,,,,,\r\n\
            项目,本期金额,上期金额,,,\r\n一、营业收入,900,800,,,\r\n减：营业成本,630,560,,,\r\n\
            税金及附加,10,9,,,\r\n销售费用,80,70,,,\r\n管理费用,100,95,,,\r\n财务费用,20,18,,,\r\n\
            三、利润总额,42,35,,,\r\n四、净利润,31.5,26,,,\r\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let path = format!("/api/v1/customers/{c}/financials/import?period=2025");
        let (s, _) = post_file(&t.api("lixy").await, &path, gbk.to_vec()).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "account managers do not import statements"
        );
        let (s, r) = post_file(&zhoum, &path, gbk.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["file"]["unit"], 10_000, "{r}");
        assert_eq!(r["file"]["missing"], json!([]), "{r}");
        let items = &r["statements"][0]["items"];
        assert_eq!(items["total_assets_fen"], 500 * 10_000 * 100_i64, "{items}");
        assert_eq!(
            items["opening_receivables_fen"],
            130 * 10_000 * 100_i64,
            "{items}"
        );
        assert_eq!(
            items["costs_and_expenses_fen"],
            840 * 10_000 * 100_i64,
            "{items}"
        );
        assert!(
            close(&ratio(&r["statements"][0], "ar_turnover").0, 900.0 / 110.0),
            "{r}"
        );
        // An XLSX with a cell that is not an amount: refused, named by its cell, nothing
        // stored.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (i, row) in [
            ["利润表", "", ""],
            ["项目", "本期金额", "上期金额"],
            ["营业收入", "1,200.00", "1,000"],
            ["营业成本", "九百", "800"],
        ]
        .iter()
        .enumerate()
        {
            for (j, cell) in row.iter().enumerate() {
                sheet.write_string(i as u32, j as u16, *cell).expect("cell");
            }
        }
        let bytes = book.save_to_buffer().expect("xlsx");
        let path = format!("/api/v1/customers/{c}/financials/import?period=2026-H1");
        let (s, body) = post_file(&zhoum, &path, bytes).await;
        assert_eq!(
            (s, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("B4")),
            "{body}"
        );
        let (_, all) = zhoum
            .get(&format!("/api/v1/customers/{c}/financials"))
            .await;
        assert_eq!(
            all.as_array().map(Vec::len),
            Some(1),
            "nothing of the bad file was stored: {all}"
        );
        let (s, body) = post_file(
            &zhoum,
            &format!("/api/v1/customers/{c}/financials/import?period=someday"),
            gbk.to_vec(),
        )
        .await;
        assert_eq!(
            (s, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("period")),
            "{body}"
        );
    })
    .await;
}
