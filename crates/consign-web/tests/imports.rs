//! Shipment imports (issue 3): what a user sees after importing real files — counts, the
//! bad-row report (row, column, reason in their language), the data and its rollups —
//! on SQLite and on PostgreSQL.

mod common;

use common::{each_db, TestApp};
use consign_app::auth::Actor;
use consign_app::imports::{
    import_file, run_report, ImportOptions, ImportProgress, ImportReport, Profile, UnknownCustomers,
};
use consign_app::tabular::TextEncoding;
use consign_domain::customer::ServiceMode;
use consign_domain::Lang;
use consign_store::shipments;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../consign-app/tests/data/shipments-monthly-statement.gbk.csv"
);

const HEADER: &str = "运单号,寄件时间,客户编码,客户名称,始发城市,目的城市,产品类型,件数,计费重量(kg),应付金额(元),签收时间,签收状态,备注";

async fn run(t: &TestApp, path: &Path, opts: ImportOptions) -> ImportReport {
    import_file(
        &t.app,
        &Actor::system("test"),
        path,
        opts,
        Arc::new(ImportProgress::default()),
    )
    .await
    .expect("import runs")
}

fn create() -> ImportOptions {
    ImportOptions {
        unknown_customers: Some(UnknownCustomers::Create),
        ..Default::default()
    }
}

fn write(t: &TestApp, name: &str, bytes: &[u8]) -> PathBuf {
    let p = t.dir.path().join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

/// The bad-row report as a user downloads it: (row, column, reason) per line.
async fn report(t: &TestApp, run_id: i64, lang: Lang) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    run_report(&t.app, &Actor::system("test"), run_id, lang, &mut out)
        .await
        .expect("report");
    let text = String::from_utf8(out).expect("utf-8");
    let text = text.strip_prefix('\u{feff}').expect("BOM for Excel");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|x| {
            let x = x.expect("row");
            (x[0].to_string(), x[1].to_string(), x[3].to_string())
        })
        .collect()
}

async fn assert_rollups_exact(t: &TestApp) {
    let conn = &t.app.db.conn;
    for monthly in [false, true] {
        let stored = shipments::rollup(conn, monthly).await.expect("rollup");
        let fresh = shipments::aggregate_raw(conn, monthly)
            .await
            .expect("aggregate");
        assert_eq!(
            shipments::company_rollup(conn, monthly)
                .await
                .expect("company"),
            shipments::summed(&stored),
            "the company's rollup is every customer's summed"
        );
        assert_eq!(
            stored,
            fresh,
            "{} rollup equals a fresh aggregate ({})",
            if monthly { "monthly" } else { "daily" },
            t.backend
        );
    }
}

