//! `consign-bench classify`: a demo database of 100,000 customers and about 10 million
//! shipments (made once with `consign demo`, kept under target/bench/classify), then
//! `consign classify` as its own process several times (the recompute's own time, as
//! it reports it, and the process's), then the manager's dashboard over HTTP against a
//! release server: its JSON and its page, each request timed on loopback.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub async fn run(
    customers: usize,
    scale: f64,
    dir: PathBuf,
    consign: PathBuf,
    runs: usize,
    requests: usize,
) -> Result<()> {
    crate::need_binary(&consign)?;
    std::fs::create_dir_all(&dir)?;
    if !dir.join("consign.db").exists() {
        let t = Instant::now();
        let out = std::process::Command::new(&consign)
            .arg("--data-dir")
            .arg(&dir)
            .args(["demo", "--no-serve", "--customers", &customers.to_string()])
            .args(["--scale", &scale.to_string()])
            .env("CONSIGN_LOG", "warn")
            .output()
            .context("consign demo")?;
        if !out.status.success() {
            bail!(
                "consign demo failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        println!(
            "demo database made in {:.0} s: {}",
            t.elapsed().as_secs_f64(),
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .nth(1)
                .unwrap_or("")
        );
    } else {
        println!("reusing {}", dir.display());
    }
    let mut own = Vec::new();
    for i in 0..runs {
        let t = Instant::now();
        let out = std::process::Command::new(&consign)
            .arg("--data-dir")
            .arg(&dir)
            .args(["classify", "--lang", "en"])
            .env("CONSIGN_LOG", "info")
            .output()
            .context("consign classify")?;
        if !out.status.success() {
            bail!(
                "consign classify failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let wall = t.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let line = stdout.lines().last().unwrap_or("").to_string();
        // "…; policy v1; 2.13 s"
        let secs: f64 = line
            .rsplit("; ")
            .next()
            .and_then(|s| s.trim_end_matches(" s").trim().parse().ok())
            .unwrap_or(f64::NAN);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let steps = stderr
            .lines()
            .find(|l| l.contains("classification run="))
            .and_then(|l| l.split("customers=").nth(1))
            .map(|s| format!("customers={s}"))
            .unwrap_or_default();
        println!(
            "classify #{}: {secs:.2} s (process {wall:.2} s)  {steps}",
            i + 1
        );
        println!("  {line}");
        own.push(secs);
    }
    own.sort_by(|a, b| a.total_cmp(b));
    if let Some(m) = own.get(own.len() / 2) {
        println!("classify median {m:.2} s over {runs} runs (target ≤ 3 s)");
    }
    dashboard(&dir, &consign, requests).await
}

pub(crate) fn median_ms(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let med = v.get(v.len() / 2).copied().unwrap_or(f64::NAN);
    let max = v.last().copied().unwrap_or(f64::NAN);
    (med, max)
}

async fn dashboard(dir: &Path, consign: &Path, requests: usize) -> Result<()> {
    let port = 18_000 + (std::process::id() % 1000) as u16;
    let mut server = std::process::Command::new(consign)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("CONSIGN_LOG", "warn")
        .spawn()
        .context("starting consign serve")?;
    let base = format!("http://127.0.0.1:{port}");
    let client = session_client()?;
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/login")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let result = async {
        if !up {
            bail!("the server did not start");
        }
        login(&client, &base, "admin").await?;
        for (label, path) in [
            ("GET /analysis (page)", "/analysis"),
            (
                "GET /analysis?province=广东",
                "/analysis?province=%E5%B9%BF%E4%B8%9C",
            ),
            (
                "GET /analysis?industry=cold_chain_food",
                "/analysis?industry=cold_chain_food",
            ),
            (
                "GET /analysis?service_mode=ltl",
                "/analysis?service_mode=ltl",
            ),
            ("GET /analysis?owner=3", "/analysis?owner=3"),
            ("GET /api/v1/dashboard (JSON)", "/api/v1/dashboard"),
        ] {
            time_one(&client, &base, requests, "dashboard", label, path, 100).await?;
        }
        shipment_list(&client, &base, requests).await?;
        kpis(&client, &base, requests).await?;
        // An account manager's own scope (its customers and the pool): lixy, id 3.
        let lixy = session_client()?;
        login(&lixy, &base, "lixy").await?;
        own_shipment_list(&lixy, &base, requests).await
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// A client that keeps its session cookie and shows redirects as they are.
fn session_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// Signs `user` in on `client` (a cookie store) with the demo password.
async fn login(client: &reqwest::Client, base: &str, user: &str) -> Result<()> {
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", user),
            ("password", consign_app::demo::DEMO_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("login of {user} failed: {}", r.status());
    }
    Ok(())
}

/// The shipment list as an account manager sees it (its own customers and the pool's).
async fn own_shipment_list(client: &reqwest::Client, base: &str, requests: usize) -> Result<()> {
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let scenarios: Vec<(String, String)> = vec![
        ("own: newest first".into(), "/shipments".into()),
        (
            "own: in transit".into(),
            "/shipments?status=in_transit".into(),
        ),
        (
            "own: last 30 days by revenue".into(),
            format!("/shipments?from={month_ago}&sort=revenue"),
        ),
        (
            "own: totals of the last 30 days".into(),
            format!("/shipments?from={month_ago}&totals=true"),
        ),
    ];
    time_scenarios(client, base, requests, scenarios).await
}

/// The shipment list's first page (SPEC §12, issue 19) with each single filter, as the
/// admin sees it (every shipment in scope), and the totals of a customer and of a month.
async fn shipment_list(client: &reqwest::Client, base: &str, requests: usize) -> Result<()> {
    let month_ago = (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let scenarios: Vec<(String, String)> = vec![
        ("no filter, newest first".into(), "/shipments".into()),
        (
            "status in transit".into(),
            "/shipments?status=in_transit".into(),
        ),
        (
            "service mode cold chain".into(),
            "/shipments?service_mode=cold_chain".into(),
        ),
        (
            "exception damaged".into(),
            "/shipments?exception=damaged".into(),
        ),
        ("delayed".into(), "/shipments?exception=delayed".into()),
        (
            "ordered in the last 30 days".into(),
            format!("/shipments?from={month_ago}"),
        ),
        ("one customer".into(), "/shipments?customer_id=4242".into()),
        (
            "origin 上海".into(),
            "/shipments?origin_city=%E4%B8%8A%E6%B5%B7".into(),
        ),
        (
            "destination 成都".into(),
            "/shipments?destination_city=%E6%88%90%E9%83%BD".into(),
        ),
        (
            "one account manager's".into(),
            "/shipments?owner_id=3".into(),
        ),
        (
            "overdue in transit".into(),
            "/shipments?overdue=true".into(),
        ),
        (
            "last 30 days by revenue".into(),
            format!("/shipments?from={month_ago}&sort=revenue"),
        ),
        (
            "overdue, page 3".into(),
            "/shipments?overdue=true&page=3".into(),
        ),
        ("waybill prefix".into(), "/shipments?q=YD2501".into()),
        (
            "totals: one customer".into(),
            "/shipments?customer_id=4242&totals=true".into(),
        ),
        (
            "totals: last 30 days".into(),
            format!("/shipments?from={month_ago}&totals=true"),
        ),
    ];
    time_scenarios(client, base, requests, scenarios).await
}

/// The service KPIs (issue 20): one customer's windows and the customer page that shows
/// them, the company's by month and by segment over a year, and every customer's year at
/// once (JSON and CSV).
async fn kpis(client: &reqwest::Client, base: &str, requests: usize) -> Result<()> {
    use chrono::Datelike;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let to = today + chrono::Duration::days(1);
    let year = format!("from={}&to={to}", to - chrono::Duration::days(365));
    // This month and the eleven before, whole months (what the recent sums keep).
    let this_month = today.with_day(1).unwrap_or(today);
    let months = format!(
        "from={}&to={}",
        this_month - chrono::Months::new(11),
        this_month + chrono::Months::new(1)
    );
    let small: Vec<(String, String, u32)> = vec![
        (
            "customer, 30 days (API)".into(),
            "/api/v1/customers/4242/kpis".into(),
            50,
        ),
        (
            "customer, 365 days (API)".into(),
            format!("/api/v1/customers/4242/kpis?{year}"),
            50,
        ),
        (
            "customer page (with the panel)".into(),
            "/customers/4242".into(),
            150,
        ),
        (
            "company by month, a year".into(),
            format!("/api/v1/kpis?{year}&group=month"),
            150,
        ),
        (
            "company by value class, a year".into(),
            format!("/api/v1/kpis?{year}&group=value_class"),
            150,
        ),
        (
            "company by owner, a year".into(),
            format!("/api/v1/kpis?{year}&group=owner"),
            150,
        ),
        (
            "by value class, 12 whole months".into(),
            format!("/api/v1/kpis?{months}&group=value_class"),
            150,
        ),
        (
            "by owner, 12 whole months".into(),
            format!("/api/v1/kpis?{months}&group=owner"),
            150,
        ),
    ];
    for (label, path, target) in small {
        time_one(client, base, requests, "kpis", &label, &path, target).await?;
    }
    // The analysis page keeps its figures ten minutes: each request asks another
    // question, so that each is read afresh, as a first view is. Its default window
    // (this month and the eleven before, whole months) by each breakdown; then other
    // windows (a year to tomorrow, a day longer each time).
    let mut times = Vec::new();
    for group in consign_app::kpis::GroupBy::SEGMENTS.map(|g| g.as_str()) {
        let path = format!("/analysis/service-quality?group={group}");
        times.push(get_ms(client, base, &path).await?);
    }
    let (med, max) = median_ms(times);
    println!(
        "kpis: {:<32} median {med:>7.1} ms  max {max:>7.1} ms  (first views; target ≤ 150 ms)",
        "service quality page, default"
    );
    let mut times = Vec::new();
    for i in 0..requests.min(6) {
        let from = to - chrono::Duration::days(365 + i as i64 + 1);
        let path = format!("/analysis/service-quality?from={from}&to={to}&group=value_class");
        times.push(get_ms(client, base, &path).await?);
    }
    let (med, max) = median_ms(times);
    println!(
        "kpis: {:<32} median {med:>7.1} ms  max {max:>7.1} ms  (first views)",
        "service quality page, other window"
    );
    for (label, path) in [
        (
            "every customer, a year (JSON)",
            format!("/api/v1/kpis?{year}&group=customer"),
        ),
        (
            "every customer, a year (CSV)",
            format!("/api/v1/kpis?{year}&group=customer&format=csv"),
        ),
    ] {
        time_one(client, base, 3, "kpis", label, &path, 5000).await?;
    }
    Ok(())
}

/// One request's time (ms); an error status is an error.
async fn get_ms(client: &reqwest::Client, base: &str, path: &str) -> Result<f64> {
    let t = Instant::now();
    let r = client.get(format!("{base}{path}")).send().await?;
    if !r.status().is_success() {
        bail!("{path}: {}", r.status());
    }
    r.bytes().await?;
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

/// One path: a warm-up, then `requests` one after another; median and max against a
/// target (ms).
async fn time_one(
    client: &reqwest::Client,
    base: &str,
    requests: usize,
    what: &str,
    label: &str,
    path: &str,
    target: u32,
) -> Result<()> {
    client
        .get(format!("{base}{path}"))
        .send()
        .await?
        .bytes()
        .await?;
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..requests {
        let t = Instant::now();
        let r = client.get(format!("{base}{path}")).send().await?;
        if !r.status().is_success() {
            bail!("{path}: {}", r.status());
        }
        bytes = r.bytes().await?.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (med, max) = median_ms(times);
    println!(
        "{what}: {label:<32} median {med:>7.1} ms  max {max:>7.1} ms  ({bytes} bytes; target ≤ {target} ms)"
    );
    Ok(())
}

/// Each path's page: a warm-up, then `requests` one after another; median and max.
async fn time_scenarios(
    client: &reqwest::Client,
    base: &str,
    requests: usize,
    scenarios: Vec<(String, String)>,
) -> Result<()> {
    for (label, path) in scenarios {
        time_one(client, base, requests, "shipments", &label, &path, 100).await?;
    }
    Ok(())
}
