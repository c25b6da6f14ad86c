//! Classification end to end, on both databases, against a hand-computed fixture
//! (as of 2026-06-01, company zone Asia/Shanghai):
//!
//! | customer | owner | shipments (revenue, cost)                    | profit  |
//! |----------|-------|-----------------------------------------------|---------|
//! | 恒通 C1  | lixy  | 10 on 2026-01-10, 3 on 2026-04-10 (¥50,000, ¥10,000) | 520,000 |
//! | 远达 C2  | lixy  | 4 on 2026-05-01..04 (¥30,000, cost unknown)   | 120,000 |
//! | 顺捷 C3  | chenj | 2 on 2025-08-01..02 (¥30,000, unknown)        |  60,000 |
//! | 华宇 C4  | pool  | none                                          |       0 |
//! | 王小明 C5 | zhaop | 9 on 2026-05-21..29 (¥100, unknown), individual |     900 |
//!
//! Total positive profit 700,900. Before C2: 520,000 = 74.19% → A; before C3: 640,000 =
//! 91.31% → B; before C5: 99.87% → C. RFM over 4 customers, scores 1,2,3,4 by position.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn ship(no: &str, code: &str, day: &str, revenue_fen: i64, cost_fen: Option<i64>) -> Value {
    let mut s = json!({
        "waybill_no": no, "customer_code": code, "origin_city": "上海", "destination_city": "广州",
        "revenue_fen": revenue_fen, "ordered_at": format!("{day}T04:00:00Z"),
    });
    if let Some(c) = cost_fen {
        s["cost_fen"] = json!(c);
    }
    s
}

