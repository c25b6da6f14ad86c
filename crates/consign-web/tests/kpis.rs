//! Service KPIs (issue 20) through the API, on SQLite and PostgreSQL: a hand-computed
//! month of shipments in Asia/Shanghai (orders across local midnight and the month's
//! edges, an open shipment past its promise, every exception), checked field by field.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

#[tokio::test]
async fn a_customers_kpis_over_a_month() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let code = t.code_of(mine).await;
        let admin = t.api("admin").await;
        let ship = |no: &str, ordered: &str, extra: Value| {
            let mut s = json!({"waybill_no": no, "customer_code": code, "revenue_fen": 10000,
                "ordered_at": ordered});
            for (k, v) in extra.as_object().expect("object") {
                s[k] = v.clone();
            }
            s
        };
        let items = vec![
            // 2025-10-01 00:30 in Shanghai (30 September in UTC): October's. 48 h 30 s,
            // on time, damaged.
            ship("KP0001", "2025-09-30T16:30:00Z", json!({"promised_at": "2025-10-03T00:00:00Z",
                "delivered_at": "2025-10-02T16:30:30Z", "exceptions": ["damaged"]})),
            // 2025-10-31 23:59:59 local: October's. 24 h, late, short.
            ship("KP0002", "2025-10-31T15:59:59Z", json!({"promised_at": "2025-11-01T10:00:00Z",
                "delivered_at": "2025-11-01T15:59:59Z", "exceptions": ["short"]})),
            // 2025-11-01 00:00 local: November's.
            ship("KP0003", "2025-10-31T16:00:00Z", json!({"promised_at": "2025-11-02T00:00:00Z",
                "delivered_at": "2025-11-03T00:00:00Z", "exceptions": ["damaged"]})),
            // 2025-09-30 23:59 local: September's.
            ship("KP0004", "2025-09-30T15:59:00Z", json!({"delivered_at": "2025-10-01T15:59:00Z"})),
            // In transit past its promise: overdue; a stockout and a route change.
            ship("KP0005", "2025-10-10T02:00:00Z", json!({"status": "in_transit",
                "promised_at": "2025-10-12T02:00:00Z", "exceptions": ["stockout", "route_changed"]})),
            // In transit, promised after the month: not overdue; substituted, invoice wrong.
            ship("KP0006", "2025-10-20T02:00:00Z", json!({"status": "in_transit",
                "promised_at": "2025-11-05T00:00:00Z", "exceptions": ["substituted", "invoice_error"]})),
            // Returned undelivered: a return, not overdue in transit.
            ship("KP0007", "2025-10-15T04:00:00Z", json!({"status": "returned",
                "promised_at": "2025-10-16T04:00:00Z"})),
        ];
        let (s, body) = admin.post("/api/v1/shipments", json!({"items": items})).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let path = format!("/api/v1/customers/{mine}/kpis?from=2025-10-01&to=2025-11-01");
        let (s, k) = admin.get(&path).await;
        assert_eq!(s, StatusCode::OK, "{k}");
        assert_eq!(k["customer_code"], json!(code));
        assert_eq!((k["from"].clone(), k["to"].clone()), (json!("2025-10-01"), json!("2025-11-01")));
        assert_eq!(k["shipments"], 5);
        assert_eq!(k["delivered"], 2);
        assert_eq!(k["overdue_in_transit"], 1);
        // Cycles 172,830 s and 86,400 s: mean 129,615 s, σ 43,215 s (to the second).
        assert!(close(&k["avg_cycle_hours"], 129_615.0 / 3600.0), "{k}");
        assert!(close(&k["std_cycle_hours"], 43_215.0 / 3600.0), "{k}");
        assert!(close(&k["delay_rate"], 0.5));
        assert!(close(&k["on_time_rate"], 0.5));
        assert!(close(&k["damage_rate"], 0.5));
        assert!(close(&k["short_rate"], 0.5));
        assert!(close(&k["stockout_rate"], 0.2));
        assert_eq!(k["stockout_count"], 1);
        assert!(close(&k["in_stock_ratio"], 0.8));
        assert!(close(&k["substitution_rate"], 0.2));
        assert!(close(&k["route_change_rate"], 0.2));
        assert!(close(&k["return_rate"], 0.2));
        assert!(close(&k["invoice_error_rate"], 0.2));
        assert!(close(&k["complaints_per_1000"], 0.0));
        assert!(close(&k["claim_ratio"], 0.0));
        assert_eq!(k["csat"], Value::Null);
        assert_eq!(k["nps"], Value::Null);

        // November alone: one shipment, delivered after its promise, damaged.
        let (_, nov) = admin
            .get(&format!("/api/v1/customers/{mine}/kpis?from=2025-11-01&to=2025-12-01"))
            .await;
        assert_eq!((nov["shipments"].clone(), nov["delivered"].clone()), (json!(1), json!(1)));
        assert!(close(&nov["delay_rate"], 1.0) && close(&nov["damage_rate"], 1.0), "{nov}");
        assert!(close(&nov["std_cycle_hours"], 0.0));

        // A window without shipments: counts 0, every rate null.
        let (_, empty) = admin
            .get(&format!("/api/v1/customers/{mine}/kpis?from=2024-01-01&to=2024-02-01"))
            .await;
        assert_eq!(empty["shipments"], 0);
        for f in ["avg_cycle_hours", "std_cycle_hours", "delay_rate", "on_time_rate",
            "in_stock_ratio", "complaints_per_1000", "claim_ratio"] {
            assert_eq!(empty[f], Value::Null, "{f}");
        }

        // Complaints of the window, per 1,000 of its shipments: today's.
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (s, body) = admin
            .post("/api/v1/shipments", ship("KP0008", &now, json!({"status": "in_transit"})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        t.complaint(mine, "货物破损").await;
        let (from, to) = (today, today + chrono::Duration::days(1));
        let (_, live) = admin
            .get(&format!("/api/v1/customers/{mine}/kpis?from={from}&to={to}"))
            .await;
        assert_eq!(live["shipments"], 1, "{live}");
        assert!(close(&live["complaints_per_1000"], 1000.0), "{live}");
        assert!(close(&live["claim_ratio"], 0.0));
        // The default window is the last 30 days, today included.
        let (_, default) = admin.get(&format!("/api/v1/customers/{mine}/kpis")).await;
        assert_eq!(default["to"], json!(to.to_string()));
        assert_eq!(default["from"], json!((to - chrono::Duration::days(30)).to_string()));
        assert_eq!(default["shipments"], 1);

        // Within the caller's scope: another account manager's customer is not found.
        let (s, _) = t.api("chenj").await.get(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, own) = t.api("lixy").await.get(&path).await;
        assert_eq!((s, own["shipments"].clone()), (StatusCode::OK, json!(5)));

        // Bad windows say what and where, in the caller's language.
        let zh = admin.clone().lang("zh-CN");
        let (s, e) = zh
            .get(&format!("/api/v1/customers/{mine}/kpis?from=2025-13-01&to=2025-11-01"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["errors"].as_array().expect("errors").iter().any(|x| x["field"] == "from"
            && x["message"] == "日期格式不正确（例如 2026-11-01）"), "{e}");
        let (s, e) = admin
            .clone()
            .lang("en")
            .get(&format!("/api/v1/customers/{mine}/kpis?from=2025-11-01&to=2025-11-01"))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The start date must come before the end date")), "{e}");
    })
    .await;
}

