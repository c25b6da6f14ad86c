//! `consign-bench import-customers`: writes two customers files of N customers each, one
//! row per contact and two contacts per customer (the way CRMs export customers), with
//! the demo's Chinese company names (companies only: its people and public bodies repeat
//! names), regions, industries and credit codes; then times
//! `consign import customers`: the first file into an empty database, the second (other
//! customers) into the database that now holds the first, and the first file again
//! (every row unchanged).

use crate::import::{fresh_dir, Run};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const HEADER: &str =
    "客户编号,客户名称,客户类型,行业,省份,城市,服务方式,统一社会信用代码,地址,联系人,手机,职务";

/// Writes `n` customers from `seed`, codes `{prefix}000001…`, two rows each.
fn write_file(path: &Path, seed: u64, n: usize, prefix: &str) -> Result<()> {
    // Companies (the demo's people and public bodies repeat names, as they would be
    // refused as duplicates): as many as asked for, from a larger draw.
    let list: Vec<_> = consign_app::demo::generate(seed, n * 3 / 2 + 100, 8)
        .into_iter()
        .filter(|c| c.kind.as_str() == "enterprise")
        .take(n)
        .collect();
    if list.len() < n {
        bail!("the demo generator gave only {} companies", list.len());
    }
    let mut rng = consign_app::demo::Rng::new(seed + 1000);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "{HEADER}")?;
    let field = |s: &str| -> String {
        if s.contains(',') || s.contains('"') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    for (i, c) in list.iter().enumerate() {
        let modes: Vec<&str> = c.modes.iter().map(|m| m.as_str()).collect();
        let mut contacts = c.contacts.clone();
        while contacts.len() < 2 {
            contacts.push((
                "王磊".into(),
                "采购主管".into(),
                format!("13{}", rng.digits(9)),
                None,
            ));
        }
        for (name, title, phone, _) in contacts.iter().take(2) {
            writeln!(
                out,
                "{prefix}{:06},{},{},{},{},{},{},{},{},{},{},{}",
                i + 1,
                field(&c.name),
                c.kind.as_str(),
                c.industry.as_str(),
                c.province,
                c.city,
                modes.join(";"),
                c.uscc.as_deref().unwrap_or(""),
                field(&c.address),
                field(name),
                phone,
                field(title),
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn import(consign: &Path, data_dir: &Path, db_url: Option<&str>, file: &Path) -> Result<Run> {
    let mut cmd = std::process::Command::new(consign);
    cmd.arg("--data-dir").arg(data_dir);
    if let Some(u) = db_url {
        cmd.arg("--database-url").arg(u);
    }
    cmd.args(["import", "customers"])
        .arg(file)
        .args(["--quiet", "--lang", "en"])
        .env("CONSIGN_LOG", "info");
    let start = Instant::now();
    let out = cmd.output().context("running consign import")?;
    let seconds = start.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
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

fn report(label: &str, customers: usize, r: &Run) {
    println!(
        "{label:<44} {:>6.1} s {:>8.0} customers/s {:>8.0} rows/s  peak RSS {:>4} MB   {}",
        r.seconds,
        customers as f64 / r.seconds,
        2.0 * customers as f64 / r.seconds,
        r.peak_rss_mb,
        r.summary
    );
}

pub async fn run(
    customers: usize,
    dir: PathBuf,
    consign: PathBuf,
    postgres: Option<String>,
    again: bool,
) -> Result<()> {
    crate::need_binary(&consign)?;
    std::fs::create_dir_all(&dir)?;
    let first = dir.join(format!("customers-{customers}-a.csv"));
    let second = dir.join(format!("customers-{customers}-b.csv"));
    let t = Instant::now();
    write_file(&first, 42, customers, "KA")?;
    write_file(&second, 4242, customers, "KB")?;
    println!(
        "files ready in {:.1} s: {} and {} ({} rows each)",
        t.elapsed().as_secs_f64(),
        first.display(),
        second.display(),
        2 * customers
    );
    let target = postgres.as_deref();
    if let Some(u) = target {
        crate::empty_pg(u).await?;
    }
    let label = if target.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let d = fresh_dir(&dir)?;
    let r = import(&consign, &d, target, &first)?;
    report(
        &format!("{label}: {customers} into an empty database"),
        customers,
        &r,
    );
    let r = import(&consign, &d, target, &second)?;
    report(
        &format!("{label}: {customers} more into {customers}"),
        customers,
        &r,
    );
    if again {
        let r = import(&consign, &d, target, &first)?;
        report(&format!("{label}: the first file again"), customers, &r);
    }
    Ok(())
}
