//! Carriers' own exports import with no profile (issue 19): their header words (运单号码,
//! 下单日期, Ｗａｙｂｉｌｌ　Ｎｏ．, 托运日期), title and units rows, per-customer 小计 and a
//! 总计/合计/Total row, a route column (南京-西安, 苏州->天津, 合肥～武汉), their product names
//! (精准卡航, 中通冷链, 当天达, 定时达) and exceptions in words (少件, 改址, 改派, DAMAGE),
//! UTF-8 with and without BOM, GBK, and an XLSX with date cells and a hidden column — each
//! checked row by row, on both databases.

mod common;

use chrono_tz::Asia::Shanghai;
use common::{each_db, TestApp};
use consign_app::auth::Actor;
use consign_app::imports::{import_file, ImportOptions, ImportProgress, UnknownCustomers};
use consign_domain::customer::ServiceMode;
use consign_domain::shipment::{Exception, ShipmentStatus};
use consign_store::shipments;
use std::sync::Arc;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/carriers/");

/// One shipment as the file means it.
struct Expect {
    waybill: &'static str,
    code: &'static str,
    ordered: &'static str,
    route: (&'static str, &'static str),
    mode: ServiceMode,
    pieces: i64,
    weight_g: i64,
    revenue_fen: i64,
    status: ShipmentStatus,
    exceptions: &'static [Exception],
}

#[allow(clippy::too_many_arguments)]
const fn e(
    waybill: &'static str,
    code: &'static str,
    ordered: &'static str,
    route: (&'static str, &'static str),
    mode: ServiceMode,
    pieces: i64,
    weight_g: i64,
    revenue_fen: i64,
    status: ShipmentStatus,
    exceptions: &'static [Exception],
) -> Expect {
    Expect {
        waybill,
        code,
        ordered,
        route,
        mode,
        pieces,
        weight_g,
        revenue_fen,
        status,
        exceptions,
    }
}

use Exception as X;
use ServiceMode as M;
use ShipmentStatus as S;

/// (file, its grand total in fen if it has one, the shipments it holds)
fn corpus() -> Vec<(&'static str, Option<i64>, Vec<Expect>)> {
    vec![
        (
            "deppon-detail.csv",
            Some(216_000),
            vec![
                e(
                    "DP2026110100001",
                    "DB-0001",
                    "2026-11-01 00:00",
                    ("南京", "西安"),
                    M::Ltl,
                    3,
                    120_500,
                    126_000,
                    S::Delivered,
                    &[],
                ),
                e(
                    "DP2026110200002",
                    "DB-0001",
                    "2026-11-02 00:00",
                    ("南京", "成都"),
                    M::Ltl,
                    1,
                    45_000,
                    38_000,
                    S::Delivered,
                    &[X::Short],
                ),
                e(
                    "DP2026110300003",
                    "DB-0002",
                    "2026-11-03 00:00",
                    ("西安", "郑州"),
                    M::Express,
                    2,
                    12_000,
                    52_000,
                    S::InTransit,
                    &[X::RouteChanged],
                ),
            ],
        ),
        (
            "zto-statement.gbk.csv",
            Some(191_000),
            vec![
                e(
                    "ZT7001000001",
                    "ZT-088",
                    "2026-11-05 09:30",
                    ("杭州", "广州"),
                    M::Ltl,
                    5,
                    210_000,
                    115_000,
                    S::Delivered,
                    &[X::Damaged],
                ),
                e(
                    "ZT7001000002",
                    "ZT-088",
                    "2026-11-06 14:05",
                    ("杭州", "深圳"),
                    M::Ltl,
                    2,
                    80_000,
                    46_000,
                    S::Returned,
                    &[X::Returned],
                ),
                e(
                    "ZT7001000003",
                    "ZT-099",
                    "2026-11-07 08:00",
                    ("宁波", "长沙"),
                    M::ColdChain,
                    1,
                    35_000,
                    30_000,
                    S::InTransit,
                    &[],
                ),
            ],
        ),
        (
            "kuayue-en.csv",
            Some(201_000),
            vec![
                e(
                    "KY88000001",
                    "KY-01",
                    "2026-11-10 10:00",
                    ("苏州", "北京"),
                    M::Express,
                    1,
                    5_500,
                    21_000,
                    S::Delivered,
                    &[],
                ),
                e(
                    "KY88000002",
                    "KY-01",
                    "2026-11-11 16:30",
                    ("苏州", "天津"),
                    M::Ltl,
                    4,
                    300_000,
                    180_000,
                    S::InTransit,
                    &[X::Damaged],
                ),
            ],
        ),
        (
            "jd-detail.xlsx",
            Some(237_300),
            vec![
                e(
                    "JDV000300000001",
                    "JD-55",
                    "2026-11-20 09:15",
                    ("武汉", "重庆"),
                    M::Ltl,
                    12,
                    860_000,
                    235_000,
                    S::Delivered,
                    &[],
                ),
                e(
                    "JDV000300000002",
                    "JD-55",
                    "2026-11-21 18:40",
                    ("武汉", "上海"),
                    M::Express,
                    1,
                    2_500,
                    2_300,
                    S::InTransit,
                    &[],
                ),
            ],
        ),
        (
            "ane-ltl.csv",
            None,
            vec![
                e(
                    "AN5500000001",
                    "AN-7",
                    "2026-11-12 00:00",
                    ("合肥", "武汉"),
                    M::Ltl,
                    10,
                    1_500_000,
                    260_000,
                    S::Delivered,
                    &[X::Short],
                ),
                e(
                    "AN5500000002",
                    "AN-7",
                    "2026-11-13 00:00",
                    ("合肥", "南昌"),
                    M::Ltl,
                    6,
                    820_000,
                    142_000,
                    S::Delivered,
                    &[X::RouteChanged],
                ),
            ],
        ),
    ]
}

