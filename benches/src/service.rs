//! `consign-bench service`: the service desk at scale. A database of --customers
//! customers (the demo's generator and users), then --tickets tickets over two years,
//! --interactions interactions and --tasks follow-up tasks written in bulk by SQL (made
//! once, kept under target/bench/service), then the release server and timed requests:
//! filtered ticket lists for a manager, an agent and an account manager, the overdue
//! list, one customer's tickets, and the task lists — each request one after another on
//! loopback, median and max against the 50 ms target.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::Instant;

async fn load(
    dir: &Path,
    customers: usize,
    tickets: u64,
    interactions: u64,
    tasks: u64,
) -> Result<Vec<(String, String)>> {
    let (app, fresh) = crate::timed::open_with_customers(dir, customers).await?;
    let conn = &app.db.conn;
    use sea_orm::ConnectionTrait;
    if fresh {
        let mut ids = Vec::new();
        for name in ["liuy", "sunl", "lixy", "zhaop", "chenj"] {
            ids.push(
                consign_app::users::id_of(&app, name)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
        let (liuy, sunl, lixy, zhaop, chenj) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        let now = chrono::Utc::now().timestamp();
        let span = 730 * 86_400 / tickets.max(1) as i64;
        let t = Instant::now();
        // Newest first by id: ticket i was registered i·span seconds ago; the newest 3%
        // are still open at every stage, the rest closed; one in ten is a claim.
        let ts = |e: &str| format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {e}, 'unixepoch')");
        let created = format!("({now} - i * {span})");
        let sql = format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tickets}) \
             INSERT INTO tickets (id, number, kind, channel, severity, status, customer_id, assignee_id, \
             subject, description, first_response_due, resolution_due, first_response_at, resolved_at, \
             closed_at, response_minutes, resolution_minutes, reopened, created_by, created_at, updated_at, owner_id) \
             SELECT i, printf('TK%010d', i), \
             CASE i % 10 WHEN 0 THEN 'claim' WHEN 1 THEN 'inquiry' WHEN 2 THEN 'inquiry' WHEN 3 THEN 'suggestion' ELSE 'complaint' END, \
             CASE i % 5 WHEN 0 THEN 'phone' WHEN 1 THEN 'wechat' WHEN 2 THEN 'email' WHEN 3 THEN 'portal' ELSE 'visit' END, \
             CASE i % 7 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'low' ELSE 'normal' END, \
             CASE WHEN i > {open} THEN 'closed' ELSE CASE i % 4 WHEN 0 THEN 'registered' WHEN 1 THEN 'investigating' WHEN 2 THEN 'resolved' ELSE 'confirmed' END END, \
             (i * 7919) % {customers} + 1, CASE i % 2 WHEN 0 THEN {liuy} ELSE {sunl} END, \
             '时效延误投诉', '客户来电反映货物未按承诺时效送达。', \
             {frd}, {rd}, CASE WHEN i % 4 = 0 AND i <= {open} THEN NULL ELSE {fra} END, \
             CASE WHEN i <= {open} AND i % 4 < 2 THEN NULL ELSE {ra} END, \
             CASE WHEN i > {open} THEN {ra} ELSE NULL END, 90, 600, 0, {liuy}, {c}, {c}, \
             (SELECT owner_id FROM customers WHERE id = (i * 7919) % {customers} + 1) FROM n",
            open = tickets * 3 / 100,
            frd = ts(&format!("{created} + 14400")),
            rd = ts(&format!("{created} + 172800")),
            fra = ts(&format!("{created} + 3600")),
            ra = ts(&format!("{created} + 86400")),
            c = ts(&created),
        );
        conn.execute_unprepared(&sql).await?;
        println!(
            "wrote {tickets} tickets in {:.1}s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let span = 730 * 86_400 / interactions.max(1) as i64;
        conn.execute_unprepared(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {interactions}) \
             INSERT INTO interactions (id, customer_id, user_id, kind, at, summary, next_step, created_at) \
             SELECT i, (i * 104729) % {customers} + 1, CASE i % 3 WHEN 0 THEN {lixy} WHEN 1 THEN {zhaop} ELSE {chenj} END, \
             CASE i % 5 WHEN 0 THEN 'call' WHEN 1 THEN 'visit' WHEN 2 THEN 'email' WHEN 3 THEN 'meeting' ELSE 'wechat' END, \
             {at}, '电话回访，客户反馈良好', '下月再访', {at} FROM n",
            at = ts(&format!("({now} - i * {span})")),
        ))
        .await?;
        println!(
            "wrote {interactions} interactions in {:.1}s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let today = app.today();
        // Tasks due from a year ago to a month ahead; those due in the last 30 days and
        // ahead are open.
        conn.execute_unprepared(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {tasks}) \
             INSERT INTO tasks (id, customer_id, assignee_id, kind, title, due_on, status, created_at) \
             SELECT i, (i * 15485863) % {customers} + 1, CASE i % 3 WHEN 0 THEN {lixy} WHEN 1 THEN {zhaop} ELSE {chenj} END, \
             CASE i % 4 WHEN 0 THEN 'at_risk' WHEN 1 THEN 'complaint_callback' ELSE 'follow_up' END, '定期回访', \
             CAST(strftime('%Y%m%d', date('{today}', printf('%+d days', 30 - i % 395))) AS INTEGER), \
             CASE WHEN 30 - i % 395 >= -30 THEN 'open' ELSE 'done' END, {c} FROM n",
            c = ts(&now.to_string()),
        ))
        .await?;
        println!("wrote {tasks} tasks in {:.1}s", t.elapsed().as_secs_f64());
        conn.execute_unprepared("ANALYZE").await?;
    }
    crate::timed::tokens(app, &["wangjl", "liuy", "lixy", "admin"]).await
}