#[tokio::test]
async fn sample_statement_imports_with_a_profile_and_again_changes_nothing() {
    each_db(|t| async move {
        // A profile as a user saves it for this carrier's monthly statement.
        let profile: Profile = toml_profile(
            r#"
            header_row = 2
            encoding = "gbk"
            unknown_customers = "create"
            [columns]
            "客户编码" = "customer_code"
            [values.status]
            "退回" = "returned"
            [values.note]
            "外包装破损" = "damaged"
            "#,
        );
        consign_app::imports::save_profile(
            &t.app,
            &Actor::system("test"),
            "顺丰月结",
            "shipments",
            &profile,
        )
        .await
        .expect("save profile");
        let profile =
            consign_app::imports::load_profile(&t.app, &Actor::system("test"), "顺丰月结")
                .await
                .expect("load")
                .expect("saved");
        let opts = ImportOptions {
            profile,
            ..Default::default()
        };
        let r = run(&t, Path::new(SAMPLE), opts.clone()).await;
        assert_eq!(r.fault, None);
        assert_eq!(r.encoding, Some(TextEncoding::Gbk));
        assert_eq!(
            (r.counts.rows_read, r.counts.rows_new, r.counts.rows_bad),
            (300, 300, 0)
        );
        assert_eq!(
            r.counts.prospects_created, 6,
            "six customer codes in the file"
        );
        assert_eq!(
            r.total_check,
            Some((1_444_205, 1_444_205)),
            "合计 checks out"
        );
        let totals = shipments::totals(&t.app.db.conn).await.expect("totals");
        assert_eq!((totals.shipments, totals.revenue_fen), (300, 1_444_205));

        let days = shipments::rollup(&t.app.db.conn, false)
            .await
            .expect("rollup");
        let sum = |f: fn(&consign_domain::shipment::DayFigures) -> i64| -> i64 {
            days.values().map(f).sum()
        };
        assert_eq!(sum(|d| d.shipments), 300);
        // The import classified the customers afterwards (as of today).
        let classified = consign_app::classification::current_run(&t.app)
            .await
            .expect("run")
            .expect("a classification run after the import");
        assert_eq!(
            (classified.cause.as_str(), classified.customers),
            ("import", 6)
        );
        // The statement is of October 2025, more than twelve months before today: the
        // six customers shipped before, but not lately.
        let (s, page) = t
            .api("admin")
            .await
            .get("/api/v1/customers?lifecycle=past")
            .await;
        assert_eq!(s, reqwest::StatusCode::OK);
        assert_eq!(page["total"], 6, "{page}");
        assert_eq!(sum(|d| d.returned), 4, "签收状态 退回 → returned");
        assert_eq!(sum(|d| d.damaged), 6, "备注 外包装破损 → damaged");
        assert_eq!(
            sum(|d| d.delivered),
            290,
            "every row with a 签收时间 (10 are in transit)"
        );

        let again = run(&t, Path::new(SAMPLE), opts).await;
        assert_eq!(
            (
                again.counts.rows_new,
                again.counts.rows_updated,
                again.counts.rows_unchanged
            ),
            (0, 0, 300),
            "the same file again changes nothing"
        );
        assert_eq!(again.counts.prospects_created, 0);
        assert_rollups_exact(&t).await;

        // An export has the import's columns and values: it imports again unchanged.
        let exported = t.dir.path().join("export.csv");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&exported).expect("create"));
        let n = consign_app::exports::export(
            &t.app,
            &Actor::system("test"),
            &consign_app::exports::Export::Shipments(None),
            consign_app::exports::Format::Csv,
            &mut out,
        )
        .await
        .expect("export");
        std::io::Write::flush(&mut out).expect("flush");
        drop(out);
        assert_eq!(n, 300);
        let text = std::fs::read_to_string(&exported).expect("read");
        assert!(
            text.starts_with("\u{feff}运单号,客户编号,客户名称,产品类型"),
            "{}",
            &text[..80]
        );
        let back = run(&t, &exported, ImportOptions::default()).await;
        assert_eq!(
            (
                back.counts.rows_read,
                back.counts.rows_unchanged,
                back.counts.rows_bad
            ),
            (300, 300, 0),
            "{:?}",
            back.errors
        );
    })
    .await;
}

fn toml_profile(s: &str) -> Profile {
    toml::from_str(s).expect("profile toml")
}

/// The same shipments as UTF-8 CSV (with a BOM, as Excel writes "CSV UTF-8"), as GBK CSV
/// and as XLSX give the same data.
#[tokio::test]
async fn text_that_copy_reads_specially_arrives_unchanged() {
    // PostgreSQL imports through COPY, whose text format gives backslash, tab, line breaks
    // and \N meanings of their own; what the file says must be what is stored.
    each_db(|t| async move {
        let row = "SF2000000011,2025-10-03 09:05:00,C20001,上海恒通供应链管理有限公司,\"上海\\浦东\",杭州,标准快递,2,3.5,12.00,2025-10-04 10:00:00,已签收,\"客户要求\t改派 \\N 第二联\n另见附件\"";
        let path = write(&t, "special.csv", format!("{HEADER}\n{row}\n").as_bytes());
        let r = run(&t, &path, create()).await;
        assert_eq!((r.counts.rows_new, r.counts.rows_bad), (1, 0), "{:?}", r.errors);
        let s = shipments::find_by_waybill(&t.app.db.conn, "SF2000000011")
            .await
            .expect("find")
            .expect("imported");
        assert_eq!(s.shipment.origin_city, "上海\\浦东", "{}", t.backend);
        assert_eq!(
            s.shipment.note, "客户要求\t改派 \\N 第二联\n另见附件",
            "{}",
            t.backend
        );
        let again = run(&t, &path, create()).await;
        assert_eq!(again.counts.rows_unchanged, 1, "stored exactly as read");
        assert_rollups_exact(&t).await;
    })
    .await;
}

