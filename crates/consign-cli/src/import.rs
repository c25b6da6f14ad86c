//! `consign import`: a file of shipments, customers or another kind into the database,
//! with a progress bar, the summary and the error report; or `--dry-run`, what importing
//! it would do.

use crate::{explain, open, settings, Global};
use anyhow::{anyhow, Context, Result};
use consign_app::auth::Actor;
use std::io::IsTerminal;
use std::path::PathBuf;

#[allow(clippy::too_many_arguments)]
pub(crate) async fn import(
    g: &Global,
    kind: &str,
    file: &std::path::Path,
    encoding: Option<&str>,
    unknown: Option<&str>,
    profile: Option<&str>,
    errors: Option<PathBuf>,
    lang: consign_domain::Lang,
    quiet: bool,
    allow_duplicates: bool,
    dry_run: bool,
) -> Result<i32> {
    use consign_app::imports::{self, ImportKind, ImportOptions, ImportProgress, UnknownCustomers};
    use consign_app::tabular::TextEncoding;
    use std::sync::atomic::Ordering;
    let kind = ImportKind::parse(kind).ok_or_else(|| {
        anyhow!(
            "unknown kind {kind:?}: {}",
            ImportKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let encoding = match encoding {
        Some(e) => Some(
            TextEncoding::parse(e)
                .ok_or_else(|| anyhow!("unknown encoding {e:?}: utf-8 or gbk"))?,
        ),
        None => None,
    };
    let unknown_customers = match unknown {
        Some(u) => Some(
            UnknownCustomers::parse(u)
                .ok_or_else(|| anyhow!("--unknown-customers is reject or create, not {u:?}"))?,
        ),
        None => None,
    };
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let mut s = settings(g, false)?;
    // Streaming a file must keep the process's memory flat: no memory map of the
    // database (its pages would count as the process's own).
    s.sqlite_mmap_mib = 0;
    let app = open(s).await?;
    let profile = match profile {
        Some(name) => consign_app::imports::load_profile(&app, &Actor::system("cli"), name)
            .await
            .map_err(explain)?
            .ok_or_else(|| anyhow!("no import profile named {name:?}"))?,
        None => Default::default(),
    };
    let progress = std::sync::Arc::new(ImportProgress::default());
    let bar = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(size)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}")
            .map_err(|e| anyhow!(e))?,
    );
    let ticker = {
        let (bar, progress) = (bar.clone(), progress.clone());
        let start = std::time::Instant::now();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                let rows = progress.rows.load(Ordering::Relaxed);
                let secs = start.elapsed().as_secs_f64().max(0.001);
                bar.set_position(progress.bytes.load(Ordering::Relaxed));
                bar.set_message(format!("{rows} rows  {:.0} rows/s", rows as f64 / secs));
            }
        })
    };
    let mut opts = ImportOptions {
        kind: Some(kind),
        encoding,
        unknown_customers,
        profile,
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        allow_duplicates,
    };
    let actor = Actor::system("import");
    if let Some(name) = imports::apply_recognised(&app, file, &mut opts)
        .await
        .map_err(explain)?
    {
        eprintln!("{}", lang.tf("import.recognised", &[&name]));
    }
    if dry_run {
        ticker.abort();
        bar.finish_and_clear();
        let d = imports::dry_run(&app, &actor, file, &opts, lang)
            .await
            .map_err(explain)?;
        print_dry_run(&d, lang);
        return Ok(if d.problem.is_some() {
            2
        } else if d.rows_bad > 0 {
            3
        } else {
            0
        });
    }
    let report = imports::import_file(&app, &actor, file, opts, progress)
        .await
        .map_err(explain)?;
    ticker.abort();
    bar.finish_and_clear();
    println!("{}", report.summary(lang));
    if report.repeated > 0 {
        println!("{}", lang.tf("import.repeated", &[&report.repeated]));
    }
    for line in report.notes.lines(lang) {
        println!("{line}");
    }
    let bad = report.counts.rows_bad > 0 || report.fault.is_some();
    if bad {
        for e in report.errors.iter().take(10) {
            let row = if e.row_no == 0 {
                lang.t("import.file_level").to_string()
            } else {
                e.row_no.to_string()
            };
            println!(
                "  {} {row}  {} {:?}  {}",
                lang.t("import.report.row"),
                e.column,
                e.cell,
                imports::reason(lang, e)
            );
        }
        let path = errors.unwrap_or_else(|| {
            let mut p = file.as_os_str().to_owned();
            p.push(".errors.csv");
            PathBuf::from(p)
        });
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        );
        imports::run_report(&app, &Actor::system("cli"), report.run_id, lang, &mut out)
            .await
            .map_err(explain)?;
        std::io::Write::flush(&mut out)?;
        println!("{}", lang.tf("import.errors_written", &[&path.display()]));
    }
    // A required column not found: the profile lines that name it.
    if !report.missing.is_empty() {
        println!("{}", lang.t("import.profile_hint"));
        println!("[columns]");
        for (field, maybe) in &report.missing {
            if maybe.is_empty() {
                println!("# \"{}\" = \"{field}\"", lang.t("import.your_header"));
            }
            for h in maybe {
                println!("{:?} = \"{field}\"", h.trim());
            }
        }
    }
    if let Some(rss) = peak_rss_mb() {
        tracing::info!(peak_rss_mb = rss, "import finished");
    }
    // 0: all rows imported; 2: the file could not be read to its end; 3: some rows bad.
    Ok(if report.fault.is_some() {
        2
    } else if report.counts.rows_bad > 0 {
        3
    } else {
        0
    })
}

