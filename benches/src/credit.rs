//! `consign-bench credit`: the credit list at scale. A database of --customers customers
//! (the demo's generator and users), every one of them with a credit account (limits and
//! exposures spread so that some are near and over their limits) and a fifth of them
//! with two invoices, one overdue — written by SQL once and kept under target/bench/credit
//! — then the release server and timed requests of the credit list (default order,
//! filtered, sorted by exposure, a late page, an account manager's) and the hold list,
//! one after another on loopback, median and max against the 100 ms target.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Instant;

async fn load(dir: &Path, customers: usize) -> Result<Vec<(String, String)>> {
    let (app, fresh) = crate::timed::open_with_customers(dir, customers).await?;
    let conn = &app.db.conn;
    use sea_orm::ConnectionTrait;
    if fresh {
        let t = Instant::now();
        let now = chrono::Utc::now();
        let ts = |d: i64| (now + chrono::Duration::days(d)).to_rfc3339();
        // Limits from ¥10,000 to ¥1,000,000; exposure from 0 to 1.2 times the limit (a
        // sixth over, about a tenth near); every tenth account without a limit.
        conn.execute_unprepared(&format!(
            "INSERT INTO credit_accounts (customer_id, monthly_settlement, limit_fen, term_days, \
             rating, policy, invoiced_fen, paid_fen, billed_from, uninvoiced_fen, exposure_fen, \
             notified, updated_at, utilization_bp) \
             SELECT id, 1, CASE WHEN id % 10 = 0 THEN NULL ELSE (id * 7919 % 100 + 1) * 1000000 END, \
             30, substr('ABCD', id % 4 + 1, 1), CASE WHEN id % 3 = 0 THEN 'block' ELSE 'warn' END, \
             0, 0, 20261101, (id * 7919 % 100 + 1) * 1000000 * (id * 104729 % 120) / 100, \
             (id * 7919 % 100 + 1) * 1000000 * (id * 104729 % 120) / 100, 0, '{at}', \
             CASE WHEN id % 10 = 0 THEN -1 ELSE (id * 104729 % 120) * 100 END FROM customers",
            at = ts(0)
        ))
        .await?;
        conn.execute_unprepared(&format!(
            "INSERT INTO invoices (invoice_no, customer_id, amount_fen, issued_at, due_at, period, \
             note, created_at, updated_at, kind) \
             SELECT printf('BI%08d-1', id), id, 500000, '{a}', '{b}', '2026-09', '', '{a}', '{a}', 'invoice' \
             FROM customers WHERE id % 5 = 0 \
             UNION ALL SELECT printf('BI%08d-2', id), id, 800000, '{c}', '{d}', '2026-10', '', '{c}', '{c}', 'invoice' \
             FROM customers WHERE id % 5 = 0",
            a = ts(-75),
            b = ts(-45),
            c = ts(-40),
            d = ts(20),
        ))
        .await?;
        println!(
            "wrote {customers} credit accounts and {} invoices in {:.1}s",
            customers / 5 * 2,
            t.elapsed().as_secs_f64()
        );
        conn.execute_unprepared("ANALYZE").await?;
    }
    crate::timed::tokens(app, &["admin", "wangjl", "lixy"]).await
}

pub async fn run(customers: usize, dir: PathBuf, consign: PathBuf, requests: usize) -> Result<()> {
    crate::need_binary(&consign)?;
    std::fs::create_dir_all(&dir)?;
    let tokens = load(&dir, customers).await?;
    let scenarios = [
        (
            "admin: credit list, most of the limit used",
            "admin",
            "/api/v1/credit",
        ),
        (
            "admin: over the limit",
            "admin",
            "/api/v1/credit?status=over",
        ),
        (
            "admin: by exposure",
            "admin",
            "/api/v1/credit?sort=exposure",
        ),
        (
            "admin: rating C, page 20",
            "admin",
            "/api/v1/credit?rating=C&page=20",
        ),
        ("manager: its branch's accounts", "wangjl", "/api/v1/credit"),
        ("account manager: its accounts", "lixy", "/api/v1/credit"),
        ("admin: hold list", "admin", "/api/v1/credit/holds"),
    ];
    crate::timed::run(&consign, &dir, &tokens, &scenarios, requests, 100).await
}