#[tokio::test]
async fn gbk_csv_and_xlsx_give_the_same_result() {
    each_db(|t| async move {
        let rows = [
            "SF2000000001,2025-10-03 09:05:00,C20001,上海恒通供应链管理有限公司,上海,杭州,标准快递,2,3.5,\"1,234.50\",2025-10-04 10:00:00,已签收,",
            "SF2000000002,2025/10/5 8:58,C20002,杭州云仓供应链管理有限公司,宁波,广州,冷链,8,3.0,￥28.12,2025/10/6 13:09,已签收,外包装破损",
            "SF2000000003,2025-10-22 20:09:00,C20001,上海恒通供应链管理有限公司,成都,长沙,整车,3,15.0,46.31,,运输中,",
        ];
        let text = format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"));
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let gbk_path = write(&t, "gbk.csv", &gbk);
        let r = run(&t, &gbk_path, create()).await;
        assert_eq!(r.encoding, Some(TextEncoding::Gbk), "detected");
        assert_eq!((r.counts.rows_new, r.counts.rows_bad), (3, 0));
        let first = shipments::find_by_waybill(&t.app.db.conn, "SF2000000001")
            .await
            .expect("find")
            .expect("imported");
        assert_eq!(first.shipment.revenue_fen.get(), 123_450);
        assert_eq!(first.shipment.weight_g, 3_500);
        assert_eq!(
            first.shipment.ordered_at.to_rfc3339(),
            "2025-10-03T01:05:00+00:00",
            "local time in Asia/Shanghai"
        );

        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let utf8 = write(&t, "utf8.csv", &bom);
        let r = run(&t, &utf8, create()).await;
        assert_eq!(r.encoding, Some(TextEncoding::Utf8));
        assert_eq!((r.counts.rows_unchanged, r.counts.rows_bad), (3, 0));

        let xlsx = t.dir.path().join("same.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, line) in std::iter::once(HEADER).chain(rows).enumerate() {
            let mut rd = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            let rec = rd.records().next().expect("row").expect("csv");
            for (c, cell) in rec.iter().enumerate() {
                // Numbers as numbers and the order time as a real date cell, as Excel has them.
                if r > 0 && (c == 7 || c == 8) {
                    sheet
                        .write_number(r as u32, c as u16, cell.parse::<f64>().expect("num"))
                        .expect("cell");
                } else if r > 0 && c == 1 && cell.contains('-') {
                    let d = rust_xlsxwriter::ExcelDateTime::parse_from_str(cell).expect("date");
                    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
                    sheet
                        .write_datetime_with_format(r as u32, c as u16, &d, &fmt)
                        .expect("cell");
                } else {
                    sheet.write_string(r as u32, c as u16, cell).expect("cell");
                }
            }
        }
        book.save(&xlsx).expect("save xlsx");
        let r = run(&t, &xlsx, create()).await;
        assert_eq!(r.fault, None);
        assert_eq!(
            (r.counts.rows_read, r.counts.rows_unchanged, r.counts.rows_bad),
            (3, 3, 0),
            "the XLSX holds the same shipments: {:?}",
            r.errors
        );
        assert_rollups_exact(&t).await;
    })
    .await;
}