pub async fn run(
    customers: usize,
    tickets: u64,
    interactions: u64,
    tasks: u64,
    dir: PathBuf,
    consign: PathBuf,
    requests: usize,
) -> Result<()> {
    crate::need_binary(&consign)?;
    std::fs::create_dir_all(&dir)?;
    let tokens = load(&dir, customers, tickets, interactions, tasks).await?;
    let scenarios = [
        (
            "manager: open complaints, newest",
            "wangjl",
            "/api/v1/tickets?open=1&kind=complaint",
        ),
        (
            "manager: all complaints",
            "wangjl",
            "/api/v1/tickets?kind=complaint",
        ),
        ("manager: everything in scope", "wangjl", "/api/v1/tickets"),
        (
            "manager: investigating, high severity",
            "wangjl",
            "/api/v1/tickets?status=investigating&severity=high",
        ),
        (
            "manager: overdue now",
            "wangjl",
            "/api/v1/tickets?breached=1",
        ),
        (
            "agent: mine, open, nearest deadline",
            "liuy",
            "/api/v1/tickets?assignee=me&open=1&sort=due",
        ),
        (
            "admin: search by ticket number",
            "admin",
            "/api/v1/tickets?q=TK0000001234",
        ),
        (
            "manager: critical, by visit, all time",
            "wangjl",
            "/api/v1/tickets?severity=critical&channel=visit",
        ),
        (
            "account manager: its customers' tickets",
            "lixy",
            "/api/v1/tickets",
        ),
        (
            "admin: closed claims, page 3",
            "admin",
            "/api/v1/tickets?status=closed&kind=claim&page=3",
        ),
        (
            "admin: one customer's tickets",
            "admin",
            "/api/v1/tickets?customer_id=4242",
        ),
        ("account manager: task list", "lixy", "/api/v1/tasks"),
        (
            "admin: a customer's interactions",
            "admin",
            "/api/v1/customers/4243/interactions",
        ),
    ];
    crate::timed::run(&consign, &dir, &tokens, &scenarios, requests, 50).await
}
