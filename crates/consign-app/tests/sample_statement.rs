//! The carrier's monthly statement from samples/ (GBK, title row, 合计 row, money as
//! `1,234.50` / `￥1,234.50`, two date layouts, empty 签收时间 for shipments in transit)
//! reads whole, and its total checks out.

use chrono_tz::Asia::Shanghai;
use consign_app::tabular::{csv_reader, find_header, is_total_row, TextEncoding};
use consign_domain::ops::{parse_local_datetime, waybill_no, Fen};

#[test]
fn monthly_statement_reads_whole_and_its_total_checks_out() {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/shipments-monthly-statement.gbk.csv"
    ))
    .expect("sample");
    let (mut reader, enc) = csv_reader(file, None).expect("open");
    assert_eq!(enc, TextEncoding::Gbk, "detected, not told");
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    let known = |k: &str| match k {
        "运单号" => Some("waybill_no"),
        "寄件时间" => Some("ordered_at"),
        "客户编码" => Some("customer_code"),
        "应付金额" => Some("amount_due"),
        "签收时间" => Some("delivered_at"),
        _ => None,
    };
    let (header, fields) = find_header(&rows[..rows.len().min(20)], known, 3).expect("header");
    assert_eq!(header, 1, "the title row above it is skipped");
    let col = |f: &str| fields.iter().position(|x| *x == Some(f)).expect(f);
    let (wb, ordered, due, delivered) = (
        col("waybill_no"),
        col("ordered_at"),
        col("amount_due"),
        col("delivered_at"),
    );
    let mut sum = 0i64;
    let mut data = 0;
    let mut in_transit = 0;
    let mut total = None;
    for row in &rows[header + 1..] {
        if is_total_row(row) {
            total = Some(Fen::parse(&row[due]).expect("total").get());
            continue;
        }
        data += 1;
        waybill_no(&row[wb]).expect("waybill");
        parse_local_datetime(&row[ordered], Shanghai).expect("ordered_at");
        if row[delivered].trim().is_empty() {
            in_transit += 1;
        } else {
            parse_local_datetime(&row[delivered], Shanghai).expect("delivered_at");
        }
        sum += Fen::parse(&row[due]).expect("amount").get();
    }
    assert_eq!(data, 300);
    assert!(in_transit > 0, "some shipments are still in transit");
    assert_eq!(sum, 1_444_205, "应付金额 sums to 14,442.05");
    assert_eq!(total, Some(sum), "the 合计 row agrees");
}
