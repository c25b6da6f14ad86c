//! The recent sums per customer (issue 20: what the company's KPIs by segment read for
//! this month and the eleven before), on SQLite and PostgreSQL: after random imports,
//! re-imports that move shipments between months, deletions, a merge and a move of the
//! window, every customer's recent row is the sum of its months from the window's first;
//! and the grouped KPIs read from them equal the ones summed from the months.

mod common;
use common::*;
use consign_store::ConnectionTrait;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

type Sums = BTreeMap<i64, Vec<i64>>;

const COLS: &str = "shipments, revenue_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, returned";

/// Every customer's recent row, and the sums of its months from `first` (zero rows left
/// out of both).
async fn both(t: &TestApp, first: i32) -> (Sums, Sums) {
    let conn = &t.app.db.conn;
    let read = |sql: String| async move {
        let mut out = Sums::new();
        for r in conn
            .query_all(consign_store::dialect::stmt(
                conn.get_database_backend(),
                &sql,
                vec![],
            ))
            .await
            .expect("read")
        {
            let id: i64 = r.try_get("", "customer_id").expect("id");
            let v: Vec<i64> = COLS
                .split(", ")
                .map(|c| r.try_get::<i64>("", c).expect(c))
                .collect();
            if v.iter().any(|x| *x != 0) {
                out.insert(id, v);
            }
        }
        out
    };
    let sums = COLS
        .split(", ")
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        read(format!("SELECT customer_id, {COLS} FROM customer_recent")).await,
        read(format!(
            "SELECT customer_id, {sums} FROM customer_months WHERE month >= {first} GROUP BY customer_id"
        ))
        .await,
    )
}

/// Every recent row's segment (owner, province, industry, service modes, value class,
/// grade) as `sql` reads it (`customer_id` and those six columns).
async fn segments(t: &TestApp, sql: &str) -> BTreeMap<i64, Vec<Option<String>>> {
    let conn = &t.app.db.conn;
    let mut out = BTreeMap::new();
    for r in conn
        .query_all(consign_store::dialect::stmt(
            conn.get_database_backend(),
            sql,
            vec![],
        ))
        .await
        .expect("read")
    {
        let owner: Option<i64> = r.try_get("", "owner_id").expect("owner");
        let mut v = vec![owner.map(|o| o.to_string())];
        for c in [
            "province",
            "industry",
            "service_modes",
            "value_class",
            "grade",
        ] {
            v.push(r.try_get::<Option<String>>("", c).expect(c));
        }
        out.insert(r.try_get::<i64>("", "customer_id").expect("id"), v);
    }
    out
}

/// The recent rows' segments, and the customers' own with their classes in the run the
/// rows say they carry.
async fn both_segments(
    t: &TestApp,
) -> (
    BTreeMap<i64, Vec<Option<String>>>,
    BTreeMap<i64, Vec<Option<String>>>,
) {
    (
        segments(
            t,
            "SELECT customer_id, owner_id, province, industry, service_modes, value_class, grade \
             FROM customer_recent",
        )
        .await,
        segments(
            t,
            "SELECT r.customer_id, c.owner_id, c.province, c.industry, c.service_modes, \
             cl.value_class, cl.grade FROM customer_recent r JOIN customers c ON c.id = r.customer_id \
             LEFT JOIN classifications cl ON cl.customer_id = r.customer_id \
             AND cl.run_id = (SELECT class_run FROM recent_window WHERE id = 1)",
        )
        .await,
    )
}

async fn move_window(t: &TestApp, first: i32) {
    let txn = t.app.db.begin_write().await.expect("txn");
    consign_store::kpis::recent::rebuild(&txn, first)
        .await
        .expect("rebuild");
    txn.commit().await.expect("commit");
}