#[tokio::test]
async fn every_bad_row_is_reported_and_every_good_row_kept() {
    each_db(|t| async move {
        t.customer("上海恒通供应链管理有限公司", None, None).await;
        let code: String = {
            let row = sea_orm::ConnectionTrait::query_one(
                &t.app.db.conn,
                sea_orm::Statement::from_string(
                    t.app.db.db_backend(),
                    "SELECT code FROM customers".to_string(),
                ),
            )
            .await
            .expect("q")
            .expect("customer");
            row.try_get("", "code").expect("code")
        };
        let huge = "很长".repeat(40_000);
        let lines = [
            HEADER.to_string(),
            format!("SF3000000001,2025-10-03 09:05,{code},恒通,上海,杭州,标准快递,1,2.0,10.00,2025-10-04 09:00,已签收,"), // 2 good
            format!("SF3000000002,2025-10-03 09:05,{code},恒通,上海,杭州,标准快递,1,-2.0,10.00,,运输中,"), // 3 negative weight
            format!("SF3000000003,2025-10-03 09:05,{code},恒通,上海,杭州,标准快递,1,2.0,-10.00,,运输中,"), // 4 negative money
            format!("SF3000000004,2025-10-05 09:05,{code},恒通,上海,杭州,标准快递,1,2.0,10.00,2025-10-04 09:00,已签收,"), // 5 delivered before ordered
            "SF3000000005,2025-10-03 09:05,NOSUCH,某公司,上海,杭州,标准快递,1,2.0,10.00,,运输中,".to_string(), // 6 unknown customer
            format!("SF3000000006,昨天,{code},恒通,上海,杭州,标准快递,1,2.0,12.345,,运输中,"), // 7 two bad cells
            format!("SF3000000007,2025-10-03 09:05,{code},恒通,上海,杭州,火箭,1,2.0,10.00,,运输中,"), // 8 unknown product: good, as other
            format!("SF3000000001,2025-10-03 09:05,{code},恒通,上海,杭州,标准快递,1,2.0,20.00,2025-10-04 09:00,已签收,"), // 9 repeats row 2: wins
            format!("SF3000000008,2025-10-03 09:05,{code},\"{huge}\",上海,杭州,标准快递,1,2.0,10.00,,运输中,"), // 10 oversized
            format!("SF3000000009,2025-10-03 09:05,{code},\"恒通,上海,杭州,标准快递,1,2.0,10.00,,运输中,"), // 11 quote never closes
            format!("SF3000000010,2025-10-03 09:05,{code},恒通,上海,杭州,零担,1,2.0,10.00,,运输中,"), // 12 good
            format!(",2025-10-03 09:05,{code},恒通,上海,杭州,零担,1,2.0,10.00,,运输中,"), // 13 no waybill
            format!("SF3000000011,2025-10-03 09:05,{code},恒通,上海,杭州,零担,1,2.0,10.00,,运输中,"), // 14 good
        ];
        let path = write(&t, "bad.csv", lines.join("\n").as_bytes());
        let r = run(&t, &path, ImportOptions::default()).await;
        assert_eq!(r.fault, None);
        assert_eq!(r.counts.rows_read, 13);
        assert_eq!(r.counts.rows_bad, 8, "{:?}", r.errors);
        assert_eq!(r.counts.rows_new, 4, "rows 2/9 (one waybill), 8, 12, 14");
        // A product name nothing places keeps its row: mode other, the name kept, one note.
        let other = shipments::find_by_waybill(&t.app.db.conn, "SF3000000007")
            .await
            .expect("find")
            .expect("row 8 kept");
        assert_eq!(other.shipment.service_mode, Some(ServiceMode::Other));
        assert_eq!(other.shipment.product, "火箭");
        assert_eq!(other.shipment.revenue_fen.get(), 1_000);
        assert_eq!(r.notes.unknown_products.len(), 1, "{:?}", r.notes);
        assert_eq!(
            (
                r.notes.unknown_products[0].name.as_str(),
                r.notes.unknown_products[0].rows
            ),
            ("火箭", 1)
        );
        assert_eq!(r.repeated, 1);
        let kept = shipments::find_by_waybill(&t.app.db.conn, "SF3000000001")
            .await
            .expect("find")
            .expect("kept");
        assert_eq!(
            kept.shipment.revenue_fen.get(),
            2_000,
            "the later row of a waybill wins"
        );
        let totals = shipments::totals(&t.app.db.conn).await.expect("totals");
        assert_eq!((totals.shipments, totals.revenue_fen), (4, 5_000));

        let zh = report(&t, r.run_id, Lang::Zh).await;
        let row = |n: &str| -> Vec<(String, String)> {
            zh.iter()
                .filter(|(r, _, _)| r == n)
                .map(|(_, c, m)| (c.clone(), m.clone()))
                .collect()
        };
        assert_eq!(row("3"), [("计费重量(kg)".into(), "不能为负数".into())]);
        assert_eq!(row("4"), [("应付金额(元)".into(), "不能为负数".into())]);
        assert_eq!(
            row("5"),
            [("签收时间".into(), "早于下单（寄件）时间".into())]
        );
        assert_eq!(row("6")[0].0, "客户编码");
        assert!(row("6")[0].1.contains("客户编号不存在"));
        let seven = row("7");
        assert_eq!(seven.len(), 2, "both bad cells of row 7: {seven:?}");
        assert_eq!(seven[0].0, "寄件时间");
        assert_eq!(seven[1].0, "应付金额(元)");
        assert!(row("8").is_empty(), "{:?}", row("8"));
        assert!(row("10")[0].1.contains("该行过长"), "{:?}", row("10"));
        assert!(row("11")[0].1.contains("该行过长"), "{:?}", row("11"));
        assert_eq!(row("13"), [("运单号".into(), "必填".into())]);

        let en = report(&t, r.run_id, Lang::En).await;
        assert!(en
            .iter()
            .any(|(r, c, m)| r == "5" && c == "签收时间" && m == "Earlier than the order time"));

        // Unknown customers created as prospects when the user says so.
        let r = run(&t, &path, create()).await;
        assert_eq!(r.counts.prospects_created, 1);
        assert_eq!(
            r.counts.rows_new, 1,
            "the row of the unknown customer now imports"
        );
        assert_rollups_exact(&t).await;
    })
    .await;
}

