//! Improvement actions (issue 20, PDCA) on SQLite and PostgreSQL: opened on a customer's
//! on-time rate with its baseline (the 90 days before), moved plan → do → check, the
//! figure since the start measured against the baseline, the stages that may not be
//! skipped, who sees and moves which action, and an overdue action on its owner's task
//! list.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn an_action_measures_its_figure_since_the_start_against_the_baseline() {
    each_db(|t| async move {
        let mine = t
            .customer(
                "上海恒通供应链管理有限公司",
                Some("lixy"),
                Some("13812345678"),
            )
            .await;
        let code = t.code_of(mine).await;
        let admin = t.api("admin").await;
        let now = chrono::Utc::now();
        let ago = |d: i64, s: i64| {
            (now - chrono::Duration::days(d) - chrono::Duration::seconds(s)).to_rfc3339()
        };
        // A month ago: four deliveries, two of them late: on time 50 %.
        let late = |no: &str, promised_ok: bool| {
            json!({"waybill_no": no, "customer_code": code, "revenue_fen": 8000,
                   "ordered_at": ago(30, 7200), "delivered_at": ago(30, 0),
                   "promised_at": if promised_ok { ago(29, 0) } else { ago(30, 3600) }})
        };
        let items = vec![
            late("PD001", true),
            late("PD002", true),
            late("PD003", false),
            late("PD004", false),
        ];
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
        let lixy = t.api("lixy").await;
        let open = |extra: Value| {
            let mut b = json!({"title": "准时率整改", "metric": "on_time_rate",
                "scope": format!("customer:{mine}"), "plan": "增开夜班车，压缩分拨时限。",
                "due_on": day(30), "check_on": day(1), "source": "kpi"});
            for (k, v) in extra.as_object().expect("object") {
                b[k] = v.clone();
            }
            b
        };
        // Refused field by field: a past due date, a check date not after today, an
        // unknown figure.
        let (s, e) = lixy
            .post(
                "/api/v1/improvements",
                open(json!({"due_on": day(-1), "check_on": day(0), "metric": "speed"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let fields: Vec<&str> = e["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|x| x["field"].as_str())
            .collect();
        assert_eq!(fields, ["metric", "due_on", "check_on"], "{e}");
        // An account manager cannot open one on the whole company.
        let (s, _) = lixy
            .post("/api/v1/improvements", open(json!({"scope": "company"})))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A gap is not kept per segment.
        let (s, e) = admin
            .post(
                "/api/v1/improvements",
                open(json!({"scope": "value_class:A", "metric": "gap.price"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        let (s, a) = lixy.post("/api/v1/improvements", open(json!({}))).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(a["stage"], "plan");
        assert_eq!(a["baseline"], json!(0.5), "{a}");
        assert_eq!(a["baseline_to"], json!(today.to_string()));
        let id = a["id"].as_str().expect("id").to_string();
        let path = format!("/api/v1/improvements/{id}");

        // "Check" comes after "do".
        let (s, e) = lixy
            .post(&format!("{path}/stage"), json!({"stage": "check"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, d) = lixy
            .post(
                &format!("{path}/stage"),
                json!({"stage": "do", "note": "夜班车已开通"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["action"]["stage"], "do");
        assert_eq!(d["action"]["started_on"], json!(today.to_string()));
        assert_eq!(
            d["outcome"], "unknown",
            "nothing delivered since the start: {d}"
        );

        // Since the start: two deliveries, both on time.
        let items: Vec<Value> = ["PD005", "PD006"]
            .iter()
            .map(|no| {
                json!({"waybill_no": no, "customer_code": code, "revenue_fen": 8000,
                "ordered_at": ago(0, 10), "delivered_at": ago(0, 5), "promised_at": ago(-1, 0)})
            })
            .collect();
        let (s, body) = admin
            .post("/api/v1/shipments", json!({"items": items}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (_, d) = lixy.get(&path).await;
        assert_eq!(d["since_start"], json!(1.0), "{d}");
        assert_eq!(d["outcome"], "better");
        let (s, d) = lixy
            .post(
                &format!("{path}/stage"),
                json!({"stage": "check", "note": "两周数据"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["action"]["check_value"], json!(1.0));
        assert_eq!(d["steps"].as_array().map(Vec::len), Some(3));
        // Closing says what came of it.
        let (s, e) = lixy
            .post(&format!("{path}/stage"), json!({"stage": "closed"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // Another branch's account manager neither sees nor moves it; a read-only user
        // sees it but cannot move it.
        let chenj = t.api("chenj").await;
        assert_eq!(chenj.get(&path).await.0, StatusCode::NOT_FOUND);
        let (_, theirs) = chenj.get("/api/v1/improvements").await;
        assert_eq!(theirs["total"], 0, "{theirs}");
        let ro = t.api("ro").await;
        let (s, d) = ro.get(&path).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["next"], json!([]));
        let (s, _) = ro
            .post(&format!("{path}/stage"), json!({"stage": "act"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Past its due date it is on its owner's task list.
        use consign_store::ConnectionTrait;
        let conn = &t.app.db.conn;
        let yesterday = (today - chrono::Duration::days(1))
            .format("%Y%m%d")
            .to_string();
        conn.execute(consign_store::dialect::stmt(
            conn.get_database_backend(),
            "UPDATE improvements SET due_on = ? WHERE id = ?",
            vec![
                yesterday.parse::<i32>().expect("day").into(),
                id.parse::<i64>().expect("id").into(),
            ],
        ))
        .await
        .expect("backdate");
        let (_, tasks) = lixy.get("/api/v1/tasks").await;
        assert_eq!(tasks["improvements"][0]["id"], json!(id), "{tasks}");
        assert_eq!(tasks["improvements"][0]["overdue"], true);
        let (_, overdue) = lixy
            .get("/api/v1/improvements?stage=overdue&owner=me")
            .await;
        assert_eq!(overdue["total"], 1, "{overdue}");

        let (_, audit) = admin.get("/api/v1/audit?action=improvement.step").await;
        assert_eq!(audit["total"], 2, "{audit}");
    })
    .await;
}
