//! `kill -9` during `consign import`, then the same import again: the database is
//! consistent after the kill (rollups equal the raw shipments, the run's counts equal
//! what it wrote) and ends with exactly the file's content. On SQLite and PostgreSQL.

use consign_store::{shipments, Db};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const ROWS: u64 = 60_000;

/// A shipment file and what it sums to: (rows, revenue in fen).
fn write_file(path: &Path) -> (i64, i64) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(
        w,
        "运单号,寄件时间,客户编码,客户名称,始发城市,目的城市,产品类型,件数,计费重量(kg),应付金额(元),签收时间,签收状态,备注"
    )
    .expect("write");
    let mut revenue = 0i64;
    for i in 0..ROWS {
        let fen = 500 + (i * 7919 % 20_000) as i64;
        revenue += fen;
        let day = 1 + i % 28;
        let (delivered, status) = if i % 10 == 0 {
            (String::new(), "运输中")
        } else {
            (format!("2025-10-{:02} 20:00", (day + 2).min(31)), "已签收")
        };
        writeln!(
            w,
            "KL{i:010},2025-10-{day:02} 08:{:02},C{:04},客户{:04}物流有限公司,上海,杭州,零担,1,2.5,{}.{:02},{delivered},{status},{}",
            i % 60,
            i % 300,
            i % 300,
            fen / 100,
            fen % 100,
            if i % 37 == 0 { "外包装破损" } else { "" }
        )
        .expect("write");
    }
    w.flush().expect("flush");
    (ROWS as i64, revenue)
}

fn consign(data: &Path, url: &str, file: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_consign"));
    c.arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(url)
        .args(["import", "shipments"])
        .arg(file)
        .args(["--unknown-customers", "create", "--quiet"])
        .env("CONSIGN_LOG", "warn")
        // Commits every 5,000 rows, so that the kill lands between commits.
        .env("CONSIGN_IMPORT_COMMIT_ROWS", "5000");
    c
}

async fn check_consistent(url: &str) -> (shipments::Totals, i64) {
    let db = Db::connect(url, None).await.expect("connect");
    for monthly in [false, true] {
        assert_eq!(
            shipments::company_rollup(&db.conn, monthly)
                .await
                .expect("company"),
            shipments::summed(&shipments::rollup(&db.conn, monthly).await.expect("rollup")),
            "the company's rollup is every customer's summed"
        );
        assert_eq!(
            shipments::rollup(&db.conn, monthly).await.expect("rollup"),
            shipments::aggregate_raw(&db.conn, monthly)
                .await
                .expect("aggregate"),
            "rollups equal the raw shipments"
        );
    }
    let totals = shipments::totals(&db.conn).await.expect("totals");
    let runs = consign_store::imports::recent(&db.conn, 10)
        .await
        .expect("runs");
    let written: i64 = runs.iter().map(|r| r.counts.rows_new).sum();
    let _ = db.conn.close().await;
    (totals, written)
}

async fn kill_then_rerun(url: &str, dir: &Path) {
    let file = dir.join("shipments.csv");
    let (rows, revenue) = write_file(&file);
    let data = dir.join("data");
    // Migrate first so that polling can start at once.
    let st = Command::new(env!("CARGO_BIN_EXE_consign"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--database-url")
        .arg(url)
        .arg("migrate")
        .env("CONSIGN_LOG", "warn")
        .output()
        .expect("migrate");
    assert!(st.status.success(), "{st:?}");
    let mut child = consign(&data, url, &file).spawn().expect("spawn");
    let db = Db::connect(url, None).await.expect("connect");
    let started = Instant::now();
    // Kill once some batches are committed, in the middle of the run.
    loop {
        let n = consign_store::imports::recent(&db.conn, 1)
            .await
            .expect("runs")
            .first()
            .map(|r| r.counts.rows_read)
            .unwrap_or(0);
        if n >= 10_000 {
            break;
        }
        if let Some(st) = child.try_wait().expect("wait") {
            panic!("the import ended before it could be killed: {st:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = db.conn.close().await;
    child.kill().expect("kill -9"); // SIGKILL on Unix
    child.wait().expect("reap");

    let (after_kill, written) = check_consistent(url).await;
    assert!(
        after_kill.shipments > 0 && after_kill.shipments < rows,
        "killed mid-run: {after_kill:?}"
    );
    assert_eq!(
        after_kill.shipments, written,
        "the run's counts match what it committed"
    );

    let out = consign(&data, url, &file).output().expect("rerun");
    assert!(out.status.success(), "{out:?}");
    let (end, _) = check_consistent(url).await;
    assert_eq!(
        (end.shipments, end.revenue_fen),
        (rows, revenue),
        "exactly the file's content"
    );
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

#[tokio::test]
async fn killed_import_leaves_a_consistent_database_and_rerun_completes() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("kill.db").display());
    kill_then_rerun(&url, dir.path()).await;

    let base = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let admin = match Db::connect(&base, None).await {
        Ok(db) => db,
        Err(e) if ci() => panic!("PostgreSQL is required under CI=true: {base}: {e}"),
        Err(e) => {
            eprintln!("\n*** SKIPPING the PostgreSQL run of the kill test: {base} cannot be reached ({e}).\n");
            return;
        }
    };
    let name = format!("consign_kill_{}", std::process::id());
    let exec = |sql: String| {
        let conn = admin.conn.clone();
        async move { sea_orm::ConnectionTrait::execute_unprepared(&conn, &sql).await }
    };
    exec(format!("DROP DATABASE IF EXISTS {name}"))
        .await
        .expect("drop");
    exec(format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    let pg_url = match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("odd URL {base}"),
    };
    let pg_dir = tempfile::tempdir().expect("tmp");
    kill_then_rerun(&pg_url, pg_dir.path()).await;
    let _ = exec(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
}