#[tokio::test]
async fn whole_file_problems_are_explained() {
    each_db(|t| async move {
        // GBK declared as UTF-8: nothing decodes, so no header is found.
        let text =
            format!("{HEADER}\nSF4000000001,2025-10-03,C1,公司,上海,杭州,快递,1,1,1,,运输中,\n");
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let p = write(&t, "gbk-as-utf8.csv", &gbk);
        let r = run(
            &t,
            &p,
            ImportOptions {
                encoding: Some(TextEncoding::Utf8),
                ..create()
            },
        )
        .await;
        let f = r.fault.clone().expect("fault");
        assert_eq!((f.key, f.arg.as_str()), ("err.encoding", "UTF-8"));
        assert_eq!(
            consign_app::imports::reason(Lang::Zh, &r.errors[0]),
            "文件编码不是 UTF-8：请确认编码（UTF-8 或 GBK）"
        );

        // A required column missing.
        let p = write(
            &t,
            "no-waybill.csv",
            "寄件时间,客户编码,应付金额\n2025-10-03,C1,10\n".as_bytes(),
        );
        let f = run(&t, &p, create()).await.fault.expect("fault");
        assert_eq!(f.key, "err.column_missing");
        assert_eq!(f.arg, "运单号/waybill_no");

        // Not a table at all.
        let p = write(&t, "notes.csv", "hello\nworld\n".as_bytes());
        let f = run(&t, &p, create()).await.fault.expect("fault");
        assert_eq!(f.key, "err.header_not_found");

        // A truncated workbook.
        let xlsx = t.dir.path().join("full.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in HEADER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).expect("cell");
        }
        book.save(&xlsx).expect("save");
        let bytes = std::fs::read(&xlsx).expect("read");
        let cut = write(&t, "cut.xlsx", &bytes[..bytes.len() / 2]);
        let r = run(&t, &cut, create()).await;
        let f = r.fault.expect("fault");
        assert_eq!(f.key, "err.xlsx_damaged");
        let msg = consign_app::imports::reason(Lang::En, &r.errors[0]);
        assert!(msg.starts_with("Cannot read the Excel file"), "{msg}");
        let totals = shipments::totals(&t.app.db.conn).await.expect("totals");
        assert_eq!(totals.shipments, 0, "nothing half-imported");
    })
    .await;
}

/// Rollups equal a fresh aggregate after imports, updates (revenue, day, customer,
/// delivery) and deletes.
#[tokio::test]
async fn rollups_stay_exact_through_updates_and_deletes() {
    each_db(|t| async move {
        let mut lines = vec![HEADER.to_string()];
        for i in 0..40 {
            let day = 1 + i % 28;
            let delivered = if i % 3 == 0 {
                String::new()
            } else {
                format!("2025-10-{:02} 18:00", (day + 2).min(31))
            };
            let status = if delivered.is_empty() { "运输中" } else { "已签收" };
            let note = if i % 5 == 0 { "外包装破损" } else { "" };
            lines.push(format!(
                "SF50000000{i:02},2025-10-{day:02} 23:30,C5000{},客户{},上海,杭州,零担,1,1.5,{}.00,{delivered},{status},{note}",
                i % 4,
                i % 4,
                10 + i
            ));
        }
        let p = write(&t, "v1.csv", lines.join("\n").as_bytes());
        run(&t, &p, create()).await;
        assert_rollups_exact(&t).await;

        // A corrected statement: other revenue, other day (across a month end), other
        // customer, delivered now.
        let mut v2 = lines.clone();
        v2[1] = v2[1].replace(",10.00,", ",99.00,");
        v2[2] = v2[2].replace("2025-10-02 23:30", "2025-09-30 23:30");
        v2[3] = v2[3].replace("C50002,客户2", "C50003,客户3");
        v2[4] = v2[4].replace(",,运输中,", ",2025-10-09 09:00,已签收,");
        let p2 = write(&t, "v2.csv", v2.join("\n").as_bytes());
        let r = run(&t, &p2, create()).await;
        assert_eq!((r.counts.rows_updated, r.counts.rows_unchanged), (4, 36));
        assert_rollups_exact(&t).await;

        for w in ["SF5000000001", "SF5000000007"] {
            let s = shipments::find_by_waybill(&t.app.db.conn, w)
                .await
                .expect("find")
                .expect("there");
            let txn = t.app.db.begin_write().await.expect("txn");
            assert!(shipments::delete(&txn, s.id).await.expect("delete"));
            txn.commit().await.expect("commit");
        }
        assert_rollups_exact(&t).await;
        let totals = shipments::totals(&t.app.db.conn).await.expect("totals");
        assert_eq!(totals.shipments, 38);
    })
    .await;
}

