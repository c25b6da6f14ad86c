//! Imports of customers, contacts, invoices, payments and tracking events (issue 3): the
//! counts and bad-row report a user sees, what ends up on the customer, and re-runs that
//! change nothing — on SQLite and on PostgreSQL.

mod common;

use common::{each_db, TestApp};
use consign_app::auth::Actor;
use consign_app::imports::{
    import_file, run_report, ImportKind, ImportOptions, ImportProgress, ImportReport,
    UnknownCustomers,
};
use consign_domain::Lang;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;

async fn run(t: &TestApp, kind: ImportKind, path: &Path, opts: ImportOptions) -> ImportReport {
    import_file(
        &t.app,
        &Actor::system("test"),
        path,
        ImportOptions {
            kind: Some(kind),
            ..opts
        },
        Arc::new(ImportProgress::default()),
    )
    .await
    .expect("import runs")
}

fn write(t: &TestApp, name: &str, text: &str) -> PathBuf {
    let p = t.dir.path().join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// (row, column, reason) of each bad row, as the downloaded report has them.
async fn report(t: &TestApp, run_id: i64, lang: Lang) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    run_report(&t.app, &Actor::system("test"), run_id, lang, &mut out)
        .await
        .expect("report");
    let text = String::from_utf8(out).expect("utf-8");
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|x| {
            let x = x.expect("row");
            (x[0].to_string(), x[1].to_string(), x[3].to_string())
        })
        .collect()
}

fn counts(r: &ImportReport) -> (i64, i64, i64, i64, i64) {
    let c = &r.counts;
    (
        c.rows_read,
        c.rows_new,
        c.rows_updated,
        c.rows_unchanged,
        c.rows_bad,
    )
}