#[tokio::test]
async fn the_companys_kpis_by_group_within_scope() {
    each_db(|t| async move {
        let mine = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let theirs = t
            .customer("广州南沙冷链物流有限公司", Some("chenj"), None)
            .await;
        let (mine_code, their_code) = (t.code_of(mine).await, t.code_of(theirs).await);
        let admin = t.api("admin").await;
        // Promised at delivery (on time), but the last one.
        let ship = |no: &str, code: &str, ordered: &str, delivered: &str| {
            let promised = if no == "KG0004" {
                "2025-10-20T00:00:00Z"
            } else {
                delivered
            };
            json!({"waybill_no": no, "customer_code": code, "revenue_fen": 10000,
                "ordered_at": ordered, "delivered_at": delivered, "promised_at": promised})
        };
        let items = vec![
            // 2025-09-30 23:59 local, 2025-10-01 00:30 local, 2025-11-01 00:00 local.
            ship(
                "KG0001",
                &mine_code,
                "2025-09-30T15:59:00Z",
                "2025-10-01T15:59:00Z",
            ),
            ship(
                "KG0002",
                &mine_code,
                "2025-09-30T16:30:00Z",
                "2025-10-01T16:30:00Z",
            ),
            ship(
                "KG0003",
                &mine_code,
                "2025-10-31T16:00:00Z",
                "2025-11-01T16:00:00Z",
            ),
            ship(
                "KG0004",
                &their_code,
                "2025-10-10T00:00:00Z",
                "2025-10-22T00:00:00Z",
            ),
        ];
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let month = "/api/v1/kpis?from=2025-09-15&to=2025-11-15&group=month";
        let (s, m) = admin.get(month).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["group"], "month");
        let rows: Vec<(Value, Value)> = m["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| (r["group"].clone(), r["shipments"].clone()))
            .collect();
        assert_eq!(
            rows,
            vec![
                (json!("2025-09"), json!(1)),
                (json!("2025-10"), json!(2)),
                (json!("2025-11"), json!(1))
            ]
        );

        // By customer: each customer's row, with its code; an account manager sees only
        // its own (and the pool's).
        let oct = "/api/v1/kpis?from=2025-10-01&to=2025-11-01&group=customer";
        let (_, all) = admin.get(oct).await;
        let codes: Vec<Value> = all["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["customer_code"].clone())
            .collect();
        assert_eq!(codes.len(), 2, "{all}");
        let theirs_row = all["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|r| r["customer_code"] == json!(their_code))
            .expect("their row")
            .clone();
        assert_eq!(theirs_row["label"], "广州南沙冷链物流有限公司");
        assert!(close(&theirs_row["delay_rate"], 1.0), "{theirs_row}");
        assert!(close(&theirs_row["avg_cycle_hours"], 288.0), "{theirs_row}");
        let (_, own) = t.api("lixy").await.get(oct).await;
        let own_codes: Vec<Value> = own["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["customer_code"].clone())
            .collect();
        assert_eq!(own_codes, vec![json!(mine_code)]);

        // By owner: user names and display names.
        let (_, owners) = admin
            .get("/api/v1/kpis?from=2025-10-01&to=2025-11-01&group=owner")
            .await;
        let mut by: Vec<(Value, Value)> = owners["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| (r["group"].clone(), r["shipments"].clone()))
            .collect();
        by.sort_by_key(|x| x.0.to_string());
        assert_eq!(
            by,
            vec![(json!("chenj"), json!(1)), (json!("lixy"), json!(1))]
        );

        // The same rows as a file, headed by the API's field names.
        let r = admin
            .req(reqwest::Method::GET, &format!("{oct}&format=csv"))
            .send()
            .await
            .expect("csv");
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.expect("text");
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert!(lines
            .next()
            .expect("header")
            .starts_with("group,label,shipments,delivered,overdue_in_transit,avg_cycle_hours"));
        let row = lines
            .find(|l| l.starts_with(&their_code))
            .expect("their line");
        assert!(row.contains(",288,"), "{row}");

        // A grouping that does not exist is refused, naming the parameter.
        let (s, e) = admin.get("/api/v1/kpis?group=planet").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["errors"][0]["field"], "group");
    })
    .await;
}

#[tokio::test]
async fn the_customer_page_shows_its_service_quality() {
    each_db(|t| async move {
        let mine = t.customer("杭州顺路冷链物流有限公司", Some("lixy"), None).await;
        let code = t.code_of(mine).await;
        let admin = t.api("admin").await;
        let at = |h: i64| {
            (chrono::Utc::now() - chrono::Duration::hours(h))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        // Two days ago, delivered a day later, damaged; and one delivered on time.
        let items = json!({"items": [
            {"waybill_no": "KQ0001", "customer_code": code, "revenue_fen": 10000,
             "ordered_at": at(48), "promised_at": at(36), "delivered_at": at(24), "exceptions": ["damaged"]},
            {"waybill_no": "KQ0002", "customer_code": code, "revenue_fen": 10000,
             "ordered_at": at(48), "promised_at": at(12), "delivered_at": at(24)}
        ]});
        let (s, body) = admin.post("/api/v1/shipments", items).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let b = t.browser("lixy").await;
        let (s, page) = b.get(&format!("/customers/{mine}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("服务质量") && page.contains("近 30 天"), "the panel");
        let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let to = today + chrono::Duration::days(1);
        let from = to - chrono::Duration::days(30);
        // The 30 days' damage rate, 50%, links to the damaged shipments of the window.
        let link = format!(
            "<a href=\"/shipments?customer_id={mine}&#38;from={from}&#38;to={to}&#38;exception=damaged\">50.0%</a>"
        );
        let panel = page.split("id=\"service-quality\"").nth(1).unwrap_or_default();
        assert!(page.contains(&link), "{link} in the panel: {}", &panel[..panel.len().min(3000)]);
        // On time: one of two.
        assert!(page.contains("exception=delayed\">50.0%</a>"), "on-time rate");
        // The list behind the link holds the damaged shipment only.
        let (s, list) = b
            .get(&format!("/shipments?customer_id={mine}&from={from}&to={to}&exception=damaged"))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(list.contains("KQ0001") && !list.contains("KQ0002"));
        // English too.
        let en = Browser::new(&t.url(""), Some("en"));
        en.login("lixy", PASSWORD).await;
        let (_, page) = en.get(&format!("/customers/{mine}")).await;
        assert!(page.contains("Service quality") && page.contains("Last 365 days"));
    })
    .await;
}

#[tokio::test]
async fn the_service_quality_page_compares_segments_and_names_the_worst() {
    each_db(|t| async move {
        let mine = t
            .customer("苏州顺达电子科技有限公司", Some("lixy"), None)
            .await;
        let theirs = t
            .customer("东莞联运五金制品有限公司", Some("chenj"), None)
            .await;
        let admin = t.api("admin").await;
        let at = |h: i64| {
            (chrono::Utc::now() - chrono::Duration::hours(h))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        // 25 deliveries each in the last days: 5 of mine late, 10 of theirs late.
        let mut items = Vec::new();
        for (id, late) in [(mine, 5), (theirs, 10)] {
            let code = t.code_of(id).await;
            for i in 0..25 {
                items.push(
                    json!({"waybill_no": format!("KW{id}{i:03}"), "customer_code": code,
                    "revenue_fen": 10000, "ordered_at": at(72), "delivered_at": at(24),
                    "promised_at": if i < late { at(48) } else { at(12) }}),
                );
            }
        }
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let (s, page) = t
            .browser("admin")
            .await
            .get("/analysis/service-quality?group=owner")
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("服务质量") && page.contains("表现最差的客户"));
        // The window's on-time rate: 35 of 50 deliveries (the months' sums together).
        assert!(
            page.contains("<span class=\"muted\">准时率</span><strong>70.0%</strong>"),
            "headline"
        );
        // The delay ranking: theirs (40%) before mine (20%), each linked to its panel.
        let worst = page.split("id=\"worst\"").nth(1).expect("worst");
        let (a, b) = (
            worst.find("东莞联运五金制品有限公司").expect("theirs"),
            worst.find("苏州顺达电子科技有限公司").expect("mine"),
        );
        assert!(a < b, "worst first");
        assert!(worst.contains(&format!("/customers/{theirs}#service-quality")));
        assert!(worst.contains("40.0%") && worst.contains("20.0%"));
        // By owner: each account manager's row, its shipments linked to its list.
        let segments = page.split("id=\"segments\"").nth(1).expect("segments");
        assert!(segments.contains("李"), "lixy's display name");
        let lixy_id = t.actor("lixy").await.user_id();
        assert!(
            segments.contains(&format!("owner_id={lixy_id}")),
            "{segments}"
        );

        // An account manager's page counts its own customers (and the pool's) only.
        let (_, own) = t
            .browser("lixy")
            .await
            .get("/analysis/service-quality")
            .await;
        let worst = own.split("id=\"worst\"").nth(1).expect("worst");
        assert!(worst.contains("苏州顺达电子科技有限公司"));
        assert!(
            !worst.contains("东莞联运五金制品有限公司"),
            "another's customer"
        );

        // English.
        let en = Browser::new(&t.url(""), Some("en"));
        en.login("admin", PASSWORD).await;
        let (_, page) = en.get("/analysis/service-quality").await;
        assert!(page.contains("Customers doing worst") && page.contains("By segment"));
    })
    .await;
}

/// The KPIs of shipments computed the plain way, from each shipment (the test's own
/// reading of SPEC §6): ordered in `[from, to)` local days of Asia/Shanghai.
struct Plain {
    at: chrono::DateTime<chrono::Utc>,
    promised: Option<chrono::DateTime<chrono::Utc>>,
    delivered: Option<chrono::DateTime<chrono::Utc>>,
    open: bool,
    flags: Vec<&'static str>,
}

fn plain_kpis(ships: &[&Plain], end: chrono::DateTime<chrono::Utc>) -> Value {
    let n = ships.len() as f64;
    let delivered: Vec<&&Plain> = ships.iter().filter(|s| s.delivered.is_some()).collect();
    let d = delivered.len() as f64;
    let cycles: Vec<f64> = delivered
        .iter()
        .map(|s| (s.delivered.expect("delivered") - s.at).num_seconds() as f64)
        .collect();
    let mean = cycles.iter().sum::<f64>() / d;
    let var = cycles.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / d;
    let count =
        |f: &str, over: &[&Plain]| over.iter().filter(|s| s.flags.contains(&f)).count() as f64;
    let delivered_plain: Vec<&Plain> = delivered.iter().map(|s| **s).collect();
    let late = delivered
        .iter()
        .filter(|s| {
            s.promised
                .is_some_and(|p| s.delivered.expect("delivered") > p)
        })
        .count() as f64;
    let rate = |x: f64, den: f64| {
        if den > 0.0 {
            json!(x / den)
        } else {
            Value::Null
        }
    };
    json!({
        "shipments": ships.len(),
        "delivered": delivered.len(),
        "overdue_in_transit": ships.iter().filter(|s| s.open && s.delivered.is_none()
            && s.promised.is_some_and(|p| p < end)).count(),
        "avg_cycle_hours": if d > 0.0 { json!(mean / 3600.0) } else { Value::Null },
        "std_cycle_hours": if d > 0.0 { json!(var.sqrt() / 3600.0) } else { Value::Null },
        "delay_rate": rate(late, d),
        "damage_rate": rate(count("damaged", &delivered_plain), d),
        "short_rate": rate(count("short", &delivered_plain), d),
        "stockout_rate": rate(count("stockout", ships), n),
        "substitution_rate": rate(count("substituted", ships), n),
        "route_change_rate": rate(count("route_changed", ships), n),
        "return_rate": rate(count("returned", ships), n),
        "invoice_error_rate": rate(count("invoice_error", ships), n),
    })
}

/// Rollup-based KPIs equal the plain computation from the shipments, over random
/// shipments (times to the second, across midnights and months) and random windows.
#[tokio::test]
async fn rollup_kpis_equal_a_plain_computation_over_random_data() {
    use rand::{Rng, SeedableRng};
    each_db(|t| async move {
        let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_205);
        let id = t
            .customer("宁波随机测试物流有限公司", Some("lixy"), None)
            .await;
        let code = t.code_of(id).await;
        let admin = t.api("admin").await;
        let base = chrono::DateTime::parse_from_rfc3339("2025-07-01T00:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let span = 150 * 86_400;
        let flags = [
            "damaged",
            "short",
            "stockout",
            "substituted",
            "route_changed",
            "invoice_error",
        ];
        let mut plain = Vec::new();
        let mut items = Vec::new();
        for i in 0..240 {
            let at = base + chrono::Duration::seconds(rng.gen_range(0..span));
            let promised = rng
                .gen_bool(0.9)
                .then(|| at + chrono::Duration::seconds(rng.gen_range(3_600..6 * 86_400)));
            let delivered = rng
                .gen_bool(0.75)
                .then(|| at + chrono::Duration::seconds(rng.gen_range(600..8 * 86_400)));
            let returned = delivered.is_none() && rng.gen_bool(0.2);
            let mut f: Vec<&'static str> = flags
                .iter()
                .copied()
                .filter(|_| rng.gen_bool(0.08))
                .collect();
            let mut s = json!({"waybill_no": format!("KR{i:05}"), "customer_code": code,
                "revenue_fen": 1000, "ordered_at": at.to_rfc3339(), "exceptions": f.clone()});
            if let Some(p) = promised {
                s["promised_at"] = json!(p.to_rfc3339());
            }
            if let Some(d) = delivered {
                s["delivered_at"] = json!(d.to_rfc3339());
            } else {
                s["status"] = json!(if returned { "returned" } else { "in_transit" });
            }
            if returned {
                f.push("returned");
            }
            items.push(s);
            plain.push(Plain {
                at,
                promised,
                delivered,
                open: delivered.is_none() && !returned,
                flags: f,
            });
        }
        for chunk in items.chunks(100) {
            let (s, body) = admin
                .post("/api/v1/shipments", json!({"items": chunk}))
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        let tz = chrono_tz::Asia::Shanghai;
        let first = chrono::NaiveDate::from_ymd_opt(2025, 6, 25).expect("day");
        for _ in 0..25 {
            let a = first + chrono::Duration::days(rng.gen_range(0..150));
            let b = a + chrono::Duration::days(rng.gen_range(1..120));
            let start = a
                .and_hms_opt(0, 0, 0)
                .expect("t")
                .and_local_timezone(tz)
                .unwrap()
                .with_timezone(&chrono::Utc);
            let end = b
                .and_hms_opt(0, 0, 0)
                .expect("t")
                .and_local_timezone(tz)
                .unwrap()
                .with_timezone(&chrono::Utc);
            let within: Vec<&Plain> = plain
                .iter()
                .filter(|s| s.at >= start && s.at < end)
                .collect();
            let want = plain_kpis(&within, end);
            let (s, got) = admin
                .get(&format!("/api/v1/customers/{id}/kpis?from={a}&to={b}"))
                .await;
            assert_eq!(s, StatusCode::OK, "{got}");
            for (field, w) in want.as_object().expect("object") {
                let g = &got[field];
                let same = match (w.as_f64(), g.as_f64()) {
                    (Some(x), Some(y)) => (x - y).abs() < 1e-9 * x.abs().max(1.0),
                    _ => w == g,
                };
                assert!(same, "{field} over [{a}, {b}): plain {w}, rollups {g}");
            }
        }
    })
    .await;
}

/// The worst customers the company page names, ranked in the database, are those a plain
/// sort of every customer's KPIs (the API's `group=customer`) gives: the same figures,
/// the same order (equal figures by id), the same volume floors, within the caller's
/// scope; over the recent whole months and over any other window.
#[tokio::test]
async fn the_worst_customers_are_a_plain_sort_of_every_customers_kpis() {
    each_db(|t| async move {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(22);
        let admin = t.api("admin").await;
        let at = |h: i64| {
            (chrono::Utc::now() - chrono::Duration::hours(h))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let owners = ["lixy", "zhaop", "chenj"];
        let mut items = Vec::new();
        for c in 0..24 {
            let owner = owners[c % 3];
            let id = t.customer(&format!("随机客户{c:02}有限公司"), Some(owner), None).await;
            let code = t.code_of(id).await;
            // Volumes around the floors (20 delivered, 100 shipments), rates that tie.
            let n = [15, 25, 40, 110, 130][rng.gen_range(0..5)];
            for i in 0..n {
                let late = rng.gen_bool(0.2);
                let damaged = rng.gen_bool(0.05);
                let returned = rng.gen_bool(0.03);
                let mut exceptions = Vec::new();
                if damaged {
                    exceptions.push("damaged");
                }
                if returned {
                    exceptions.push("returned");
                }
                let delivered = rng.gen_bool(0.9);
                items.push(json!({"waybill_no": format!("WR{c:02}{i:04}"), "customer_code": code,
                    "revenue_fen": 10000, "ordered_at": at(96 + (i % 7) as i64), 
                    "delivered_at": if delivered { Some(at(24 + rng.gen_range(0..40))) } else { None },
                    "promised_at": if late { at(80) } else { at(2) },
                    "exceptions": exceptions}));
            }
            for k in 0..rng.gen_range(0..3) {
                t.complaint(id, &format!("投诉{k}")).await;
            }
        }
        for chunk in items.chunks(1000) {
            let (s, body) = admin.post("/api/v1/shipments", json!({"items": chunk})).await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        // Both ways of ranking: the recent months' kept sums (once housekeeping has moved
        // their window here) and any other window's.
        assert!(consign_app::kpis::keep_recent(&t.app).await.expect("recent"));
        let tomorrow = (chrono::Utc::now().with_timezone(&t.app.tz()).date_naive()
            + chrono::Duration::days(1))
        .to_string();
        let last_month = (chrono::Utc::now().with_timezone(&t.app.tz()).date_naive()
            - chrono::Duration::days(40))
        .to_string();
        for who in ["admin", "lixy"] {
            let actor = t.actor(who).await;
            for (from, to) in [(None, None), (Some(last_month.clone()), Some(tomorrow.clone()))] {
                let q = consign_app::kpis::GroupQuery {
                    from: from.clone(),
                    to: to.clone(),
                    group: Some("owner".into()),
                    ..Default::default()
                };
                let page = consign_app::kpis::company_quality(&t.app, &actor, &q)
                    .await
                    .expect("page");
                let (s, all) = t
                    .api(who)
                    .await
                    .get(&format!("/api/v1/kpis?group=customer&from={}&to={}", page.from, page.to))
                    .await;
                assert_eq!(s, StatusCode::OK, "{all}");
                let rows = all["items"].as_array().or(all.as_array()).expect("rows").clone();
                for (field, floor_on, floor) in [
                    ("delay_rate", "delivered", 20),
                    ("avg_cycle_hours", "delivered", 20),
                    ("damage_rate", "delivered", 20),
                    ("complaints_per_1000", "shipments", 100),
                    ("return_rate", "shipments", 100),
                ] {
                    let mut want: Vec<(f64, i64)> = rows
                        .iter()
                        .filter(|r| r[floor_on].as_i64().unwrap_or(0) >= floor)
                        .filter_map(|r| {
                            let v = r[field].as_f64()?;
                            let id: i64 = r["customer_id"].as_str()?.parse().ok()?;
                            (v > 0.0).then_some((v, id))
                        })
                        .collect();
                    want.sort_by(|a, b| b.0.partial_cmp(&a.0).expect("number").then(a.1.cmp(&b.1)));
                    want.truncate(8);
                    let got: Vec<(f64, i64)> = page
                        .worst
                        .iter()
                        .find(|(f, _)| f == field)
                        .expect("ranked")
                        .1
                        .iter()
                        .map(|g| {
                            let v = serde_json::to_value(&g.kpis).expect("json")[field].as_f64().expect("figure");
                            (v, g.customer_id.as_deref().expect("id").parse().expect("id"))
                        })
                        .collect();
                    let ids = |v: &[(f64, i64)]| v.iter().map(|x| x.1).collect::<Vec<_>>();
                    assert_eq!(ids(&got), ids(&want), "{who} {from:?}..{to:?} {field}: {got:?} {want:?}");
                    assert!(
                        got.iter().zip(&want).all(|(a, b)| (a.0 - b.0).abs() < 1e-9),
                        "{who} {from:?}..{to:?} {field}: {got:?} {want:?}"
                    );
                    assert!(!want.is_empty() || field == "complaints_per_1000", "{field}: nobody ranked");
                }
            }
        }
    })
    .await;
}