/// A file of several segments (one per 10,000-row batch here), where later segments name
/// prospects an earlier one created and repeat waybills an earlier one wrote. On
/// PostgreSQL each segment commits in the background while the next is written; the
/// result is the same as one segment after another: the later row of a waybill wins,
/// every prospect is created once, and the rollups, totals and the run's stored counts
/// are exact.
#[tokio::test]
async fn segments_see_the_waybills_and_prospects_of_the_segments_before() {
    each_db(|t| async move {
        let mut app = t.app.clone();
        let mut s = (*app.settings).clone();
        s.import_commit_rows = 1;
        app.settings = Arc::new(s);
        let mut lines = vec![HEADER.to_string()];
        let mut final_revenue: std::collections::BTreeMap<String, i64> = Default::default();
        let mut repeats = 0;
        for i in 0..25_000u32 {
            // Segment 1 creates 100 prospects; segment 3 creates 50 more.
            let customer = if i >= 20_000 && i % 2 == 0 {
                format!("D{:03}", (i / 2) % 50)
            } else {
                format!("C{:03}", i % 100)
            };
            // From segment 2 on, every 250th row repeats a waybill of the segment before.
            let waybill = if i >= 10_000 && i % 250 == 0 {
                repeats += 1;
                format!("SG{:08}", i - 10_000 + 7)
            } else {
                format!("SG{i:08}")
            };
            let fen = 1_000 + i64::from(i % 997);
            final_revenue.insert(waybill.clone(), fen);
            lines.push(format!(
                "{waybill},2025-{:02}-{:02} 09:{:02},{customer},客户{customer}物流有限公司,上海,杭州,零担,1,2.0,{}.{:02},,运输中,",
                1 + i % 12,
                1 + i % 28,
                i % 60,
                fen / 100,
                fen % 100
            ));
        }
        let path = write(&t, "segments.csv", lines.join("\n").as_bytes());
        let r = import_file(
            &app,
            &Actor::system("test"),
            &path,
            create(),
            Arc::new(ImportProgress::default()),
        )
        .await
        .expect("import runs");
        assert_eq!(r.fault, None, "{}", t.backend);
        assert_eq!(r.counts.rows_read, 25_000);
        assert_eq!(r.counts.rows_bad, 0, "{:?}", r.errors);
        assert_eq!(r.counts.prospects_created, 150);
        assert_eq!(r.repeated, repeats, "rows whose waybill came earlier");
        assert_eq!(r.counts.rows_new, 25_000 - repeats);
        assert_eq!(r.counts.rows_updated, repeats, "a later row replaces the earlier");
        let totals = shipments::totals(&t.app.db.conn).await.expect("totals");
        assert_eq!(totals.shipments, final_revenue.len() as i64);
        assert_eq!(totals.revenue_fen, final_revenue.values().sum::<i64>());
        let kept = shipments::find_by_waybill(&t.app.db.conn, "SG00000007")
            .await
            .expect("find")
            .expect("kept");
        assert_eq!(kept.shipment.revenue_fen.get(), 1_000 + 10_000 % 997, "row 10,001 wins");
        let stored = consign_store::imports::get(&t.app.db.conn, r.run_id)
            .await
            .expect("run")
            .expect("stored");
        assert_eq!(stored.counts, r.counts, "the run's stored counts");
        assert_rollups_exact(&t).await;
        // The prospects are searchable like any customer: by a piece of the name, and
        // by its code.
        let api = t.api("admin").await;
        for q in ["客户D017", "D017"] {
            let (st, body) = api
                .get(&format!("/api/v1/customers?q={}", common::urlencode(q)))
                .await;
            assert_eq!(st, reqwest::StatusCode::OK, "{body}");
            assert_eq!(body["total"], 1, "{q}: {body}");
            assert_eq!(body["items"][0]["code"], "D017");
        }
    })
    .await;
}