/// What a dry run found, and the profile lines that would map what it could not.
fn print_dry_run(d: &consign_app::imports::DryRun, lang: consign_domain::Lang) {
    println!(
        "{}",
        lang.tf(
            "import.dry.summary",
            &[&d.rows_read, &d.rows_good, &d.rows_bad]
        )
    );
    if let Some(p) = &d.problem {
        println!("{p}");
    }
    for c in &d.columns {
        let field = c.field.unwrap_or("—");
        let how = lang.t(c.confidence.label_key());
        if c.candidates.is_empty() {
            println!("  {:<24} → {field}  ({how})", c.header);
        } else {
            println!(
                "  {:<24} → {field}  ({how}: {})",
                c.header,
                c.candidates.join(" / ")
            );
        }
    }
    let notes = consign_app::imports::RunNotes {
        total_check: d.total_check,
        ..Default::default()
    };
    for line in notes.lines(lang) {
        println!("{line}");
    }
    if d.unknown_customers > 0 {
        println!(
            "{}",
            lang.tf(
                "import.dry.unknown_customers",
                &[&d.unknown_customers, &d.unknown_customer_rows]
            )
        );
    }
    if d.out_of_scope_rows > 0 {
        println!(
            "{}",
            lang.tf("import.dry.out_of_scope", &[&d.out_of_scope_rows])
        );
    }
    for e in d.errors.iter().take(10) {
        println!(
            "  {} {}  {} {:?}  {}",
            lang.t("import.report.row"),
            e.row,
            e.column,
            e.value,
            e.reason
        );
    }
    // Lines for a profile: the missing fields' candidates and the values no table knows.
    if !d.missing.is_empty() || !d.unmapped.is_empty() {
        println!("{}", lang.t("import.profile_hint"));
    }
    if !d.missing.is_empty() {
        println!("[columns]");
        for field in &d.missing {
            let maybe: Vec<&str> = d
                .columns
                .iter()
                .filter(|c| c.candidates.contains(field))
                .map(|c| c.header.trim())
                .collect();
            if maybe.is_empty() {
                println!("# \"{}\" = \"{field}\"", lang.t("import.your_header"));
            }
            for h in maybe {
                println!("{h:?} = \"{field}\"");
            }
        }
    }
    for field in ["service_mode", "status"] {
        let values: Vec<_> = d.unmapped.iter().filter(|v| v.field == field).collect();
        if values.is_empty() {
            continue;
        }
        println!("[values.{field}]");
        for v in values {
            println!(
                "{:?} = \"\"  # {}",
                v.text,
                lang.tf("import.dry.rows", &[&v.rows])
            );
        }
    }
}

/// Peak resident memory of this process in MB (Linux), for the import benchmark.
fn peak_rss_mb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
