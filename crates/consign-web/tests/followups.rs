//! Follow-ups on SQLite and PostgreSQL: the interaction log on the customer's page and
//! timeline, the owner's last follow-up that keeps a customer out of the pool, the
//! callback task after a closed complaint, the call to a customer flagged at risk, the
//! regular follow-ups by value class, and completing a task by logging what was done.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn interactions_on_the_customer_page() {
    each_db(|t| async move {
        let c = t
            .customer(
                "上海恒通供应链管理有限公司",
                Some("lixy"),
                Some("13812345678"),
            )
            .await;
        let b = t.browser("lixy").await;
        let page = format!("/customers/{c}");
        // Refused: no summary, a time in the future; what was typed stays.
        let r = b
            .post(
                &format!("/customers/{c}/interactions"),
                &page,
                &[
                    ("kind", "visit"),
                    ("at", "2099-01-01 10:00"),
                    ("summary", ""),
                    ("next_step", "下周报价"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.expect("body");
        assert!(
            html.contains("不能晚于现在") && html.contains("必填") && html.contains("下周报价")
        );

        let r = b
            .post(
                &format!("/customers/{c}/interactions"),
                &page,
                &[
                    ("kind", "visit"),
                    ("summary", "拜访物流经理张伟，了解明年华东仓配需求"),
                    ("next_step", "下周提交仓配报价"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = b.get(&page).await;
        assert!(
            html.contains("拜访物流经理张伟，了解明年华东仓配需求"),
            "in the interactions card"
        );
        assert!(html.contains("下周提交仓配报价"));
        assert!(html.contains("沟通记录"), "on the timeline");

        // The owner's interaction counts as its follow-up: the pool's reclaim leaves it.
        let row = consign_store::customers::find(
            &t.app.db.conn,
            consign_domain::customer::CustomerId::trusted(c),
        )
        .await
        .expect("db")
        .expect("c");
        assert!(row.last_interaction_at.is_some(), "last follow-up stamped");
        let n = consign_app::customers::reclaim_stale(&t.app, chrono::Utc::now())
            .await
            .expect("reclaim");
        assert_eq!(n, 0);

        // Another account manager cannot log on it.
        let (s, _) = t
            .api("chenj")
            .await
            .post(
                &format!("/api/v1/customers/{c}/interactions"),
                json!({"kind": "call", "summary": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The API lists it.
        let (s, list) = t
            .api("lixy")
            .await
            .get(&format!("/api/v1/customers/{c}/interactions"))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["kind"], "visit");
        assert_eq!(list["items"][0]["user_name"], "李晓云");
    })
    .await;
}

#[tokio::test]
async fn tasks_after_complaints_at_risk_and_by_plan() {
    each_db(|t| async move {
        let c = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let quiet = t.customer("苏州工业园区精工机械有限公司", Some("lixy"), None).await;
        let code = t.code_of(c).await;
        let agent = t.api("liuy").await;

        // A complaint closed: its callback goes on the owner's list.
        let (_, d) = agent
            .post("/api/v1/tickets", json!({"kind": "complaint", "channel": "phone",
                   "customer_id": c.to_string(), "subject": "签收延误"}))
            .await;
        let id = d["ticket"]["id"].as_str().expect("id").to_string();
        for step in [
            json!({"action": "investigate"}),
            json!({"action": "resolve", "root_cause": "delay", "note": "加派专车"}),
            json!({"action": "confirm", "note": "客户满意"}),
            json!({"action": "close"}),
        ] {
            let (s, body) = agent.post(&format!("/api/v1/tickets/{id}/transitions"), step).await;
            assert_eq!(s, StatusCode::OK, "{body}");
        }
        let lixy = t.api("lixy").await;
        let (_, l) = lixy.get("/api/v1/tasks").await;
        let upcoming = l["upcoming"].as_array().expect("upcoming");
        assert_eq!(upcoming.len(), 1, "{l}");
        assert_eq!(upcoming[0]["kind"], "complaint_callback");
        assert_eq!(upcoming[0]["ticket_id"], id.as_str());

        // Complete it in the browser: the interaction is logged, the task leaves the list.
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/tasks").await;
        assert!(page.contains("投诉后回访") && page.contains("上海恒通供应链管理有限公司"));
        let task_id = upcoming[0]["id"].as_str().expect("task id").to_string();
        let r = b.post(&format!("/tasks/{task_id}/complete"), "/tasks", &[("kind", "call"), ("summary", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "summary required");
        let r = b
            .post(&format!("/tasks/{task_id}/complete"), "/tasks",
                  &[("kind", "call"), ("summary", "回访：客户对处理结果满意，同意继续合作")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, l) = lixy.get("/api/v1/tasks").await;
        assert_eq!(l["upcoming"].as_array().map(Vec::len), Some(0));
        let (_, list) = lixy.get(&format!("/api/v1/customers/{c}/interactions")).await;
        assert_eq!(list["items"][0]["summary"], "回访：客户对处理结果满意，同意继续合作");
        assert_eq!(list["items"][0]["task_id"], task_id.as_str());
        // Done once only.
        let (s, _) = lixy.post(&format!("/api/v1/tasks/{task_id}/complete"), json!({"kind": "call", "summary": "again"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // Someone else's task is not theirs to complete.
        let (s, _) = t.api("zhaop").await.post(&format!("/api/v1/tasks/{task_id}/complete"), json!({"kind": "call", "summary": "x"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // At risk: ten shipments four months ago, one ten days ago.
        let admin = t.api("admin").await;
        let now = chrono::Utc::now();
        let mut items = Vec::new();
        for i in 0..10 {
            let at = now - chrono::Duration::days(120) + chrono::Duration::hours(i);
            items.push(json!({"waybill_no": format!("RK2026{i:06}"), "customer_code": code, "revenue_fen": 50000,
                              "cost_fen": 30000, "ordered_at": at.to_rfc3339()}));
        }
        items.push(json!({"waybill_no": "RK2026999999", "customer_code": code, "revenue_fen": 50000,
                          "cost_fen": 30000, "ordered_at": (now - chrono::Duration::days(10)).to_rfc3339()}));
        let (s, body) = admin.post("/api/v1/shipments", json!({"items": items})).await;
        assert!(s.is_success(), "{body}");
        // The same pattern for two customers of the pool (公海).
        let pooled = t.customer("昆山宏达精密模具有限公司", None, None).await;
        let pooled2 = t.customer("嘉兴联创包装材料有限公司", None, None).await;
        for (n, who) in [(1, pooled), (2, pooled2)] {
            let pcode = t.code_of(who).await;
            let mut items = Vec::new();
            for i in 0..10 {
                let at = now - chrono::Duration::days(120) + chrono::Duration::hours(i);
                items.push(json!({"waybill_no": format!("PK{n}026{i:06}"), "customer_code": pcode,
                                  "revenue_fen": 50000, "cost_fen": 30000, "ordered_at": at.to_rfc3339()}));
            }
            items.push(json!({"waybill_no": format!("PK{n}026999999"), "customer_code": pcode, "revenue_fen": 50000,
                              "cost_fen": 30000, "ordered_at": (now - chrono::Duration::days(10)).to_rfc3339()}));
            let (s, body) = admin.post("/api/v1/shipments", json!({"items": items})).await;
            assert!(s.is_success(), "{body}");
        }
        // The second pool customer is called by a user the policy names.
        let r = admin.req(reqwest::Method::PUT, "/api/v1/policies/followup")
            .json(&json!({"pool_assignee": 999_999})).send().await.expect("put");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no such user");
        // Recompute (any recompute, not only the nightly job): the calls are listed at once.
        consign_app::classification::recompute(&t.app, &consign_app::auth::Actor::system("test"), None, "manual").await.expect("classify");
        let (_, cls) = lixy.get(&format!("/api/v1/customers/{c}/classification")).await;
        assert_eq!(cls["row"]["at_risk"], true, "{cls}");
        let (_, tasks) = lixy.get(&format!("/api/v1/customers/{c}/tasks")).await;
        assert!(tasks.to_string().contains("\"at_risk\""), "right after the recompute: {tasks}");
        // A pool customer's call goes to the pool's team lead (the manager of the highest unit).
        let wang = t.api("wangjl").await;
        let (_, l) = wang.get("/api/v1/tasks").await;
        assert!(l.to_string().contains("昆山宏达精密模具有限公司"), "{l}");
        let made = consign_app::followups::plan(&t.app, now).await.expect("plan");
        assert!(made >= 1);
        // The plan again makes nothing new.
        assert_eq!(consign_app::followups::plan(&t.app, now).await.expect("plan"), 0);
        let (_, tasks) = lixy.get(&format!("/api/v1/customers/{c}/tasks")).await;
        let kinds: Vec<&str> = tasks["items"].as_array().expect("items").iter()
            .map(|x| x["kind"].as_str().unwrap_or("")).collect();
        assert!(kinds.contains(&"at_risk"), "{tasks}");
        // Today's callback was its follow-up: the next regular one is half a year away
        // (class C), so none is listed yet; a customer never followed up is due today.
        assert!(!kinds.contains(&"follow_up"), "{tasks}");
        let (_, tasks) = lixy.get(&format!("/api/v1/customers/{quiet}/tasks")).await;
        assert_eq!(tasks["items"][0]["kind"], "follow_up", "{tasks}");
        assert_eq!(tasks["items"][0]["due"], "today");
        let (_, html) = b.get(&format!("/customers/{c}")).await;
        assert!(html.contains("流失预警回访"), "on the customer's page");

        // The policy: admins only, days in range.
        let (s, _) = lixy.req(reqwest::Method::PUT, "/api/v1/policies/followup")
            .json(&json!({"a_days": 14})).send().await.map(|r| (r.status(), ())).expect("put");
        assert_eq!(s, StatusCode::FORBIDDEN);
        let r = admin.req(reqwest::Method::PUT, "/api/v1/policies/followup")
            .json(&json!({"a_days": 0})).send().await.expect("put");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (s, p) = {
            let r = admin.req(reqwest::Method::PUT, "/api/v1/policies/followup")
                .json(&json!({"a_days": 14, "b_days": 60})).send().await.expect("put");
            let s = r.status();
            (s, r.json::<serde_json::Value>().await.expect("json"))
        };
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p["a_days"], 14);
        assert_eq!(p["c_days"], 180, "fields left out keep their defaults");
    })
    .await;
}

#[tokio::test]
async fn a_long_task_list_is_bounded_and_paged() {
    each_db(|t| async move {
        let c = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let lixy_id = t.users.lixy;
        let today = chrono::Utc::now().with_timezone(&t.app.tz()).date_naive();
        let num = |d: chrono::NaiveDate| consign_domain::classify::day_num(d);
        // 105 overdue (one to 105 days late), 2 due today.
        for late in 1..=105i64 {
            let title = format!("逾期回访 {late:03}");
            consign_store::followups::add_task(
                &t.app.db.conn,
                &consign_store::followups::NewTask {
                    customer_id: c,
                    assignee_id: Some(lixy_id),
                    kind: "manual",
                    title: &title,
                    title_key: None,
                    title_args: None,
                    due_on: num(today - chrono::Duration::days(late)),
                    ticket_id: None,
                    created_by: Some(lixy_id),
                    now: chrono::Utc::now(),
                },
            )
            .await
            .expect("task");
        }
        let lixy = t.api("lixy").await;
        for title in ["今天确认报价", "今天电话回访"] {
            let (s, body) = lixy
                .post(
                    &format!("/api/v1/customers/{c}/tasks"),
                    json!({"title": title, "due_on": today.to_string()}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
        }

        // Each group lists at most 100 and gives its whole count; today's tasks show
        // however many are overdue.
        let (_, l) = lixy.get("/api/v1/tasks").await;
        assert_eq!(l["overdue_total"], 105, "{l}");
        assert_eq!(l["overdue"].as_array().map(Vec::len), Some(100));
        assert_eq!(
            l["overdue"][0]["title"], "逾期回访 105",
            "the longest overdue first"
        );
        assert_eq!(l["today_total"], 2);
        assert_eq!(l["today"].as_array().map(Vec::len), Some(2));
        assert_eq!(l["upcoming_total"], 0);
        // One group, paged.
        let (_, l) = lixy.get("/api/v1/tasks?group=overdue&page=2").await;
        assert_eq!(l["overdue"].as_array().map(Vec::len), Some(5), "{l}");
        assert_eq!(l["overdue"][4]["title"], "逾期回访 001");
        assert_eq!(
            l["today"].as_array().map(Vec::len),
            Some(0),
            "only the group asked for"
        );
        assert_eq!(l["today_total"], 2);
        let (s, body) = lixy.get("/api/v1/tasks?group=someday").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "group");

        // The page says how many it shows, links to the whole group, and pages it.
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/tasks").await;
        assert!(page.contains("显示第 1 – 100 条，共 105 条"), "{page}");
        assert!(page.contains("href=\"/tasks?group=overdue\""), "{page}");
        assert!(page.contains("今天确认报价") && page.contains("今天电话回访"));
        assert!(!page.contains("逾期回访 005"), "beyond the first 100");
        let (_, page) = b.get("/tasks?group=overdue&page=2").await;
        assert!(page.contains("显示第 101 – 105 条，共 105 条"), "{page}");
        assert!(page.contains("逾期回访 005") && !page.contains("今天确认报价"));
        // The link back a page (its `&` escaped either way in the HTML).
        let pager = page.split("class=\"pager\"").nth(1).unwrap_or("");
        assert!(
            pager.contains("/tasks?group=overdue&#38;page=1")
                || pager.contains("/tasks?group=overdue&amp;page=1"),
            "a link back a page: {pager}"
        );
        let en = Browser::new(&t.base, Some("en"));
        en.login("lixy", PASSWORD).await;
        let (_, page) = en.get("/tasks?group=overdue&page=2").await;
        assert!(page.contains("Showing 101–105 of 105"), "{page}");
    })
    .await;
}

#[tokio::test]
async fn generated_task_titles_read_in_the_readers_language() {
    each_db(|t| async move {
        let c = t
            .customer("上海寰宇国际货运代理有限公司", Some("lixy"), None)
            .await;
        let d = t.complaint(c, "货物外包装破损").await;
        let number = d.ticket.number.clone();
        consign_app::followups::after_closed_complaint(
            &t.app,
            d.ticket.id,
            c,
            &number,
            None,
            chrono::Utc::now(),
        )
        .await
        .expect("callback task");
        let b = t.browser("lixy").await;
        let (_, zh) = b.get("/tasks").await;
        assert!(zh.contains(&format!("投诉 {number} 关闭后回访")), "{zh}");
        assert!(
            !zh.contains("Callback after"),
            "no English on the Chinese page"
        );
        b.get("/lang/en?next=/tasks").await;
        let (_, en) = b.get("/tasks").await;
        assert!(
            en.contains(&format!("Callback after complaint {number}")),
            "{en}"
        );
        assert!(!en.contains("关闭后回访"), "no Chinese on the English page");
        // The API says how the title was made, for clients in any language.
        let (_, tasks) = t.api("lixy").await.get("/api/v1/tasks").await;
        let task = tasks["today"]
            .as_array()
            .into_iter()
            .chain(tasks["upcoming"].as_array())
            .flatten()
            .find(|k| k["kind"] == "complaint_callback")
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            task["title_key"], "task.title.complaint_callback",
            "{tasks}"
        );
        assert_eq!(task["title_args"], serde_json::json!([number]));
    })
    .await;
}
