//! `consign import --dry-run` reads the whole file and writes nothing (issue 19): it
//! prints the columns with their fields, the counts, the product names nothing places with
//! the profile lines that would map them, and a second run without it imports the rows.

use std::process::Command;

fn consign(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_consign"))
        .current_dir(dir)
        .env_remove("CONSIGN_DATA_DIR")
        .env_remove("CONSIGN_DATABASE_URL")
        .env("LANG", "zh_CN.UTF-8")
        .args(["--data-dir", "d"])
        .args(args)
        .output()
        .expect("run consign");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("货主台账.csv");
    std::fs::write(
        &file,
        "货主台账导出,,,,,\n\
         运单号码,下单日期,客户编号,产品,线路,应收费用\n\
         DR0001,2026-11-02,KH1,精品特供,苏州-成都,10.00\n\
         DR0002,2026-11-02,KH1,精品特供,苏州-成都,20.00\n\
         DR0003,2026-11-02,KH1,精准卡航,苏州-成都,30.00\n\
         合计,,,,,60.00\n",
    )
    .expect("write");
    let path = file.to_string_lossy().into_owned();
    let (code, out) = consign(
        dir.path(),
        &[
            "import",
            "shipments",
            &path,
            "--unknown-customers",
            "create",
            "--dry-run",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("试运行，未写入任何数据：读取 3 行，可导入 3 行，坏行 0 行"),
        "{out}"
    );
    assert!(
        out.contains("运单号码") && out.contains("→ waybill_no"),
        "{out}"
    );
    assert!(out.contains("→ route"), "{out}");
    assert!(
        out.contains("合计行核对：文件合计 60.00 与导入的行一致"),
        "{out}"
    );
    assert!(out.contains("1 个客户编号不存在（3 行）"), "{out}");
    assert!(out.contains("[values.service_mode]"), "{out}");
    assert!(out.contains("\"精品特供\" = \"\"  # 2 行"), "{out}");

    // Nothing was written: the import reads every row as new.
    let (code, out) = consign(
        dir.path(),
        &[
            "import",
            "shipments",
            &path,
            "--unknown-customers",
            "create",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("读取 3 行：新增 3"), "{out}");
    assert!(
        out.contains("产品名称“精品特供”不在产品表中：2 行按“其他”方式导入"),
        "{out}"
    );
}