#[tokio::test]
async fn classification_from_shipments_explained_and_filtered() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::ERROR)
        .with_test_writer()
        .try_init();
    each_db(|t| async move {
        let c1 = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let c2 = t.customer("苏州远达物流有限公司", Some("lixy"), None).await;
        let c3 = t.customer("广州顺捷货运代理有限公司", Some("chenj"), None).await;
        let c4 = t.customer("北京华宇商贸有限公司", None, None).await;
        let admin = t.api("admin").await;
        let zhaop = t.actor("zhaop").await.user_id();
        let (s, body) = admin
            .post(
                "/api/v1/customers",
                json!({"name": "王小明", "kind": "individual", "owner_id": zhaop.to_string(), "confirm_duplicates": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let c5: i64 = body["customer"]["id"].as_str().expect("id").parse().expect("id");
        let (k1, k2, k3, k5) = (
            t.code_of(c1).await,
            t.code_of(c2).await,
            t.code_of(c3).await,
            t.code_of(c5).await,
        );
        let mut items = Vec::new();
        for i in 0..10 {
            items.push(ship(&format!("HT1{i:03}"), &k1, "2026-01-10", 5_000_000, Some(1_000_000)));
        }
        for i in 0..3 {
            items.push(ship(&format!("HT2{i:03}"), &k1, "2026-04-10", 5_000_000, Some(1_000_000)));
        }
        for d in 1..=4 {
            items.push(ship(&format!("YD{d:03}"), &k2, &format!("2026-05-{d:02}"), 3_000_000, None));
        }
        for d in 1..=2 {
            items.push(ship(&format!("SJ{d:03}"), &k3, &format!("2025-08-{d:02}"), 3_000_000, None));
        }
        for d in 21..=29 {
            items.push(ship(&format!("WX{d:03}"), &k5, &format!("2026-05-{d:02}"), 10_000, None));
        }
        let (s, body) = admin.post("/api/v1/shipments", json!({ "items": items })).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // Before any run the customer page says so.
        let b = t.browser("lixy").await;
        let (_, page) = b.get(&format!("/customers/{c2}")).await;
        assert!(page.contains("尚未计算分类"), "no classification yet");

        // An account manager may not recompute; a bad date is refused by field.
        let (s, _) = t
            .api("lixy")
            .await
            .post("/api/v1/classification/runs", json!({"as_of": "2026-06-01"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) = admin
            .post("/api/v1/classification/runs", json!({"as_of": "2026-13-01"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("as_of"), "{body}");

        let (s, run) = admin
            .post("/api/v1/classification/runs", json!({"as_of": "2026-06-01"}))
            .await;
        // The recompute is audited with who asked for it.
        let (_, audit) = admin.get("/api/v1/audit?action=classification.recompute").await;
        assert!(
            audit["items"].as_array().expect("items").iter().any(|e| e["actor_name"] == "系统管理员 (admin)"),
            "{audit}"
        );
        assert_eq!(s, StatusCode::CREATED, "{run}");
        assert_eq!(run["customers"], 5);
        assert_eq!((run["a"].as_i64(), run["b"].as_i64(), run["c"].as_i64()), (Some(2), Some(1), Some(2)));
        assert_eq!(run["at_risk"], 1);

        let verdict = |v: &Value| {
            let r = &v["row"];
            (
                r["grade"].as_str().unwrap_or("").to_string(),
                r["value_class"].as_str().unwrap_or("").to_string(),
                r["lifecycle"].as_str().unwrap_or("").to_string(),
                r["at_risk"].as_bool().unwrap_or(false),
                r["rfm_segment"].as_str().unwrap_or("").to_string(),
                (r["r_score"].as_i64(), r["f_score"].as_i64(), r["m_score"].as_i64()),
                r["recency_days"].as_i64(),
            )
        };
        let get = |id: i64| {
            let admin = admin.clone();
            async move {
                let (s, v) = admin.get(&format!("/api/v1/customers/{id}/classification")).await;
                assert_eq!(s, StatusCode::OK, "{v}");
                v
            }
        };
        let v1 = get(c1).await;
        assert_eq!(
            verdict(&v1),
            ("large".into(), "a".into(), "current".into(), true, "at_risk".into(), (Some(2), Some(4), Some(4)), Some(52))
        );
        let v2 = get(c2).await;
        assert_eq!(
            verdict(&v2),
            ("medium".into(), "a".into(), "current".into(), false, "need_attention".into(), (Some(3), Some(2), Some(3)), Some(28))
        );
        let v3 = get(c3).await;
        assert_eq!(
            verdict(&v3),
            ("small".into(), "b".into(), "past".into(), false, "lost".into(), (Some(1), Some(1), Some(2)), Some(303))
        );
        let v4 = get(c4).await;
        assert_eq!(
            verdict(&v4),
            ("small".into(), "c".into(), "prospective".into(), false, String::new(), (None, None, None), None)
        );
        let v5 = get(c5).await;
        assert_eq!(
            verdict(&v5),
            ("frequent".into(), "c".into(), "current".into(), false, "potential_loyalists".into(), (Some(4), Some(3), Some(1)), Some(3))
        );

        // The explanation in English names the rank, the share and the rule.
        let (_, en) = admin.clone().lang("en").get(&format!("/api/v1/customers/{c2}/classification")).await;
        let reasons = en["reasons"].to_string();
        assert!(reasons.contains("ranked 2 of 4; customers before it hold 74.19% of positive profit"), "{reasons}");
        assert!(reasons.contains("A below 80%"), "{reasons}");
        // The churn reason states the rule's own comparison: 3 of 10 is 30% of before.
        assert!(
            v1["reasons"].to_string().contains("近 90 天 3 票，之前 90 天 10 票：为之前的 30%（向上取整）；不超过 70% 即预警"),
            "{}",
            v1["reasons"]
        );

        // The customer page explains it, in Chinese, to its owner.
        let (s, page) = b.get(&format!("/customers/{c2}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("A 关键客户"), "value class shown");
        assert!(page.contains("排名第 2 / 4"), "rank shown");
        assert!(page.contains("74.19%"), "share shown");
        assert!(page.contains("低于 80% 为 A 类"), "rule shown");

        // Lists filter and sort by the verdicts, within the caller's scope.
        let (_, a) = admin.get("/api/v1/customers?value_class=a&sort=value_rank").await;
        assert_eq!(a["total"], 2, "{a}");
        assert_eq!(a["items"][0]["id"], c1.to_string());
        assert_eq!(a["items"][0]["class"]["value_class"], "a");
        let (_, risk) = admin.get("/api/v1/customers?at_risk=1").await;
        assert_eq!(risk["total"], 1);
        assert_eq!(risk["items"][0]["id"], c1.to_string());
        let (_, frequent) = admin.get("/api/v1/customers?grade=frequent&r=4").await;
        assert_eq!(frequent["total"], 1);
        let (s, bad) = admin.get("/api/v1/customers?value_class=x").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (_, chenj_a) = t.api("chenj").await.get("/api/v1/customers?value_class=a").await;
        assert_eq!(chenj_a["total"], 0, "chenj owns neither A customer");

        // The policy: an admin lowers the A cut to 70%; C2 (74.19% before it) becomes B.
        let (s, _) = t
            .api("wangjl")
            .await
            .req(reqwest::Method::PUT, "/api/v1/policies/classification")
            .json(&json!({"policy": {"a_share_bp": 7000}, "recompute": false}))
            .send()
            .await
            .map(|r| (r.status(), ()))
            .expect("send");
        assert_eq!(s, StatusCode::FORBIDDEN, "managers do not change the policy");
        let r = admin
            .req(reqwest::Method::PUT, "/api/v1/policies/classification")
            .json(&json!({"policy": {"a_share_bp": 9700}, "recompute": false}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "A above B is refused");
        // A policy that is not an object is refused, not read as the default policy.
        let r = admin
            .req(reqwest::Method::PUT, "/api/v1/policies/classification")
            .json(&json!({"policy": [], "recompute": false}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an array is not a policy");
        let r = admin
            .req(reqwest::Method::PUT, "/api/v1/policies/classification")
            .json(&json!({"policy": {"a_share_bp": 7000}, "note": "收紧A类", "recompute": false}))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        let (s, run2) = admin
            .post("/api/v1/classification/runs", json!({"as_of": "2026-06-02"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{run2}");
        assert_eq!(run2["policy_version"], 2);
        assert_eq!((run2["a"].as_i64(), run2["b"].as_i64()), (Some(1), Some(2)));
        let (_, page) = b.get(&format!("/customers/{c2}")).await;
        assert!(page.contains("B 潜力客户"), "the new verdict");
        assert!(page.contains("70% 及以上、低于 95% 为 B 类"), "the new rule");
        assert!(page.contains("分类策略 v2"), "the version used");
        assert!(page.contains("A 关键客户 → B 潜力客户"), "the change in the history");
        let (_, hist) = admin.get(&format!("/api/v1/customers/{c2}/classification/history")).await;
        assert_eq!(hist["items"].as_array().map(|a| a.len()), Some(2), "{hist}");
        // A run that a later one replaces keeps its changes (issue 16): as of 06-03 the
        // 06-02 run is gone, yet C2's change is still dated 06-02.
        let (s, run3) = admin
            .post("/api/v1/classification/runs", json!({"as_of": "2026-06-03"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{run3}");
        let (_, runs) = admin.get("/api/v1/classification/runs").await;
        assert!(!runs.to_string().contains("2026-06-02"), "the 06-02 run was replaced: {runs}");
        let (_, hist) = admin.get(&format!("/api/v1/customers/{c2}/classification/history")).await;
        let days: Vec<&str> = hist["items"].as_array().expect("items").iter()
            .map(|x| x["as_of"].as_str().unwrap_or("")).collect();
        assert_eq!(days, ["2026-06-01", "2026-06-02", "2026-06-03"], "{hist}");
        assert_eq!(hist["items"][1]["verdict"]["value_class"], "b", "{hist}");
        let (_, page) = b.get(&format!("/customers/{c2}")).await;
        let change = page
            .split("<span class=\"mono\">2026-06-02</span>")
            .nth(1)
            .and_then(|rest| rest.split("</li>").next())
            .unwrap_or("");
        assert!(change.contains("A 关键客户 → B 潜力客户"), "the change keeps its day: {page}");

        // The dashboard: managers see their scope, account managers do not see it.
        let (_, d) = admin.get("/api/v1/dashboard").await;
        assert_eq!(d["customers"], 5, "{d}");
        let (_, d) = t.api("wangjl").await.get("/api/v1/dashboard").await;
        assert_eq!(d["customers"], 4, "上海's manager does not count 广州's customer");
        let (s, _) = t.api("lixy").await.get("/api/v1/dashboard").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Slices by region and by service mode are summed from the verdicts and the
        // customers' months: 广州顺捷 alone, with its two shipments of August 2025.
        let (s, body) = admin
            .patch(&format!("/api/v1/customers/{c3}"),
                   json!({"province": "广东", "city": "广州", "service_modes": ["ftl"]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // A region is read from the customers as they are now; the sums by service mode
        // are the run's, as the customers were when it ran: run it again.
        let (_, d) = admin.get("/api/v1/dashboard?service_mode=ftl").await;
        assert_eq!(d["customers"], 0, "not yet in the run's sums: {d}");
        let as_of = d["as_of"].as_str().expect("as_of").to_string();
        let (s, body) = admin.post("/api/v1/classification/runs", json!({"as_of": as_of})).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        for slice in ["province=%E5%B9%BF%E4%B8%9C", "service_mode=ftl"] {
            let (_, d) = admin.get(&format!("/api/v1/dashboard?{slice}")).await;
            assert_eq!(d["customers"], 1, "{slice}: {d}");
            let names: Vec<&str> = d["top"].as_array().expect("top").iter()
                .map(|x| x["name"].as_str().unwrap_or("")).collect();
            assert_eq!(names, ["广州顺捷货运代理有限公司"], "{slice}");
            let aug = d["months"].as_array().expect("months").iter()
                .find(|m| m["month"] == 202508).cloned().unwrap_or_default();
            assert_eq!((aug["shipments"].clone(), aug["revenue_fen"].clone()), (json!(2), json!(6_000_000)), "{slice}: {d}");
            let total: i64 = d["months"].as_array().expect("months").iter()
                .map(|m| m["shipments"].as_i64().unwrap_or(0)).sum();
            assert_eq!(total, 2, "{slice}: only its shipments");
        }
        // A run from before the stored sums by service mode (an upgraded database) is
        // answered from its verdicts, to the same figures.
        let (_, stored) = admin.get("/api/v1/dashboard").await;
        sea_orm::ConnectionTrait::execute_unprepared(&t.app.db.conn, "UPDATE classification_runs SET sums = 0")
            .await
            .expect("sums");
        for slice in ["", "service_mode=ftl"] {
            let (_, d) = admin.get(&format!("/api/v1/dashboard?{slice}")).await;
            let want = if slice.is_empty() { stored["customers"].clone() } else { json!(1) };
            assert_eq!(d["customers"], want, "{slice}: {d}");
            if slice.is_empty() {
                assert_eq!(d["months"], stored["months"], "the same monthly totals");
                assert_eq!(d["by_value_class"], stored["by_value_class"]);
            }
        }
        sea_orm::ConnectionTrait::execute_unprepared(&t.app.db.conn, "UPDATE classification_runs SET sums = 2")
            .await
            .expect("sums");
        let (_, d) = t.api("wangjl").await.get("/api/v1/dashboard?province=%E5%B9%BF%E4%B8%9C").await;
        assert_eq!(d["customers"], 0, "广东's customer is not in 上海's scope: {d}");
        let (s, _) = b.get("/analysis").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let m = t.browser("admin").await;
        let (s, dash) = m.get("/analysis").await;
        assert_eq!(s, StatusCode::OK);
        assert!(dash.contains("利润帕累托曲线") && dash.matches("<svg").count() >= 6);
        assert!(dash.contains(r#"href="/customers?value_class=a""#), "value classes drill down");
        assert!(dash.contains(r#"href="/customers?at_risk=1""#), "at risk drills down");
        assert!(dash.contains("上海恒通供应链管理有限公司"), "top and at-risk lists name customers");
        let (_, filtered) = m.get(&format!("/analysis?owner={}", t.actor("lixy").await.user_id())).await;
        assert!(filtered.contains(&format!("href=\"/customers?owner={}&amp;value_class=a\"", t.actor("lixy").await.user_id())) || filtered.contains(&format!("/customers?owner={}&value_class=a", t.actor("lixy").await.user_id())), "drill-down keeps the filter");
        // The policy form: a bad value is named; a good one stores v3 and reclassifies.
        let r = m
            .post(
                "/admin/classification",
                "/admin/classification",
                &[
                    ("frequent_per_month", "3"), ("frequent_months", "3"),
                    ("large_revenue_yuan", "500000"), ("medium_revenue_yuan", "十万"),
                    ("revenue_months", "12"), ("value_months", "12"),
                    ("a_share_pct", "75"), ("b_share_pct", "95"),
                    ("current_days", "90"), ("churn_days", "90"),
                    ("churn_ratio_pct", "70"), ("rfm_months", "12"), ("note", "试行"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.expect("body").contains("field-error"), "the bad field is marked");
        let r = m
            .post(
                "/admin/classification",
                "/admin/classification",
                &[
                    ("frequent_per_month", "3"), ("frequent_months", "3"),
                    ("large_revenue_yuan", "500,000.00"), ("medium_revenue_yuan", "100000"),
                    ("revenue_months", "12"), ("value_months", "12"),
                    ("a_share_pct", "75%"), ("b_share_pct", "95"),
                    ("current_days", "90"), ("churn_days", "90"),
                    ("churn_ratio_pct", "70"), ("rfm_months", "12"), ("note", "试行"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, p) = admin.get("/api/v1/policies/classification").await;
        assert_eq!((p["version"].as_i64(), p["policy"]["a_share_bp"].as_i64()), (Some(3), Some(7500)));
        let (_, versions) = m.get("/admin/classification").await;
        assert!(versions.contains("试行") && versions.contains("收紧A类"), "versions with their notes");
        // The first version's note and author are the system's: in the reader's language.
        assert!(versions.contains("默认策略（SPEC §3）") && versions.contains("<td>系统</td>"), "{versions}");
        let (_, all) = admin.get("/api/v1/policies/classification/versions").await;
        let first = &all["items"][2];
        assert_eq!((first["version"].as_i64(), first["note_key"].as_str(), first["author_key"].as_str()),
            (Some(1), Some("policy.note.defaults"), Some("policy.by.system")), "{all}");
        assert!(all["items"][0]["note_key"].is_null(), "a note a person wrote has no key: {all}");
        let _ = m.get("/lang/en?next=/analysis").await;
        let (_, en) = m.get("/analysis").await;
        assert!(en.contains("Pareto curve of profit") && en.contains("Customers at risk"));
        let (_, versions) = m.get("/admin/classification").await;
        assert!(versions.contains("Defaults (SPEC §3)") && versions.contains("<td>System</td>"), "{versions}");
        assert!(!versions.contains("默认策略") && versions.contains("试行"), "generated notes translate, written ones stay");
    })
    .await;
}

/// A government body's grade is explained by the rule that decided it (issue 16): its
/// recorded level, or, without one, its revenue.
#[tokio::test]
async fn a_government_grade_names_the_rule_that_decided() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let mut ids = Vec::new();
        for (name, level) in [
            ("上海市浦东新区人民政府办公室", Some("provincial")),
            ("嘉定区图书馆", None),
        ] {
            let mut body = json!({"name": name, "kind": "government"});
            if let Some(l) = level {
                body["gov_level"] = json!(l);
            }
            let (s, d) = admin.post("/api/v1/customers", body).await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            let id = d["customer"]["id"].as_str().expect("id").to_string();
            let code = d["customer"]["code"].as_str().expect("code").to_string();
            let (s, b) = admin
                .post(
                    "/api/v1/shipments",
                    json!({"waybill_no": format!("GV2026{}", ids.len()), "customer_code": code,
                       "revenue_fen": 20_000_000, "ordered_at": "2026-05-10T02:00:00Z"}),
                )
                .await;
            assert!(s.is_success(), "{b}");
            ids.push(id);
        }
        let (s, run) = admin
            .post(
                "/api/v1/classification/runs",
                json!({"as_of": "2026-06-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{run}");
        let (_, by_level) = admin
            .get(&format!("/api/v1/customers/{}/classification", ids[0]))
            .await;
        let text = by_level["reasons"][0]["because"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(text.contains("按登记级别分级：登记为省级"), "{by_level}");
        assert!(
            !text.contains("收入"),
            "the revenue rule did not decide: {text}"
        );
        let (_, by_revenue) = admin
            .get(&format!("/api/v1/customers/{}/classification", ids[1]))
            .await;
        let text = by_revenue["reasons"][0]["because"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            text.contains("未登记级别的政府机构按收入分级") && text.contains("¥200,000.00"),
            "{by_revenue}"
        );
        let (_, en) = admin
            .clone()
            .lang("en")
            .get(&format!("/api/v1/customers/{}/classification", ids[0]))
            .await;
        assert!(
            en["reasons"][0]["because"]
                .as_str()
                .unwrap_or("")
                .contains("recorded level: Provincial"),
            "{en}"
        );
    })
    .await;
}
