//! `consign-bench import`: writes a shipment CSV of N rows (the monthly-statement layout
//! of samples/, UTF-8, Pareto-distributed customers, some exceptions), then times
//! `consign import` into a fresh database: the first run, and the same file again (which
//! must change nothing). Optionally an XLSX of the first rows, and a copy with 1% bad rows.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A small deterministic generator (no dependency, same file on every machine).
pub struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const CITIES: &[&str] = &[
    "上海", "北京", "广州", "深圳", "杭州", "苏州", "南京", "成都", "重庆", "武汉", "西安", "郑州",
    "长沙", "天津", "宁波", "合肥", "青岛", "厦门",
];
const MODES: &[&str] = &["标准快递", "特快", "零担", "整车", "冷链"];
pub const HEADER: &str = "运单号,寄件时间,客户编码,客户名称,始发城市,目的城市,产品类型,件数,计费重量(kg),运费(元),增值服务费(元),应付金额(元),签收时间,签收状态,备注";

/// One data row; `bad` spoils it in one of several ways.
pub fn row(rng: &mut Rng, i: u64, customers: u64, bad: bool) -> String {
    // Pareto-like: a few customers ship most.
    let c = ((customers as f64) * rng.unit().powf(3.0)) as u64;
    let day = rng.below(365);
    let (y, m, d) = {
        let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
            + chrono::Duration::days(day as i64);
        use chrono::Datelike;
        (date.year(), date.month(), date.day())
    };
    let (hh, mm) = (rng.below(24), rng.below(60));
    let freight = 800 + rng.below(30_000);
    let extra = if rng.below(4) == 0 {
        200 + rng.below(1_000)
    } else {
        0
    };
    let transit_h = 6 + rng.below(96);
    let ordered = chrono::NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(hh as u32, mm as u32, 0))
        .unwrap_or_default();
    let delivered = ordered + chrono::Duration::hours(transit_h as i64);
    let (status, note) = match rng.below(100) {
        0 => ("退回", "收件人拒收"),
        1 => ("已签收", "外包装破损"),
        2 => ("运输中", ""),
        _ => ("已签收", ""),
    };
    let delivered = if status == "运输中" {
        String::new()
    } else {
        delivered.format("%Y-%m-%d %H:%M:%S").to_string()
    };
    let money = |f: u64| format!("{}.{:02}", f / 100, f % 100);
    let mut weight = format!("{}.{}", 1 + rng.below(80), rng.below(10));
    let mut ordered_s = if i.is_multiple_of(2) {
        ordered.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        ordered.format("%Y/%-m/%-d %H:%M").to_string()
    };
    let mut total = money(freight + extra);
    if bad {
        match i % 4 {
            0 => weight = format!("-{weight}"),
            1 => ordered_s = "昨天".into(),
            2 => total = "12.345".into(),
            _ => ordered_s = "2026-01-01 00:00:00".into(), // delivered before ordered
        }
    }
    format!(
        "SF{:013},{ordered_s},C{:05},客户{:05}供应链管理有限公司,{},{},{},{},{weight},{},{},\"{total}\",{delivered},{status},{note}",
        1_000_000_000_000u64 + i,
        10_000 + c,
        10_000 + c,
        CITIES[rng.below(CITIES.len() as u64) as usize],
        CITIES[rng.below(CITIES.len() as u64) as usize],
        MODES[rng.below(MODES.len() as u64) as usize],
        1 + rng.below(20),
        money(freight),
        if extra > 0 { money(extra) } else { String::new() },
    )
}

/// Writes the CSV unless it exists; `bad_every` spoils every n-th row (0: none).
pub fn write_csv(path: &Path, rows: u64, customers: u64, bad_every: u64) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let tmp = path.with_extension("tmp");
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    writeln!(w, "{}年 月结对账单,,,,,,,,,,,,,,", 2025)?;
    writeln!(w, "{HEADER}")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..rows {
        let bad = bad_every > 0 && i % bad_every == bad_every / 2;
        writeln!(w, "{}", row(&mut rng, i, customers, bad))?;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Writes the first `rows` rows of the same data as an XLSX workbook.
pub fn write_xlsx(path: &Path, rows: u64, customers: u64) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h)?;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..rows {
        let line = row(&mut rng, i, customers, false);
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(i as u32 + 1, c as u16, cell.trim_matches('"'))?;
        }
    }
    book.save(path)?;
    Ok(())
}

pub struct Run {
    pub seconds: f64,
    pub peak_rss_mb: u64,
    pub summary: String,
}