/// waybill, 揽收时间, code, name, origin, destination, product, pieces, kg, 元, status, 签收时间
type JdRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    f64,
    f64,
    f64,
    &'a str,
    &'a str,
);

/// A JD-style XLSX detail export as Excel writes it: a merged title row, a units row, a
/// hidden 序号 column, 揽收时间 as date cells (serial numbers with a date format), 签收时间 as
/// text, numbers as numbers, a 合计 row.
fn jd_workbook(path: &std::path::Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d h:mm");
    sheet
        .merge_range(
            0,
            0,
            0,
            12,
            "京东物流 客户发货明细（2026年11月）",
            &Format::new(),
        )
        .expect("title");
    for (c, unit) in [(8u16, "（件）"), (9, "（kg）"), (10, "（元）")] {
        sheet.write_string(1, c, unit).expect("units");
    }
    let header = [
        "序号",
        "运单号",
        "揽收时间",
        "客户编号",
        "客户名称",
        "始发城市",
        "目的城市",
        "产品类型",
        "件数",
        "重量",
        "应收金额",
        "状态",
        "签收时间",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).expect("header");
    }
    let rows: [JdRow; 2] = [
        (
            "JDV000300000001",
            "2026-11-20 09:15:00",
            "JD-55",
            "武汉光谷生物科技有限公司",
            "武汉",
            "重庆",
            "特快零担",
            12.0,
            860.0,
            2350.0,
            "已签收",
            "2026-11-22 11:30",
        ),
        (
            "JDV000300000002",
            "2026-11-21 18:40:00",
            "JD-55",
            "武汉光谷生物科技有限公司",
            "武汉",
            "上海",
            "京东标快",
            1.0,
            2.5,
            23.0,
            "配送中",
            "",
        ),
    ];
    for (i, r) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64).expect("no");
        sheet.write_string(row, 1, r.0).expect("waybill");
        let d = ExcelDateTime::parse_from_str(r.1).expect("date");
        sheet
            .write_datetime_with_format(row, 2, &d, &date)
            .expect("date");
        for (c, v) in [
            (3u16, r.2),
            (4, r.3),
            (5, r.4),
            (6, r.5),
            (7, r.6),
            (11, r.10),
            (12, r.11),
        ] {
            sheet.write_string(row, c, v).expect("text");
        }
        for (c, v) in [(8u16, r.7), (9, r.8), (10, r.9)] {
            sheet.write_number(row, c, v).expect("number");
        }
    }
    sheet.write_string(5, 1, "合计").expect("total");
    sheet.write_number(5, 10, 2373.0).expect("total");
    sheet.set_column_hidden(0).expect("hidden");
    book.save(path).expect("save");
}

async fn import(t: &TestApp, file: &str) -> consign_app::imports::ImportReport {
    let opts = ImportOptions {
        unknown_customers: Some(UnknownCustomers::Create),
        file_name: file.into(),
        ..Default::default()
    };
    import_file(
        &t.app,
        &Actor::system("test"),
        &if file.ends_with(".xlsx") {
            t.dir.path().join(file)
        } else {
            std::path::PathBuf::from(format!("{DIR}{file}"))
        },
        opts,
        Arc::new(ImportProgress::default()),
    )
    .await
    .expect("import runs")
}

#[tokio::test]
async fn carriers_exports_import_row_by_row_without_a_profile() {
    each_db(|t| async move {
        jd_workbook(&t.dir.path().join("jd-detail.xlsx"));
        for (file, total, rows) in corpus() {
            let r = import(&t, file).await;
            let at = format!("{file} on {}", t.backend);
            assert!(r.fault.is_none(), "{at}: {:?}", r.fault);
            assert_eq!(r.counts.rows_bad, 0, "{at}: {:?}", r.errors);
            assert_eq!(
                r.counts.rows_new,
                rows.len() as i64,
                "{at}: subtotal and total rows are not shipments"
            );
            if let Some(total) = total {
                assert_eq!(
                    r.total_check,
                    Some((total, total)),
                    "{at}: the total row agrees"
                );
            }
            for x in &rows {
                let s = shipments::find_by_waybill(&t.app.db.conn, x.waybill)
                    .await
                    .expect("find")
                    .unwrap_or_else(|| panic!("{at}: {} imported", x.waybill));
                let s = s.shipment;
                let w = format!("{at} {}", x.waybill);
                assert_eq!(s.customer_code, x.code, "{w}");
                assert_eq!(
                    s.ordered_at
                        .with_timezone(&Shanghai)
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    x.ordered,
                    "{w}"
                );
                assert_eq!(
                    (s.origin_city.as_str(), s.destination_city.as_str()),
                    x.route,
                    "{w}"
                );
                assert_eq!(s.service_mode, Some(x.mode), "{w}");
                assert_eq!(
                    (s.pieces, s.weight_g, s.revenue_fen.get()),
                    (x.pieces, x.weight_g, x.revenue_fen),
                    "{w}"
                );
                assert_eq!(s.status, x.status, "{w}");
                for flag in Exception::ALL.iter().filter(|f| **f != Exception::Delayed) {
                    assert_eq!(
                        s.exceptions.has(*flag),
                        x.exceptions.contains(flag),
                        "{w}: {flag:?}"
                    );
                }
            }
            // The same file again changes nothing.
            let again = import(&t, file).await;
            assert_eq!(
                again.counts.rows_unchanged,
                rows.len() as i64,
                "{at}: a re-run changes nothing"
            );
        }
    })
    .await;
}
