//! Importing through the web UI and the API: upload a file, follow the run to its end,
//! see the counts and bad rows, download the report — in zh-CN and English, within the
//! roles that may import.

mod common;
use common::*;
use reqwest::StatusCode;

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../consign-app/tests/data/shipments-monthly-statement.gbk.csv"
);

async fn upload(
    b: &Browser,
    base: &str,
    csrf: &str,
    kind: &str,
    file: Option<(&str, Vec<u8>)>,
    create: bool,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .text("kind", kind.to_string())
        .text("encoding", "");
    if create {
        form = form.text("unknown_customers", "create");
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    b.client
        .post(format!("{base}/imports"))
        .multipart(form)
        .send()
        .await
        .expect("send")
}

#[tokio::test]
async fn upload_page_imports_and_shows_the_result() {
    each_db(|t| async move {
        let b = Browser::new(&t.url(""), Some("zh-CN"));
        assert_eq!(
            b.login("admin", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        let (s, page) = b.get("/imports").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("上传文件") && page.contains("enctype=\"multipart/form-data\""));
        assert!(page.contains("href=\"/imports\""), "in the navigation");
        let csrf = csrf_of(&page);

        // The carrier's GBK statement: 300 shipments, 6 new customers as prospects.
        let bytes = std::fs::read(SAMPLE).expect("sample");
        let r = upload(
            &b,
            &t.url(""),
            &csrf,
            "shipments",
            Some(("十月对账单.csv", bytes)),
            true,
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let run = location(&r);
        assert!(run.starts_with("/imports/"), "{run}");
        let html = until_done(&b, &run).await;
        assert!(html.contains("十月对账单.csv"));
        assert!(html.contains("已完成"), "{html}");
        assert!(html.contains("<dd class=\"num\">300</dd>"), "300 rows read");
        let (_, list) = b.get("/imports").await;
        assert!(
            list.contains(&format!("href=\"{run}\"")),
            "listed among recent imports"
        );
        assert!(
            list.contains("<span class=\"badge badge-green\">已完成</span>"),
            "a clean run's status is a green badge: {list}"
        );

        // A file with bad rows: the page lists them, the report has them in the user's
        // language.
        let bad = "运单号,寄件时间,客户编码,应付金额(元)\n\
                   SF9000000001,2026-10-01 10:00,NOSUCH,12.50\n\
                   SF9000000002,昨天,NOSUCH,-3\n";
        let r = upload(
            &b,
            &t.url(""),
            &csrf,
            "shipments",
            Some(("bad.csv", bad.as_bytes().to_vec())),
            false,
        )
        .await;
        let run = location(&r);
        let html = until_done(&b, &run).await;
        assert!(html.contains("客户编号不存在"), "{html}");
        assert!(html.contains("下载错误报告"), "{html}");
        let (s, csv) = b.get(&format!("{run}/errors.csv")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(csv.starts_with('\u{feff}'), "BOM for Excel");
        assert!(csv.contains("行号,列,内容,原因"), "{csv}");
        assert!(csv.contains("3,寄件时间,昨天,时间格式不正确"), "{csv}");
        let en = Browser::new(&t.url(""), Some("en"));
        assert_eq!(
            en.login("admin", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        let (_, html) = en.get(&run).await;
        assert!(html.contains("No customer has this code"), "{html}");

        // No file: the form says so; another session's token is refused.
        let r = upload(&b, &t.url(""), &csrf, "shipments", None, false).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.expect("body").contains("请选择要导入的文件"));
        let r = upload(
            &b,
            &t.url(""),
            "forged",
            "shipments",
            Some(("x.csv", b"a".to_vec())),
            false,
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // An account manager imports customers but not shipments, and does not see
        // others' runs; a read-only user has no import page.
        let am = Browser::new(&t.url(""), Some("zh-CN"));
        assert_eq!(
            am.login("lixy", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        let (s, page) = am.get("/imports").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("value=\"customers\"") && !page.contains("value=\"shipments\""));
        assert!(
            !page.contains(&format!("href=\"{run}\"")),
            "another user's run is not listed"
        );
        let (s, _) = am.get(&run).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let r = upload(
            &am,
            &t.url(""),
            &csrf_of(&page),
            "shipments",
            Some(("x.csv", bad.as_bytes().to_vec())),
            false,
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let ro = Browser::new(&t.url(""), Some("zh-CN"));
        assert_eq!(
            ro.login("ro", PASSWORD).await.status(),
            StatusCode::SEE_OTHER
        );
        let (s, page) = ro.get("/customers").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            !page.contains("href=\"/imports\""),
            "no import entry for read-only users"
        );
        let (s, _) = ro.get("/imports").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn api_takes_a_file() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let (_, c) = admin.get("/api/v1/me").await;
        assert!(c["username"] == "admin", "{c}");
        let mine = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let (_, d) = admin.get(&format!("/api/v1/customers/{mine}")).await;
        let code = d["customer"]["code"].as_str().expect("code").to_string();
        let csv = format!(
            "账单号,客户编号,账单金额,开票日期,到期日\n\
             ZD-1,{code},100.00,2026-10-03,2026-11-02\n\
             ZD-2,{code},0,2026-10-03,2026-11-02\n\
             HZ-3,{code},-20.00,2026-10-05,2026-10-05\n"
        );
        let run = import_by_api(
            &admin,
            "kind=invoices&file_name=账单.csv",
            "text/csv",
            csv.into_bytes(),
        )
        .await;
        let loc = format!("/api/v1/imports/{}", run["id"].as_str().expect("run id"));
        assert_eq!(run["status"], "finished", "{run}");
        assert_eq!(run["file_name"], "账单.csv");
        assert_eq!(run["counts"]["rows_new"], 2, "{run}");
        // A negative amount is a credit note (红字发票), as ledgers list them.
        let (_, note) = admin.get("/api/v1/invoices/by-number/HZ-3").await;
        assert_eq!(
            (note["kind"].as_str(), note["amount_fen"].as_i64()),
            (Some("credit_note"), Some(2_000)),
            "{note}"
        );
        assert_eq!(run["counts"]["rows_bad"], 1);
        assert_eq!(run["errors"][0]["row"], 3);
        assert_eq!(run["errors"][0]["column"], "账单金额");
        // The run is in the audit log: kind, file, counts, who.
        let (_, audit) = admin.get("/api/v1/audit?action=import.run").await;
        assert_eq!(audit["total"], 1, "{audit}");
        assert_eq!(audit["items"][0]["actor_name"], "系统管理员 (admin)");
        // Its summary is generated: a message key and values, read in the reader's
        // language (the API in the user's, the screen in the page's).
        assert_eq!(
            audit["items"][0]["summary"],
            "账单与发票 账单.csv：已完成，新增 2，更新 0，未变 0，错误 1"
        );
        assert_eq!(audit["items"][0]["summary_key"], "audit.summary.import_run");
        assert_eq!(
            audit["items"][0]["summary_args"][0],
            serde_json::json!({"k": "import.kind.invoices"})
        );
        assert_eq!(audit["items"][0]["summary_args"][1], "账单.csv");
        let b = t.browser("admin").await;
        b.get("/lang/en?next=/admin/audit").await;
        let (_, page) = b.get("/admin/audit?action=import.run").await;
        assert!(
            page.contains("Invoices 账单.csv: Finished, 2 new, 0 updated, 0 unchanged, 1 bad"),
            "{page}"
        );
        let r = admin
            .clone()
            .lang("en")
            .req(reqwest::Method::GET, &format!("{loc}/errors"))
            .send()
            .await
            .expect("send");
        let text = r.text().await.expect("csv");
        assert!(text.contains("Row,Column,Value,Reason"), "{text}");

        // A bad kind names the parameter; a role that may not import is refused.
        let r = admin
            .req(reqwest::Method::POST, "/api/v1/imports?kind=orders")
            .body("x")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let ro = t.api("ro").await;
        let r = ro
            .req(reqwest::Method::POST, "/api/v1/imports?kind=invoices")
            .body("账单号\n")
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

/// A 1 KB workbook whose shared strings declare 10^16 items once aborted the whole
/// server (issue 16). Now the import fails with a clear message naming the part, and the
/// server goes on serving.
#[tokio::test]
async fn a_crafted_workbook_fails_its_import_and_the_server_keeps_serving() {
    use std::io::{Read, Write};
    each_db(|t| async move {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "运单号").expect("cell");
        sheet.write_string(1, 0, "SF1001").expect("cell");
        let real = book.save_to_buffer().expect("save");
        let mut zin = zip::ZipArchive::new(std::io::Cursor::new(real)).expect("zip");
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).expect("part");
            let name = f.name().expect("name").into_owned();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read");
            if name.ends_with("sharedStrings.xml") {
                data = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="10000000000000000"><si><t>x</t></si></sst>"#.to_vec();
            }
            out.start_file(name, opts).expect("start");
            out.write_all(&data).expect("write");
        }
        let bomb = out.finish().expect("zip").into_inner();
        assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());

        let admin = t.api("admin").await;
        let run = import_by_api(
            &admin,
            "kind=shipments&file_name=bomb.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bomb,
        )
        .await;
        let loc = format!("/api/v1/imports/{}", run["id"].as_str().expect("run id"));
        assert_eq!(run["status"], "failed", "{run}");
        assert_eq!(run["file_name"], "bomb.xlsx");
        let reason = run["errors"][0]["reason"].as_str().unwrap_or("").to_string();
        assert!(reason.contains("xl/sharedStrings.xml") && reason.contains("uniqueCount"), "{run}");
        // Still serving.
        let (s, me) = admin.get("/api/v1/me").await;
        assert_eq!(s, StatusCode::OK, "{me}");
        let b = t.browser("admin").await;
        let (s, page) = b.get(&loc.replace("/api/v1", "")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("bomb.xlsx") && page.contains("无法读取 Excel 文件"), "{page}");
    })
    .await;
}

/// Sends a request's head and the first part of its body, then stalls; returns the
/// status line the server answers with within `wait` (None: no answer yet).
async fn answer_before_body(
    t: &TestApp,
    head: &str,
    first: &[u8],
    wait: std::time::Duration,
) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = t.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(first).await.expect("body");
    let mut buf = vec![0u8; 4096];
    match tokio::time::timeout(wait, s.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => Some(
            String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        _ => None,
    }
}

/// An upload is refused for its role or a missing CSRF token before its body is read
/// (issue 16): the answer comes while the client is still sending.
#[tokio::test]
async fn uploads_are_refused_before_their_body_is_read() {
    each_db(|t| async move {
        let wait = std::time::Duration::from_secs(5);
        // A read-only token, 100 MB announced, 10 bytes sent.
        let token = consign_app::auth::create_token(&t.app, &t.actor("ro").await, t.users.ro, "x", None)
            .await
            .expect("token")
            .1;
        let head = format!(
            "POST /api/v1/imports?kind=shipments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: text/csv\r\nContent-Length: 100000000\r\n\r\n"
        );
        let line = answer_before_body(&t, &head, b"waybill_no", wait).await;
        assert_eq!(line.as_deref(), Some("HTTP/1.1 403 Forbidden"));

        // The upload form without its token before the file.
        let b = Browser::new(&t.base, None);
        let r = b.login("admin", PASSWORD).await;
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("consign_session="))
            .and_then(|c| c.split(';').next())
            .expect("session")
            .to_string();
        let head = format!(
            "POST /imports HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
             Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000000\r\n\r\n"
        );
        let first = "--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nshipments\r\n\
                     --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
                     Content-Type: text/csv\r\n\r\nwaybill_no\r\n";
        let line = answer_before_body(&t, &head, first.as_bytes(), wait).await;
        assert_eq!(line.as_deref(), Some("HTTP/1.1 403 Forbidden"));
    })
    .await;
}

/// An upload that takes longer than the request timeout is not cut (issue 16): it is
/// bounded by its pauses instead. Here the timeout is one second and the file arrives
/// over three.
#[tokio::test]
async fn a_slow_upload_outlives_the_request_timeout() {
    let t = spawn_with(false, |s| s.request_timeout_secs = 1).await;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let token =
        consign_app::auth::create_token(&t.app, &t.actor("admin").await, t.users.admin, "x", None)
            .await
            .expect("token")
            .1;
    let body = "账单号,客户编号,账单金额,开票日期,到期日\n";
    let pieces = 6;
    let head = format!(
        "POST /api/v1/imports?kind=invoices&file_name=slow.csv HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len() * pieces
    );
    let mut s = tokio::net::TcpStream::connect(t.base.trim_start_matches("http://"))
        .await
        .expect("connect");
    s.write_all(head.as_bytes()).await.expect("head");
    for _ in 0..pieces {
        s.write_all(body.as_bytes()).await.expect("piece");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.expect("read");
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    // Other requests keep their timeout.
    let (s, _) = t.api("admin").await.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
}
