//! Timing API requests through the release server: a database served on loopback, each
//! scenario's request once to see the total, then `requests` times one after another.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// One scenario: its label, the user whose token asks, the path.
pub type Scenario<'a> = (&'a str, &'a str, &'a str);

/// Serves `dir` with `consign`, times every scenario (median and max of `requests`
/// requests, with the total the first answer gives) and prints them against
/// `target_ms`.
pub async fn run(
    consign: &Path,
    dir: &Path,
    tokens: &[(String, String)],
    scenarios: &[Scenario<'_>],
    requests: usize,
    target_ms: u32,
) -> Result<()> {
    let token = |name: &str| {
        tokens
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let port = 19_000 + (std::process::id() % 1000) as u16;
    let mut server = std::process::Command::new(consign)
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("CONSIGN_LOG", "warn")
        .spawn()
        .context("starting consign serve")?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let result = async {
        let mut up = false;
        for _ in 0..100 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !up {
            bail!("the server did not start");
        }
        for (label, who, path) in scenarios {
            let auth = format!("Bearer {}", token(who));
            let get = || {
                client
                    .get(format!("{base}{path}"))
                    .header("Authorization", &auth)
                    .send()
            };
            let r = get().await?;
            if !r.status().is_success() {
                bail!("{path}: {}", r.status());
            }
            let body = r.json::<serde_json::Value>().await?;
            let capped = body.get("total_capped") == Some(&serde_json::Value::Bool(true));
            let total = body.get("total").cloned();
            let mut times = Vec::new();
            for _ in 0..requests {
                let t = Instant::now();
                let r = get().await?;
                if !r.status().is_success() {
                    bail!("{path}: {}", r.status());
                }
                r.bytes().await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let (med, max) = crate::classify::median_ms(times);
            let total = total
                .map(|t| {
                    if capped {
                        format!("more than {t} matching")
                    } else {
                        format!("{t} matching")
                    }
                })
                .unwrap_or_default();
            println!(
                "{label:<44} median {med:>6.1} ms  max {max:>6.1} ms  {total} (target ≤ {target_ms} ms)"
            );
        }
        Ok(())
    }
    .await;
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// Opens the benchmark database in `dir`; one without users yet gets the demo's users
/// and `customers` customers (its generator). Returns the app and whether it was empty.
pub async fn open_with_customers(dir: &Path, customers: usize) -> Result<(consign_app::App, bool)> {
    let mut s = consign_app::Settings::default();
    s.set_data_dir(dir.to_path_buf());
    let app = consign_app::App::open(s)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if consign_store::users::count_users(&app.db.conn).await? > 0 {
        println!("reusing {}", dir.display());
        return Ok((app, false));
    }
    let t = Instant::now();
    let owners = consign_app::demo::seed_users(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let list = consign_app::demo::generate(42, customers, owners.len());
    consign_app::demo::insert_customers(&app, &list, &owners)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "loaded {customers} customers in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    Ok((app, true))
}

/// An API token for each of these demo users, then the database closed.
pub async fn tokens(app: consign_app::App, names: &[&str]) -> Result<Vec<(String, String)>> {
    let mut tokens = Vec::new();
    for name in names {
        let uid = consign_app::users::id_of(&app, name)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (_, token) = consign_app::auth::create_token(
            &app,
            &consign_app::auth::Actor::system("bench"),
            uid,
            "bench",
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        tokens.push((name.to_string(), token));
    }
    app.db.conn.close().await?;
    Ok(tokens)
}