#[tokio::test]
async fn customers_and_contacts_import_by_code() {
    each_db(|t| async move {
        let existing = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let admin = t.api("admin").await;
        let uscc = format!(
            "91310000MA1FL3LX2{}",
            consign_domain::validate::uscc_check_char("91310000MA1FL3LX2").expect("check")
        );
        let (_, c) = admin
            .patch(
                &format!("/api/v1/customers/{existing}"),
                json!({ "uscc": uscc }),
            )
            .await;
        let existing_code = c["customer"]["code"].as_str().expect("code").to_string();

        let file = write(
            &t,
            "customers.csv",
            &"客户编号,客户名称,客户类型,行业,省份,城市,服务方式,负责人,客户状态,统一社会信用代码,联系人,手机,标签\n\
             KH900001,杭州云栈电子商务有限公司,企业,电子商务,浙江,杭州,快递、零担,lixy,合作中,,王芳,13812345678,电商;双11\n\
             KH900002,成都蜀道冷链物流有限公司,企业客户,冷链食品,四川,成都,冷链,,潜在客户,,,,\n\
             KH900003,某某合伙企业,合伙人,,,,,,,,,,\n\
             KH900004,恒通供应链（上海）有限公司,企业,,上海,上海,,,,USCC,,,\n\
             KH900005,深圳前海速达国际货运代理有限公司,企业,,广东,深圳,管道运输,,,,,,\n\
             KH900006,苏州工业园区精密机械有限公司,企业,,江苏,苏州,,王五,,,,,\n"
                .replace("USCC", &uscc),
        );
        let r = run(&t, ImportKind::Customers, &file, ImportOptions::default()).await;
        assert_eq!(r.fault, None);
        assert_eq!(counts(&r), (6, 2, 0, 0, 4), "{:?}", r.errors);
        let zh = report(&t, r.run_id, Lang::Zh).await;
        assert!(zh.contains(&("4".into(), "客户类型".into(), "不是有效选项".into())), "{zh:?}");
        assert!(
            zh.iter().any(|(row, col, why)| row == "5"
                && col == "客户编号"
                && why.contains(&existing_code)
                && why.starts_with("疑似与已有客户重复")),
            "a likely duplicate (same credit code) is reported with the customer it matches: {zh:?}"
        );
        assert!(
            zh.iter().any(|(row, _, why)| row == "5" && why.contains("（统一社会信用代码相同")),
            "and with the rule it matched by: {zh:?}"
        );
        // The summary says how many and why, in the reader's language.
        assert_eq!(
            r.notes.likely_duplicates.first().map(|d| d.rows),
            Some(1),
            "{:?}",
            r.notes
        );
        let lines = r.notes.lines(Lang::En);
        assert!(
            lines.iter().any(|l| l.starts_with("1 rows looked like existing customers")
                && l.contains("Same unified social credit code: 1 rows")),
            "{lines:?}"
        );
        let en = report(&t, r.run_id, Lang::En).await;
        assert!(
            en.iter().any(|(row, _, why)| row == "5"
                && why.contains(&existing_code)
                && why.contains("(Same unified social credit code")),
            "{en:?}"
        );
        assert!(zh.iter().any(|(row, col, _)| row == "6" && col == "服务方式"), "{zh:?}");
        let en = report(&t, r.run_id, Lang::En).await;
        assert!(en.contains(&("7".into(), "负责人".into(), "No user has this username or name".into())), "{en:?}");

        // What a user sees on the new customer: owner, modes, tags, the primary contact
        // with a masked phone.
        let (_, list) = admin.get("/api/v1/customers?q=KH900001").await;
        let id = list["items"][0]["id"].as_str().expect("id").to_string();
        let (_, d) = admin.get(&format!("/api/v1/customers/{id}")).await;
        let c = &d["customer"];
        assert_eq!(c["name"], "杭州云栈电子商务有限公司");
        assert_eq!(c["kind"], "enterprise");
        assert_eq!(c["status"], "active");
        assert_eq!(c["industry"], "ecommerce");
        assert_eq!(c["service_modes"], json!(["express", "ltl"]));
        assert_eq!(c["owner_name"], "李晓云");
        assert_eq!(d["contacts"][0]["name"], "王芳");
        assert_eq!(d["contacts"][0]["phone"], "138****5678");

        // The same file again changes nothing; with the duplicate allowed it is created.
        let again = run(&t, ImportKind::Customers, &file, ImportOptions::default()).await;
        assert_eq!(counts(&again), (6, 0, 0, 2, 4), "{:?}", again.errors);
        let allow = run(
            &t,
            ImportKind::Customers,
            &file,
            ImportOptions {
                allow_duplicates: true,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(counts(&allow), (6, 1, 0, 2, 3), "{:?}", allow.errors);
        // A changed cell updates the customer.
        let changed = write(
            &t,
            "customers2.csv",
            "客户编号,客户名称,城市\nKH900002,成都蜀道冷链物流有限公司,绵阳\n",
        );
        let r = run(&t, ImportKind::Customers, &changed, ImportOptions::default()).await;
        assert_eq!(counts(&r), (1, 0, 1, 0, 0), "{:?}", r.errors);

        // Contacts by customer code and name: a new one, a changed one, an unknown code,
        // a bad phone.
        let contacts = write(
            &t,
            "contacts.csv",
            "客户编号,联系人,职务,手机,邮箱,主要联系人\n\
             KH900001,王芳,物流经理,13812345678,,是\n\
             KH900001,赵磊,财务,13900001111,zhaolei@yunzhan.cn,否\n\
             KH999999,孙丽,,13700002222,,\n\
             KH900002,钱伟,,12345,,\n",
        );
        let r = run(&t, ImportKind::Contacts, &contacts, ImportOptions::default()).await;
        assert_eq!(counts(&r), (4, 1, 1, 0, 2), "{:?}", r.errors);
        let zh = report(&t, r.run_id, Lang::Zh).await;
        assert!(zh.iter().any(|(row, col, _)| row == "4" && col == "客户编号"), "{zh:?}");
        assert!(zh.iter().any(|(row, col, _)| row == "5" && col == "手机"), "{zh:?}");
        let (_, d) = admin.get(&format!("/api/v1/customers/{id}")).await;
        let names: Vec<&str> = d["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .filter_map(|k| k["name"].as_str())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(d["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .any(|k| k["name"] == "王芳" && k["title"] == "物流经理"));
        let again = run(&t, ImportKind::Contacts, &contacts, ImportOptions::default()).await;
        assert_eq!(counts(&again), (4, 0, 0, 2, 2), "{:?}", again.errors);
    })
    .await;
}

#[tokio::test]
async fn invoices_payments_and_tracking_import_by_number() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let other = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let admin = t.api("admin").await;
        let code = |v: serde_json::Value| v["customer"]["code"].as_str().expect("code").to_string();
        let mine_code = code(admin.get(&format!("/api/v1/customers/{mine}")).await.1);
        let other_code = code(admin.get(&format!("/api/v1/customers/{other}")).await.1);

        // Invoices as a GBK file from Excel, money with ￥ and separators, date-only due
        // dates (due until the end of that day), a total row.
        let text = format!(
            "账单号,客户编号,客户名称,账单金额,开票日期,到期日,账期,备注\n\
             ZD202609-001,{mine_code},上海恒通供应链管理有限公司,\"￥12,345.60\",2026-10-03,2026-11-02,2026年9月,\n\
             ZD202610-001,{mine_code},上海恒通供应链管理有限公司,8000,2026-11-03,2026-12-03,2026-10,\n\
             ZD202610-002,{other_code},广州南沙冷链物流有限公司,5000,2026-11-03,2026-10-01,2026-10,到期日写错\n\
             ZD202610-003,NOSUCH,未知客户,100,2026-11-03,2026-12-03,2026-10,\n\
             合计,,,\"25,445.60\",,,,\n"
        );
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let file = t.dir.path().join("invoices.csv");
        std::fs::write(&file, &gbk).expect("write");
        let r = run(&t, ImportKind::Invoices, &file, ImportOptions::default()).await;
        assert_eq!(r.fault, None);
        assert_eq!(counts(&r), (4, 2, 0, 0, 2), "{:?}", r.errors);
        let zh = report(&t, r.run_id, Lang::Zh).await;
        assert!(zh.contains(&("4".into(), "到期日".into(), "到期日早于开具日期".into())), "{zh:?}");
        assert!(zh.iter().any(|(row, col, _)| row == "5" && col == "客户编号"), "{zh:?}");
        let (_, inv) = admin.get("/api/v1/invoices/by-number/ZD202609-001").await;
        assert_eq!(inv["amount_fen"], 1234560);
        assert_eq!(inv["period"], "2026-09");
        assert_eq!(inv["due_at"], "2026-11-02T15:59:59Z", "the end of the due day in Shanghai");
        let again = run(&t, ImportKind::Invoices, &file, ImportOptions::default()).await;
        assert_eq!(counts(&again), (4, 0, 0, 2, 2));

        // Payments, one naming another customer's invoice; unknown customers created as
        // prospects when asked.
        let pay = write(
            &t,
            "payments.csv",
            &format!(
                "流水号,客户编号,客户名称,账单号,收款金额,到账日期,付款方式\n\
                 SK-0001,{mine_code},,ZD202609-001,12345.60,2026-11-10,对公转账\n\
                 SK-0002,{mine_code},,ZD202610-002,100,2026-11-10,\n\
                 SK-0003,{mine_code},,,2000,2026-11-20,承兑\n\
                 SK-0004,KH777777,宁波港联国际物流有限公司,,300,2026-11-21,微信\n\
                 SK-0005,{mine_code},,,0,2026-11-21,现金\n"
            ),
        );
        let r = run(
            &t,
            ImportKind::Payments,
            &pay,
            ImportOptions {
                unknown_customers: Some(UnknownCustomers::Create),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(counts(&r), (5, 3, 0, 0, 2), "{:?}", r.errors);
        assert_eq!(r.counts.prospects_created, 1);
        let en = report(&t, r.run_id, Lang::En).await;
        assert!(en.contains(&(
            "3".into(),
            "账单号".into(),
            "No invoice has this number (or it belongs to another customer)".into()
        )), "{en:?}");
        assert!(en.contains(&("6".into(), "收款金额".into(), "The amount must be more than 0".into())), "{en:?}");
        let (_, page) = admin.get(&format!("/api/v1/customers/{mine}/invoices")).await;
        assert_eq!(page["receivables"]["outstanding_fen"], 600000, "8,000 − the unnamed 2,000");
        let again = run(&t, ImportKind::Payments, &pay, ImportOptions::default()).await;
        assert_eq!(counts(&again), (5, 0, 0, 3, 2), "{:?}", again.errors);

        // Tracking events for a shipment by waybill; repeats are kept once.
        let (s, _) = admin
            .post(
                "/api/v1/shipments",
                json!({"waybill_no": "SF1405660342988", "customer_code": mine_code,
                       "revenue_fen": 1000, "ordered_at": "2026-11-01T01:00:00Z"}),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::CREATED);
        let events = write(
            &t,
            "tracking.csv",
            "运单号,扫描时间,扫描网点,轨迹描述\n\
             SF1405660342988,2026-11-01 10:05,上海青浦集散中心,已揽收\n\
             SF1405660342988,2026-11-01 22:40,上海青浦集散中心,已发往杭州\n\
             SF1405660342988,2026-11-02 09:30,杭州萧山分拨中心,派送中\n\
             SF0000000000,2026-11-02 09:30,杭州,派送中\n\
             SF1405660342988,昨天,杭州,已签收\n",
        );
        let r = run(&t, ImportKind::Tracking, &events, ImportOptions::default()).await;
        assert_eq!(counts(&r), (5, 3, 0, 0, 2), "{:?}", r.errors);
        let zh = report(&t, r.run_id, Lang::Zh).await;
        assert!(zh.iter().any(|(row, _, why)| row == "5" && why == "没有该运单号的运单"), "{zh:?}");
        assert!(zh.iter().any(|(row, col, _)| row == "6" && col == "扫描时间"), "{zh:?}");
        let again = run(&t, ImportKind::Tracking, &events, ImportOptions::default()).await;
        assert_eq!(counts(&again), (5, 0, 0, 3, 2));
        let (_, s) = admin.get("/api/v1/shipments/by-waybill/SF1405660342988").await;
        let sid = s["id"].as_str().expect("id").to_string();
        let (_, ev) = admin.get(&format!("/api/v1/shipments/{sid}/events")).await;
        assert_eq!(ev["items"][2]["place"], "杭州萧山分拨中心", "oldest first");
    })
    .await;
}

/// Near-same names are duplicates only when nothing says they are two companies: another
/// city and another credit code make a branch its own customer (issue 19).
#[tokio::test]
async fn near_same_names_in_other_cities_with_other_credit_codes_are_not_duplicates() {
    each_db(|t| async move {
        let existing = t
            .customer("恒信达供应链管理有限公司广州分公司", None, None)
            .await;
        let admin = t.api("admin").await;
        let uscc = |base: &str| {
            format!(
                "{base}{}",
                consign_domain::validate::uscc_check_char(base).expect("check")
            )
        };
        let (s, c) = admin
            .patch(
                &format!("/api/v1/customers/{existing}"),
                json!({ "uscc": uscc("91440101MA5CXY7Q1"), "province": "广东", "city": "广州" }),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::OK, "{c}");
        let file = write(
            &t,
            "branches.csv",
            &"客户编号,客户名称,客户类型,省份,城市,统一社会信用代码\n\
              KH910001,恒信达供应链管理有限公司北京分公司,企业,北京,北京,BJ\n\
              KH910002,恒信达供应链管理有限公司广州分公司,企业,广东,广州,\n"
                .replace("BJ", &uscc("91110105MA01AB2C3")),
        );
        let r = run(&t, ImportKind::Customers, &file, ImportOptions::default()).await;
        assert_eq!(
            counts(&r),
            (2, 1, 0, 0, 1),
            "the Beijing branch is new; the same name in Guangzhou is not: {:?}",
            r.errors
        );
        let zh = report(&t, r.run_id, Lang::Zh).await;
        assert!(
            zh.iter()
                .any(|(row, _, why)| row == "3" && why.contains("名称相同")),
            "{zh:?}"
        );
    })
    .await;
}

/// A customers file with one row per contact (the way CRMs export them) makes one
/// customer with every contact; customers in the same file are checked against each
/// other as against the archive; a customer with one bad row is not written at all; and
/// the shipments of a customer refused as a likely duplicate say so (issue 19).
#[tokio::test]
async fn customers_by_rows_of_contacts_and_duplicates_within_the_file() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let file = write(
            &t,
            "crm-export.csv",
            "客户编号,客户名称,客户类型,省份,城市,联系人,手机,职务\n\
             KH920001,南京金陵医药物流有限公司,企业,江苏,南京,周敏,13851112222,物流主管\n\
             KH920001,南京金陵医药物流有限公司,企业,江苏,南京,吴刚,13851113333,财务\n\
             KH920002,无锡太湖纺织品进出口有限公司,企业,江苏,无锡,陈静,13951114444,\n\
             KH920003,无锡太湖纺织进出口有限公司,企业,江苏,无锡,何平,13951115555,\n\
             KH920004,常州天宁机电设备有限公司,企业,江苏,常州,吴刚,13851113333,\n\
             KH920005,镇江丹徒五金制品有限公司,企业,江苏,镇江,朱丽,13651116666,\n\
             KH920005,镇江丹徒五金制品有限公司,企业,江苏,镇江,马超,12345,\n",
        );
        let r = run(&t, ImportKind::Customers, &file, ImportOptions::default()).await;
        assert_eq!(r.fault, None);
        assert_eq!(
            counts(&r),
            (7, 3, 0, 0, 4),
            "two rows of KH920001 and KH920002 are new; the rest refused: {:?}",
            r.errors
        );
        let (_, list) = admin.get("/api/v1/customers?q=KH920001").await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        let id = list["items"][0]["id"].as_str().expect("id").to_string();
        let (_, d) = admin.get(&format!("/api/v1/customers/{id}")).await;
        let contacts: Vec<(&str, bool)> = d["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|k| (k["name"].as_str().unwrap_or(""), k["is_primary"] == true))
            .collect();
        assert_eq!(contacts, vec![("周敏", true), ("吴刚", false)], "{d}");

        let zh = report(&t, r.run_id, Lang::Zh).await;
        let why = |row: &str| -> String {
            zh.iter()
                .filter(|(r, _, _)| r == row)
                .map(|(_, c, w)| format!("{c}: {w}"))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        assert!(
            why("5").contains("KH920002 无锡太湖纺织品进出口有限公司")
                && why("5").contains("名称相近"),
            "a near-same name earlier in the same file: {zh:?}"
        );
        assert!(
            why("6").contains("KH920001 南京金陵医药物流有限公司")
                && why("6").contains("联系电话相同"),
            "a phone given earlier in the same file: {zh:?}"
        );
        assert!(why("8").starts_with("联系电话"), "{zh:?}");
        assert!(
            why("7").contains("该客户第 8 行有误"),
            "the good row of a customer with a bad row says which row: {zh:?}"
        );
        let (_, none) = admin.get("/api/v1/customers?q=KH920005").await;
        assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "{none}");

        // The same file again: the written rows are unchanged, the refused ones refused.
        let again = run(&t, ImportKind::Customers, &file, ImportOptions::default()).await;
        assert_eq!(counts(&again), (7, 0, 0, 3, 4), "{:?}", again.errors);

        // Shipments of a refused customer: why, with the customer it looked like, in
        // either mode for unknown customers; nothing is created for it.
        let ships = write(
            &t,
            "ships.csv",
            "运单号,客户编号,寄件时间,应收金额\n\
             SF1400000000001,KH920004,2026-11-02 10:00,120\n\
             SF1400000000002,KH920099,2026-11-02 11:00,80\n",
        );
        for unknown in [UnknownCustomers::Reject, UnknownCustomers::Create] {
            let r = run(
                &t,
                ImportKind::Shipments,
                &ships,
                ImportOptions {
                    unknown_customers: Some(unknown),
                    ..Default::default()
                },
            )
            .await;
            let en = report(&t, r.run_id, Lang::En).await;
            assert!(
                en.iter().any(|(row, col, why)| row == "2"
                    && col == "客户编号"
                    && why.contains(&format!("refused in import #{}", again.run_id))
                    && why.contains("KH920001 南京金陵医药物流有限公司")),
                "{en:?}"
            );
            assert!(
                !en.iter()
                    .any(|(row, _, why)| row == "2" && why.contains("No customer")),
                "{en:?}"
            );
        }
        let (_, none) = admin.get("/api/v1/customers?q=KH920004").await;
        assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "{none}");
    })
    .await;
}
