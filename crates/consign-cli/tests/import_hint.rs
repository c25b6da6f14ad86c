//! A file whose required column is not found is refused whole, and the command prints the
//! profile lines that would name it (issue 19): the headers that might hold the field,
//! or a line to fill in when none does.

use std::process::Command;

#[test]
fn a_missing_column_prints_the_profile_lines_to_add() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("对账单.csv");
    std::fs::write(
        &file,
        "单据,寄件时间,客户编码,应付金额\nX1,2026-11-02 10:00,KH1,12.00\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_consign"))
        .current_dir(dir.path())
        .env_remove("CONSIGN_DATA_DIR")
        .env_remove("CONSIGN_DATABASE_URL")
        .env("LANG", "zh_CN.UTF-8")
        .args(["--data-dir", "d", "import", "shipments"])
        .arg(&file)
        .output()
        .expect("run consign");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "the file is refused: {stdout}");
    assert!(stdout.contains("运单号/waybill_no"), "{stdout}");
    assert!(stdout.contains("[columns]"), "{stdout}");
    assert!(
        stdout.contains("# \"文件中的列名\" = \"waybill_no\""),
        "a line to fill in: {stdout}"
    );
}