#[tokio::test]
async fn recent_sums_follow_every_write_and_read_like_the_months() {
    use rand::{Rng, SeedableRng};
    each_db(|t| async move {
        let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_206);
        let admin = t.api("admin").await;
        let mut ids = Vec::new();
        let mut codes = Vec::new();
        for name in [
            "宁波甬达物流有限公司",
            "温州瓯江贸易有限公司",
            "台州海正化工有限公司",
        ] {
            let id = t.customer(name, Some("lixy"), None).await;
            codes.push(t.code_of(id).await);
            ids.push(id);
        }
        move_window(&t, 202507).await;
        let base = chrono::DateTime::parse_from_rfc3339("2025-05-01T00:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let ship = |rng: &mut rand::rngs::StdRng, i: usize| {
            let at = base + chrono::Duration::seconds(rng.gen_range(0..240 * 86_400));
            let mut s = json!({"waybill_no": format!("RC{i:05}"),
                "customer_code": codes[rng.gen_range(0..codes.len())],
                "revenue_fen": rng.gen_range(100..100_000), "ordered_at": at.to_rfc3339(),
                "promised_at": (at + chrono::Duration::hours(48)).to_rfc3339()});
            if rng.gen_bool(0.8) {
                s["delivered_at"] = json!((at
                    + chrono::Duration::seconds(rng.gen_range(3_600..300_000)))
                .to_rfc3339());
                if rng.gen_bool(0.1) {
                    s["exceptions"] = json!(["damaged"]);
                }
            } else {
                s["status"] = json!("in_transit");
            }
            s
        };
        let items: Vec<Value> = (0..200).map(|i| ship(&mut rng, i)).collect();
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (recent, months) = both(&t, 202507).await;
        assert_eq!(recent, months, "after the import");
        assert!(!recent.is_empty());

        // Re-imported with other days (some into months before the window) and amounts.
        let items: Vec<Value> = (0..200).step_by(3).map(|i| ship(&mut rng, i)).collect();
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (recent, months) = both(&t, 202507).await;
        assert_eq!(recent, months, "after the re-import");

        // Deleted.
        for no in ["RC00001", "RC00002", "RC00010", "RC00100"] {
            let (_, found) = admin
                .get(&format!("/api/v1/shipments/by-waybill/{no}"))
                .await;
            let sid = found["id"].as_str().expect("id").to_string();
            let (s, body) = admin.delete(&format!("/api/v1/shipments/{sid}")).await;
            assert!(s.is_success(), "{s} {body}");
        }
        let (recent, months) = both(&t, 202507).await;
        assert_eq!(recent, months, "after deletions");

        // A classification run comes into force and a customer changes hands, province,
        // industry and service modes: the recent rows carry both.
        let (s, body) = admin
            .post(
                "/api/v1/classification/runs",
                json!({"as_of": "2025-12-31"}),
            )
            .await;
        assert!(s.is_success(), "{s} {body}");
        let zhaop = t.actor("zhaop").await.user_id();
        let (s, body) = admin
            .patch(
                &format!("/api/v1/customers/{}", ids[0]),
                json!({"owner_id": zhaop, "province": "浙江", "industry": "cold_chain_food",
                    "service_modes": ["ltl", "express"]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (kept, own) = both_segments(&t).await;
        assert_eq!(kept, own, "the recent rows' segments");
        assert_eq!(kept.len(), 3);
        let first = &kept[&ids[0]];
        assert_eq!(first[0], Some(zhaop.to_string()));
        assert_eq!(first[1].as_deref(), Some("浙江"));
        assert!(
            kept.values().all(|v| v[4].is_some() && v[5].is_some()),
            "{kept:?}"
        );

        // Grouped over the window's whole months: read from the recent sums, then (with the
        // window moved away) summed from the months: the same answer.
        let path = "/api/v1/kpis?from=2025-07-01&to=2026-01-01&group=customer";
        let rows_of = |v: Value| v["items"].clone();
        // No month after the window may exist for the recent sums to be read: orders run
        // to the end of 2025 at most.
        let (s, fast) = admin.get(path).await;
        assert_eq!(s, StatusCode::OK, "{fast}");
        // By each segment, the company's and an account manager's (its own customers: the
        // one now zhaop's is not among them).
        let lixy = t.api("lixy").await;
        let by = |group: &str| format!("/api/v1/kpis?from=2025-07-01&to=2026-01-01&group={group}");
        let groups = consign_app::kpis::GroupBy::SEGMENTS.map(|g| g.as_str());
        let mut fast_by = Vec::new();
        for g in groups {
            for who in [&admin, &lixy] {
                let (s, v) = who.get(&by(g)).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                fast_by.push(v["items"].clone());
            }
        }
        let total = |items: &Value| -> i64 {
            items
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["shipments"].as_i64().unwrap_or(0))
                .sum()
        };
        assert!(
            total(&fast_by[0]) > total(&fast_by[1]),
            "lixy sees less: {fast_by:?}"
        );
        // They are read from the recent sums: a change there shows.
        let conn = &t.app.db.conn;
        conn.execute(consign_store::dialect::stmt(
            conn.get_database_backend(),
            "UPDATE customer_recent SET shipments = shipments + 1000",
            vec![],
        ))
        .await
        .expect("tamper");
        let (_, tampered) = admin.get(path).await;
        assert_eq!(
            tampered["items"][0]["shipments"].as_i64(),
            fast["items"][0]["shipments"].as_i64().map(|n| n + 1000),
            "{tampered}"
        );
        // Each of the three customers' rows counts once per group it falls in (only the
        // first has service modes, two of them).
        for (i, g) in groups.iter().enumerate() {
            let (_, v) = admin.get(&by(g)).await;
            let more = if *g == "service_mode" { 2000 } else { 3000 };
            assert!(
                total(&v["items"]) == total(&fast_by[2 * i]) + more,
                "{g}: {v}"
            );
        }
        move_window(&t, 202508).await;
        let (recent, months) = both(&t, 202508).await;
        assert_eq!(recent, months, "after moving the window");
        let (_, slow) = admin.get(path).await;
        assert_eq!(rows_of(fast), rows_of(slow));
        let mut slow_by = Vec::new();
        for g in groups {
            for who in [&admin, &lixy] {
                slow_by.push(who.get(&by(g)).await.1["items"].clone());
            }
        }
        assert_eq!(fast_by, slow_by);

        // Merged: the merged customer's months move to the one that stays.
        let (s, body) = admin
            .post(
                &format!("/api/v1/customers/{}/merge", ids[2]),
                json!({"into_id": ids[1].to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (recent, months) = both(&t, 202508).await;
        assert_eq!(recent, months, "after the merge");
        assert!(!months.contains_key(&ids[2]));
    })
    .await;
}