/// Runs `consign import shipments` (unknown customers created) as its own process and
/// times it.
pub fn import(consign: &Path, data_dir: &Path, db_url: Option<&str>, file: &Path) -> Result<Run> {
    import_kind(
        consign,
        data_dir,
        db_url,
        "shipments",
        file,
        &["--unknown-customers", "create"],
    )
}

/// Runs `consign import KIND FILE EXTRA…` as its own process and times it.
pub fn import_kind(
    consign: &Path,
    data_dir: &Path,
    db_url: Option<&str>,
    kind: &str,
    file: &Path,
    extra: &[&str],
) -> Result<Run> {
    let mut cmd = std::process::Command::new(consign);
    cmd.arg("--data-dir").arg(data_dir);
    if let Some(u) = db_url {
        cmd.arg("--database-url").arg(u);
    }
    cmd.args(["import", kind])
        .arg(file)
        .args(extra)
        .args(["--quiet", "--lang", "en"])
        .env("CONSIGN_LOG", "info");
    let start = Instant::now();
    let out = cmd.output().context("running consign import")?;
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    if !(out.status.success() || out.status.code() == Some(3)) {
        bail!("consign import failed: {stdout}\n{stderr}");
    }
    let peak_rss_mb = stderr
        .lines()
        .find_map(|l| l.split("peak_rss_mb=").nth(1))
        .and_then(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_digit())
                .collect::<String>()
                .parse()
                .ok()
        })
        .unwrap_or(0);
    Ok(Run {
        seconds,
        peak_rss_mb,
        summary: stdout.lines().next().unwrap_or("").to_string(),
    })
}

pub fn report(label: &str, rows: u64, r: &Run) {
    println!(
        "{label:<34} {:>8.1} s {:>9.0} rows/s  peak RSS {:>4} MB   {}",
        r.seconds,
        rows as f64 / r.seconds,
        r.peak_rss_mb,
        r.summary
    );
}

pub fn fresh_dir(dir: &Path) -> Result<PathBuf> {
    let d = dir.join("db");
    if d.exists() {
        std::fs::remove_dir_all(&d)?;
    }
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// `--credit`: the first run into a database that already knows every customer of the
/// file, without credit accounts and then with one for every customer (a third of them
/// under the block policy with a limit their shipments pass: the worst case, every row
/// weighed and many held) — the import's cost of keeping exposure and deciding holds.
pub async fn credit_variants(
    consign: &Path,
    dir: &Path,
    target: Option<&str>,
    csv: &Path,
    rows: u64,
    customers: u64,
) -> Result<()> {
    let known = dir.join(format!("customers-{customers}.csv"));
    if !known.exists() {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&known)?);
        writeln!(w, "运单号,寄件时间,客户编码,客户名称,应付金额(元)")?;
        for c in 0..customers {
            writeln!(
                w,
                "PRE{:07},2024-12-31 12:00:00,C{:05},客户{:05}供应链管理有限公司,1.00",
                c,
                10_000 + c,
                10_000 + c
            )?;
        }
        w.flush()?;
    }
    // 0: no accounts; 1: an account for every customer, none blocking; 2: a third
    // blocking.
    for variant in 0..3 {
        let with_accounts = variant > 0;
        if let Some(u) = target {
            crate::empty_pg(u).await?;
        }
        let d = fresh_dir(dir)?;
        import(consign, &d, target, &known)?;
        if with_accounts {
            let url = match target {
                Some(u) => u.to_string(),
                None => format!("sqlite://{}?mode=rwc", d.join("consign.db").display()),
            };
            use sea_orm::ConnectionTrait;
            let db = sea_orm::Database::connect(url).await?;
            db.execute_unprepared(&format!(
                "INSERT INTO credit_accounts (customer_id, monthly_settlement, limit_fen, \
                 term_days, rating, policy, updated_at) \
                 SELECT id, TRUE, 5000000 + (id % 7) * 1000000, 30, 'B', \
                 CASE WHEN id % 3 = 0 AND {} THEN 'block' ELSE 'warn' END, '{}' FROM customers",
                if variant == 2 { "TRUE" } else { "FALSE" },
                chrono::Utc::now().to_rfc3339()
            ))
            .await?;
            db.close().await?;
        }
        let r = import(consign, &d, target, csv)?;
        let label = match variant {
            0 => format!("{rows} rows, customers known, no credit"),
            1 => format!("{rows} rows, all with credit, warn"),
            _ => format!("{rows} rows, all with credit, 1/3 block"),
        };
        report(&label, rows, &r);
    }
    Ok(())
}
