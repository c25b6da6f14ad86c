//! The service desk on SQLite and PostgreSQL: a complaint against a waybill worked
//! through the seed's workflow in the browser (a failed callback reopening it), every
//! step on the ticket and on the customer's timeline in Chinese and English; refused
//! steps and bad input; deadlines in business time; escalation of breaches to the
//! assignee's manager; scope; attachments; the SLA policy; export.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// A shipment of the customer, by the API.
async fn shipment(t: &TestApp, code: &str, waybill: &str) {
    let admin = t.api("admin").await;
    let (s, body) = admin
        .post(
            "/api/v1/shipments",
            json!({"waybill_no": waybill, "customer_code": code, "service_mode": "ltl",
                   "origin_city": "上海", "destination_city": "成都", "revenue_fen": 268000,
                   "ordered_at": "2026-11-20T02:00:00Z", "delivered_at": "2026-11-25T08:00:00Z",
                   "promised_at": "2026-11-23T10:00:00Z", "exceptions": ["damaged"]}),
        )
        .await;
    assert!(s.is_success(), "{s} {body}");
}

fn ticket_id(location: &str) -> String {
    location
        .trim_start_matches("/tickets/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn complaint_workflow_in_the_browser() {
    each_db(|t| async move {
        let c = t
            .customer(
                "上海恒通供应链管理有限公司",
                Some("lixy"),
                Some("13812345678"),
            )
            .await;
        let code = t.code_of(c).await;
        shipment(&t, &code, "DB20261120001").await;
        let b = t.browser("liuy").await;

        // Register: the form comes from the customer's page.
        let (s, page) = b.get(&format!("/customers/{c}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains(&format!("/tickets/new?customer_id={c}")),
            "register button"
        );
        let new = format!("/tickets/new?customer_id={c}");
        let (s, form) = b.get(&new).await;
        assert_eq!(s, StatusCode::OK);
        assert!(form.contains("上海恒通供应链管理有限公司"));

        // A bad form keeps what was typed and marks the fields.
        let r = b
            .post(
                "/tickets",
                &new,
                &[
                    ("customer_id", &c.to_string()),
                    ("kind", "complaint"),
                    ("channel", "phone"),
                    ("severity", "high"),
                    ("subject", ""),
                    ("waybills", "NOSUCH0001"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.expect("body");
        assert!(html.contains("没有该运单号的运单"), "waybill error shown");
        assert!(html.contains("必填"), "subject required");

        let r = b
            .post(
                "/tickets",
                &new,
                &[
                    ("customer_id", &c.to_string()),
                    ("kind", "complaint"),
                    ("channel", "phone"),
                    ("severity", "high"),
                    ("subject", "成都到货破损"),
                    ("description", "收货时外包装破损，客户拍照留证。"),
                    ("waybills", "db20261120001"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let id = ticket_id(&location(&r));
        let (s, page) = b.get(&format!("/tickets/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("成都到货破损"));
        assert!(page.contains("已登记"), "status registered");
        assert!(page.contains("DB20261120001"), "waybill linked");
        assert!(
            page.contains("刘洋"),
            "assigned to the agent who registered it"
        );

        // Resolve before investigating is refused, with the status and step named.
        let r = b
            .post(
                &format!("/tickets/{id}/step"),
                &format!("/tickets/{id}"),
                &[
                    ("action", "resolve"),
                    ("root_cause", "damage"),
                    ("note", "x"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let html = r.text().await.expect("body");
        assert!(
            html.contains("工单当前为「已登记」，不能执行「处理完毕」"),
            "refusal names both"
        );

        let step = |action: &'static str, extra: Vec<(&'static str, &'static str)>| {
            let b = &b;
            let id = id.clone();
            async move {
                let mut fields = vec![("action", action)];
                fields.extend(extra);
                b.post(
                    &format!("/tickets/{id}/step"),
                    &format!("/tickets/{id}"),
                    &fields,
                )
                .await
            }
        };
        let r = step("investigate", vec![("note", "已联系成都网点核实")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Resolving needs a root cause and a note.
        let r = step("resolve", vec![("note", "")]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.expect("body");
        assert!(html.contains("根本原因"), "{html}");
        let r = step(
            "resolve",
            vec![("root_cause", "damage"), ("note", "补发破损件并减免运费")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The callback fails: the ticket goes back to investigation.
        let r = step("callback_failed", vec![("note", "客户不接受减免金额")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, page) = b.get(&format!("/tickets/{id}")).await;
        assert!(page.contains("调查中"), "reopened to investigating");
        assert!(page.contains("重新处理 1 次"));
        let r = step(
            "resolve",
            vec![("root_cause", "damage"), ("note", "按货值全额赔付")],
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = step("confirm", vec![("note", "客户确认满意")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = step("close", vec![]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let (_, page) = b.get(&format!("/tickets/{id}")).await;
        assert!(page.contains("已关闭"));
        for text in [
            "登记工单",
            "开始调查",
            "处理完毕",
            "回访不满意（重新处理）",
            "回访确认满意",
            "关闭工单",
            "客户不接受减免金额",
            "按货值全额赔付",
            "货物破损",
        ] {
            assert!(page.contains(text), "history shows {text}");
        }
        assert!(page.contains("工单已关闭，无后续步骤"));

        // The customer's timeline shows every step.
        let (_, cpage) = b.get(&format!("/customers/{c}")).await;
        assert!(cpage.contains("登记服务工单"), "timeline: registered");
        assert_eq!(
            cpage.matches("处理服务工单").count(),
            6,
            "timeline: six steps"
        );
        assert!(
            cpage.contains("回访不满意（重新处理）"),
            "timeline names the failed callback"
        );

        // In English.
        let en = Browser::new(&t.base, Some("en"));
        en.login("liuy", PASSWORD).await;
        let (_, page) = en.get(&format!("/tickets/{id}")).await;
        for text in [
            "Closed",
            "Start investigation",
            "Callback failed (reopen)",
            "Callback: confirmed",
            "Damaged goods",
            "Reopened 1 time(s)",
        ] {
            assert!(page.contains(text), "English page shows {text}");
        }
        let (_, cpage) = en.get(&format!("/customers/{c}")).await;
        assert!(cpage.contains("Worked a ticket"));

        // The API tells the same story.
        let api = t.api("liuy").await;
        let (s, d) = api.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["ticket"]["status"], "closed");
        assert_eq!(d["ticket"]["reopened"], 1);
        assert_eq!(d["ticket"]["root_cause"], "damage");
        let actions: Vec<&str> = d["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            actions,
            [
                "register",
                "investigate",
                "resolve",
                "callback_failed",
                "resolve",
                "confirm",
                "close"
            ]
        );
        assert_eq!(d["shipments"][0]["waybill_no"], "DB20261120001");
    })
    .await;
}

#[tokio::test]
async fn api_rules_scope_and_claims() {
    each_db(|t| async move {
        let mine = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let theirs = t.customer("广州南沙冷链物流有限公司", Some("chenj"), None).await;
        let (mine_code, their_code) = (t.code_of(mine).await, t.code_of(theirs).await);
        shipment(&t, &mine_code, "DB20261120002").await;
        shipment(&t, &their_code, "DB20261120003").await;
        let agent = t.api("liuy").await;

        // A claim needs its amount; a waybill must be the customer's.
        let (s, body) = agent
            .post("/api/v1/tickets", json!({"kind": "claim", "channel": "email", "customer_id": mine.to_string(),
                   "subject": "货物破损索赔", "waybills": "DB20261120003"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["errors"].as_array().expect("errors").iter()
            .map(|e| e["field"].as_str().unwrap_or("")).collect();
        assert!(fields.contains(&"claimed") && fields.contains(&"waybills"), "{body}");
        assert!(body["detail"].as_str().unwrap_or("").contains("该运单属于其他客户"));
        // Unknown kind, channel.
        let (s, body) = agent
            .post("/api/v1/tickets", json!({"kind": "rant", "channel": "fax", "customer_code": mine_code, "subject": "x"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let (s, d) = agent
            .post("/api/v1/tickets", json!({"kind": "claim", "channel": "email", "customer_code": mine_code,
                   "subject": "货物破损索赔", "waybills": "DB20261120002", "claimed": "¥3,200.00",
                   "responsible_party": "干线承运商 顺达运输", "severity": "critical"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["ticket"]["id"].as_str().expect("id").to_string();
        let number = d["ticket"]["number"].as_str().expect("number").to_string();
        assert!(number.starts_with("TK"), "{number}");
        assert_eq!(d["ticket"]["claimed"], "¥3,200.00");
        assert_eq!(d["actions"], json!(["investigate"]));

        // Illegal step: 409, in the caller's language.
        let (s, body) = agent.clone().lang("en").post(&format!("/api/v1/tickets/{id}/transitions"), json!({"action": "close"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(body["detail"], "The ticket is Registered: it cannot take the step “Close”");
        let (s, _) = agent.post(&format!("/api/v1/tickets/{id}/transitions"), json!({"action": "investigate"})).await;
        assert_eq!(s, StatusCode::OK);
        // Resolving a claim needs the settled amount.
        let (s, body) = agent.post(&format!("/api/v1/tickets/{id}/transitions"),
            json!({"action": "resolve", "root_cause": "damage", "note": "按合同赔付"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["field"], "settled");
        // Paying more than was claimed is a manager's decision (issue 16).
        let (s, body) = agent.post(&format!("/api/v1/tickets/{id}/transitions"),
            json!({"action": "resolve", "root_cause": "damage", "note": "按合同赔付", "settled": "3200.01"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "settled");
        assert_eq!(body["errors"][0]["message"], "赔付金额超过索赔金额，需由经理处理");
        let (s, d) = agent.post(&format!("/api/v1/tickets/{id}/transitions"),
            json!({"action": "resolve", "root_cause": "damage", "note": "按合同赔付", "settled": "2800"})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["ticket"]["settled"], "¥2,800.00");

        // Scope: the owner sees it; another account manager neither sees nor moves it;
        // nor does it show in that manager's list.
        let lixy = t.api("lixy").await;
        let chenj = t.api("chenj").await;
        let (s, _) = lixy.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = chenj.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = chenj.post(&format!("/api/v1/tickets/{id}/transitions"), json!({"action": "confirm", "note": "x"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = chenj.get(&format!("/api/v1/tickets/by-number/{number}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, list) = chenj.get("/api/v1/tickets").await;
        assert_eq!(list["total"], 0);
        let (_, list) = lixy.get("/api/v1/tickets?kind=claim").await;
        assert_eq!(list["total"], 1);
        let cb = t.browser("chenj").await;
        let (s, _) = cb.get(&format!("/tickets/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Nor can it register a ticket for a customer it does not own.
        let (s, body) = chenj.post("/api/v1/tickets", json!({"kind": "inquiry", "channel": "phone",
            "customer_id": mine.to_string(), "subject": "查询"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["errors"][0]["code"], "err.customer_out_of_scope");
        // The ticket follows its customer's owner: transferred to chenj, it leaves
        // lixy's list and enters chenj's; transferred back, back again.
        let admin = t.api("admin").await;
        for (owner, who_sees, who_not) in [(t.users.chenj, &chenj, &lixy), (t.users.lixy, &lixy, &chenj)] {
            let (s, body) = admin
                .patch(&format!("/api/v1/customers/{mine}"), json!({"owner_id": owner.to_string()}))
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let (_, list) = who_sees.get("/api/v1/tickets?kind=claim").await;
            assert_eq!(list["total"], 1, "the new owner's list");
            assert_eq!(list["items"][0]["number"], number.as_str());
            let (_, list) = who_not.get("/api/v1/tickets?kind=claim").await;
            assert_eq!(list["total"], 0, "the former owner's list");
            let (s, _) = who_not.get(&format!("/api/v1/tickets/{id}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        // Read-only users see but cannot work tickets.
        let ro = t.api("ro").await;
        let (s, d) = ro.get(&format!("/api/v1/tickets/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(d["actions"], json!([]));
        let (s, _) = ro.post(&format!("/api/v1/tickets/{id}/comments"), json!({"note": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A comment is recorded in the ticket's history and in the audit log.
        let (s, d) = agent
            .post(&format!("/api/v1/tickets/{id}/comments"), json!({"note": "已电话联系收货人"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert!(d["events"].as_array().expect("events").iter()
            .any(|e| e["action"] == "comment" && e["note"] == "已电话联系收货人"), "{d}");
        let (_, audit) = t.api("admin").await.get("/api/v1/audit?action=ticket.comment").await;
        assert_eq!(audit["total"], 1, "{audit}");
        assert_eq!(audit["items"][0]["entity_id"], id.as_str());

        // List filters, bad values named.
        let (s, body) = agent.get("/api/v1/tickets?status=lost&sort=sideways").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["errors"].as_array().expect("errors").iter()
            .map(|e| e["field"].as_str().unwrap_or("")).collect();
        assert_eq!(fields, ["status", "sort"]);
        let (_, list) = agent.get(&format!("/api/v1/tickets?q={}", "DB20261120002")).await;
        assert_eq!(list["total"], 1, "found by waybill");
        let (_, list) = agent.get("/api/v1/tickets?status=resolved&assignee=me").await;
        assert_eq!(list["total"], 1);

        // Export with the list's filters.
        let r = agent.req(reqwest::Method::GET, "/api/v1/exports/tickets?kind=claim&format=csv").send().await.expect("export");
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.expect("csv");
        assert!(text.contains("工单号") && text.contains(&number) && text.contains("货物破损"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn deadlines_breaches_and_escalation() {
    each_db(|t| async move {
        let c = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let agent = t.actor("liuy").await;
        let input = consign_app::service::TicketInput {
            kind: "complaint".into(),
            channel: "phone".into(),
            severity: "normal".into(),
            customer_id: c.to_string(),
            subject: "多票延误".into(),
            ..Default::default()
        };
        // Monday 30 November 2026, 10:00 in Shanghai. An unclassified customer counts as
        // C: first response 480 business minutes (18:00 the same day), resolution 2,400
        // (Friday 14:00).
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00+08:00")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let d = consign_app::service::create_at(&t.app, &agent, &input, at)
            .await
            .expect("create");
        assert_eq!(
            d.ticket.first_response_due.to_rfc3339(),
            "2026-11-30T10:00:00+00:00"
        );
        assert_eq!(
            d.ticket.resolution_due.to_rfc3339(),
            "2026-12-04T06:00:00+00:00"
        );
        // Friday 4 December 17:30 + a high ticket's 240 minutes → Monday 12:30.
        let fri = chrono::DateTime::parse_from_rfc3339("2026-12-04T17:30:00+08:00")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let high = consign_app::service::TicketInput {
            severity: "high".into(),
            ..input.clone()
        };
        let d2 = consign_app::service::create_at(&t.app, &agent, &high, fri)
            .await
            .expect("create");
        assert_eq!(
            d2.ticket.first_response_due.to_rfc3339(),
            "2026-12-07T04:30:00+00:00"
        );

        // Eight days ago, never answered: both deadlines have passed.
        let old = chrono::Utc::now() - chrono::Duration::days(8);
        let late = consign_app::service::create_at(&t.app, &agent, &input, old)
            .await
            .expect("create");
        assert!(late.ticket.response_breached && late.ticket.resolution_breached);
        let n = consign_app::service::escalate_due(&t.app, chrono::Utc::now())
            .await
            .expect("escalate");
        assert!(
            n >= 2,
            "response and resolution breaches of the late ticket: {n}"
        );
        // Escalating again changes nothing.
        let again = consign_app::service::escalate_due(&t.app, chrono::Utc::now())
            .await
            .expect("escalate");
        assert_eq!(again, 0);

        // The assignee's manager (上海分公司's) is told, in the UI and the API.
        let wang = t.browser("wangjl").await;
        let (_, page) = wang.get("/notifications").await;
        assert!(
            page.contains(&format!("工单 {} 首次响应超时", late.ticket.number)),
            "{page}"
        );
        assert!(page.contains(&format!("工单 {} 处理超时", late.ticket.number)));
        let (_, any) = wang.get("/tickets").await;
        assert!(
            any.contains("class=\"count\""),
            "the bell shows unread notifications"
        );
        let (_, n) = t.api("wangjl").await.get("/api/v1/notifications").await;
        assert!(n["unread"].as_i64().unwrap_or(0) >= 2);
        // Guangzhou's manager is not.
        let (_, n) = t.api("huangm").await.get("/api/v1/notifications").await;
        assert_eq!(n["unread"], 0);

        // The ticket records it; breaches show in red in the list and on the customer.
        let (_, d) = t
            .api("liuy")
            .await
            .get(&format!("/api/v1/tickets/{}", late.ticket.id))
            .await;
        assert_eq!(d["ticket"]["escalated"], true);
        assert!(d["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "escalate_response"));
        let (_, list) = t.api("liuy").await.get("/api/v1/tickets?breached=1").await;
        let numbers: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|x| x["number"].as_str().unwrap_or(""))
            .collect();
        assert!(numbers.contains(&late.ticket.number.as_str()));
        let b = t.browser("liuy").await;
        let (_, page) = b.get("/tickets?breached=1").await;
        assert!(page.contains("class=\"breached\""), "overdue rows marked");
        let (_, cpage) = b.get(&format!("/customers/{c}")).await;
        assert!(cpage.contains("工单超时升级"), "escalation on the timeline");
        assert!(
            cpage.contains("class=\"breached\""),
            "overdue on the customer page"
        );

        // The service dashboard counts them, within each user's scope.
        let (s, d) = t
            .api("wangjl")
            .await
            .get("/api/v1/service/dashboard?days=30")
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["open_total"], 3, "{d}");
        assert!(d["breached_now"].as_i64().unwrap_or(0) >= 1, "{d}");
        let (_, none) = t.api("chenj").await.get("/api/v1/service/dashboard").await;
        assert_eq!(none["open_total"], 0);
        assert_eq!(none["breached_now"], 0);
        let (s, _) = t
            .api("wangjl")
            .await
            .get("/api/v1/service/dashboard?days=0")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, page) = wang.get("/service").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("服务看板") && page.contains("href=\"/tickets?breached=1\""),
            "drill-down to the late tickets"
        );
        assert!(
            page.contains("href=\"/tickets?status=registered\""),
            "bars drill down by status"
        );
    })
    .await;
}

#[tokio::test]
async fn attachments_and_the_policy() {
    each_db(|t| async move {
        let c = t
            .customer("上海恒通供应链管理有限公司", Some("lixy"), None)
            .await;
        let agent = t.api("liuy").await;
        let (_, d) = agent
            .post(
                "/api/v1/tickets",
                json!({"kind": "complaint", "channel": "wechat",
                   "customer_id": c.to_string(), "subject": "破损照片"}),
            )
            .await;
        let id = d["ticket"]["id"].as_str().expect("id").to_string();
        let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
        let r = agent
            .req(
                reqwest::Method::POST,
                &format!("/api/v1/tickets/{id}/attachments?filename=破损照片.png"),
            )
            .body(png.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), StatusCode::CREATED);
        let body: serde_json::Value = r.json().await.expect("json");
        let aid = body["items"][0]["id"].as_i64().expect("aid");
        assert_eq!(body["items"][0]["content_type"], "image/png");
        let r = agent
            .req(
                reqwest::Method::GET,
                &format!("/api/v1/tickets/{id}/attachments/{aid}"),
            )
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::OK);
        let cd = r
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(cd.starts_with("attachment;"), "{cd}");
        assert_eq!(
            r.headers()
                .get("x-content-type-options")
                .and_then(|v| v.to_str().ok()),
            Some("nosniff")
        );
        assert_eq!(r.bytes().await.expect("bytes").to_vec(), png);
        // A download of a customer's document is audited, with who and which file.
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=ticket.attachment_download")
            .await;
        assert_eq!(audit["total"], 1, "{audit}");
        assert_eq!(audit["items"][0]["actor_name"], "刘洋 (liuy)", "{audit}");
        assert!(
            audit["items"][0]["summary"]
                .as_str()
                .unwrap_or("")
                .ends_with("破损照片.png"),
            "{audit}"
        );
        // A page pretending to be a photo is refused; so is a file over 10 MB.
        let r = agent
            .req(
                reqwest::Method::POST,
                &format!("/api/v1/tickets/{id}/attachments?filename=x.png"),
            )
            .body("<html><script>alert(1)</script></html>")
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["errors"][0]["code"], "err.attachment_type");
        let big = vec![0xFFu8; 10 * 1024 * 1024 + 10];
        let r = agent
            .req(
                reqwest::Method::POST,
                &format!("/api/v1/tickets/{id}/attachments?filename=big.jpg"),
            )
            .body([b"\xFF\xD8\xFF".to_vec(), big].concat())
            .send()
            .await
            .expect("upload");
        assert!(
            matches!(
                r.status(),
                StatusCode::UNPROCESSABLE_ENTITY | StatusCode::PAYLOAD_TOO_LARGE
            ),
            "{}",
            r.status()
        );
        // Another customer's account manager cannot fetch it.
        let (s, _) = t
            .api("chenj")
            .await
            .get(&format!("/api/v1/tickets/{id}/attachments/{aid}"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The browser upload works through the ticket page's form.
        let b = t.browser("liuy").await;
        let (_, page) = b.get(&format!("/tickets/{id}")).await;
        assert!(page.contains("破损照片.png"));

        // The SLA policy: managers may read but not change it; a bad one is refused by field.
        let (s, p) = t.api("wangjl").await.get("/api/v1/policies/sla").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p["targets"]["a"]["critical"]["first_response_minutes"], 30);
        let (s, _) = t
            .api("wangjl")
            .await
            .req(reqwest::Method::PUT, "/api/v1/policies/sla")
            .json(&p)
            .send()
            .await
            .map(|r| (r.status(), ()))
            .expect("put");
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut bad = p.clone();
        bad["calendar"]["day_end"] = json!("08:00");
        let r = t
            .api("admin")
            .await
            .req(reqwest::Method::PUT, "/api/v1/policies/sla")
            .json(&bad)
            .send()
            .await
            .expect("put");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["errors"][0]["field"], "calendar.day_end");
        // The admin's form: a bad minute count is marked; a good form is stored.
        let admin = t.browser("admin").await;
        let (s, form) = admin.get("/admin/sla").await;
        assert_eq!(s, StatusCode::OK);
        assert!(form.contains("法定节假日"), "the calendar's fields");
        let mut fields: Vec<(String, String)> = Vec::new();
        for vc in ["a", "b", "c"] {
            for sev in ["critical", "high", "normal", "low"] {
                fields.push((format!("t_{vc}_{sev}_first"), "60".into()));
                fields.push((format!("t_{vc}_{sev}_resolution"), "600".into()));
            }
        }
        fields.extend([
            ("day_start".into(), "08:30".into()),
            ("day_end".into(), "17:30".into()),
            ("unclassified_as".into(), "c".into()),
            ("holidays".into(), "2026-12-25".into()),
        ]);
        for d in 1..=6 {
            fields.push((format!("wd_{d}"), "on".into()));
        }
        for g in [
            "frequent",
            "occasional",
            "large",
            "medium",
            "small",
            "gov_a",
            "gov_b",
            "gov_c",
        ] {
            fields.push((format!("g_{g}"), "100".into()));
        }
        let mut broken = fields.clone();
        broken[1].1 = "30".into(); // resolution before first response
        let refs = |f: &Vec<(String, String)>| {
            f.iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect::<Vec<_>>()
        };
        let b1 = refs(&broken);
        let pairs: Vec<(&str, &str)> = b1.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = admin.post("/admin/sla", "/admin/sla", &pairs).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .text()
            .await
            .expect("body")
            .contains("处理时限不能短于首次响应时限"));
        let g1 = refs(&fields);
        let pairs: Vec<(&str, &str)> = g1.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = admin.post("/admin/sla", "/admin/sla", &pairs).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, p) = t.api("admin").await.get("/api/v1/policies/sla").await;
        assert_eq!(p["calendar"]["day_start"], "08:30");
        assert_eq!(p["calendar"]["workdays"], json!([1, 2, 3, 4, 5, 6]));
        assert_eq!(p["calendar"]["holidays"], json!(["2026-12-25"]));
        assert_eq!(p["targets"]["a"]["high"]["resolution_minutes"], 600);
    })
    .await;
}

#[tokio::test]
async fn a_long_ticket_list_counts_to_its_cap() {
    each_db(|t| async move {
        let c = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        // 10,050 tickets in one statement (10 of them claims), all registered now.
        let backend = sea_orm::ConnectionTrait::get_database_backend(&t.app.db.conn);
        let (p1, p2) = match backend {
            sea_orm::DbBackend::Postgres => ("$1", "$2"),
            _ => ("?1", "?2"),
        };
        let sql = format!(
            "INSERT INTO tickets (number, kind, channel, severity, status, customer_id, owner_id, \
             subject, description, first_response_due, resolution_due, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) \
             SELECT 'TKBULK' || CAST(i AS TEXT), CASE WHEN i % 1000 = 0 THEN 'claim' ELSE 'inquiry' END, \
             'phone', 'normal', 'registered', {c}, {owner}, '运价咨询', '', {p1}, {p2}, {p1}, {p1} FROM n",
            owner = t.users.lixy,
        );
        let now = chrono::Utc::now();
        sea_orm::ConnectionTrait::execute(
            &t.app.db.conn,
            sea_orm::Statement::from_sql_and_values(
                backend,
                &sql,
                [now.into(), (now + chrono::Duration::days(2)).into()],
            ),
        )
        .await
        .expect("bulk tickets");

        // Counted up to 10,000: the total is a lower bound, and the pages go on.
        let lixy = t.api("lixy").await;
        let (_, p) = lixy.get("/api/v1/tickets").await;
        assert_eq!((p["total"].clone(), p["total_capped"].clone()), (json!(10000), json!(true)), "{}", p["total"]);
        assert_eq!(p["items"].as_array().map(Vec::len), Some(50));
        // A narrower filter is counted exactly.
        let (_, p) = lixy.get("/api/v1/tickets?kind=claim").await;
        assert_eq!((p["total"].clone(), p["total_capped"].clone()), (json!(10), json!(false)));
        // Paging past the cap counts to the page's end: the last page is exact.
        let (_, p) = lixy.get("/api/v1/tickets?page=201").await;
        assert_eq!((p["total"].clone(), p["total_capped"].clone()), (json!(10050), json!(false)));
        assert_eq!(p["items"].as_array().map(Vec::len), Some(50));
        let (_, p) = lixy.get("/api/v1/tickets?page=202").await;
        assert_eq!(p["items"].as_array().map(Vec::len), Some(0));

        // The page says "more than" and offers the next page without a page count.
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/tickets").await;
        assert!(page.contains("超过 10,000 条"), "{page}");
        assert!(page.contains("第 1 页<") && !page.contains("第 1 / "), "no page count");
        assert!(page.contains("page=2"), "a next page");
        let (_, page) = b.get("/tickets?page=201").await;
        assert!(page.contains("共 10,050 条") && page.contains("第 201 / 201 页"), "exact at the end");
        let en = Browser::new(&t.base, Some("en"));
        en.login("lixy", PASSWORD).await;
        let (_, page) = en.get("/tickets").await;
        assert!(page.contains("More than 10,000"), "{page}");
    })
    .await;
}

/// A customer's complaints per 1,000 shipments count both over one window: the
/// classification's current window (issue 16). Complaints outside it show in the
/// period's count, not in the rate.
#[tokio::test]
async fn a_customers_complaint_rate_counts_both_over_one_window() {
    each_db(|t| async move {
        let c = t.customer("上海恒通供应链管理有限公司", Some("lixy"), None).await;
        let code = t.code_of(c).await;
        let admin = t.api("admin").await;
        let now = chrono::Utc::now();
        let items: Vec<_> = (0..200)
            .map(|i| {
                json!({"waybill_no": format!("RT2026{i:06}"), "customer_code": code, "revenue_fen": 10000,
                       "ordered_at": (now - chrono::Duration::days(2) - chrono::Duration::hours(i)).to_rfc3339()})
            })
            .collect();
        let (s, body) = admin.post("/api/v1/shipments", json!({"items": items})).await;
        assert!(s.is_success(), "{body}");
        let agent = t.api("liuy").await;
        let mut ids = Vec::new();
        for subject in ["签收延误", "货物破损", "态度问题"] {
            let (s, d) = agent
                .post("/api/v1/tickets", json!({"kind": "complaint", "channel": "phone",
                       "customer_id": c.to_string(), "subject": subject}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            ids.push(d["ticket"]["id"].as_str().expect("id").parse::<i64>().expect("id"));
        }
        // Two complaints yesterday (in the window), one 200 days ago (outside it).
        use sea_orm::ConnectionTrait;
        for (id, days) in [(ids[0], 1), (ids[1], 1), (ids[2], 200)] {
            let at = now - chrono::Duration::days(days);
            t.app
                .db
                .conn
                .execute(consign_store::dialect::stmt(
                    t.app.db.db_backend(),
                    "UPDATE tickets SET created_at = ? WHERE id = ?",
                    vec![at.into(), id.into()],
                ))
                .await
                .expect("backdate");
        }
        consign_app::classification::recompute(&t.app, &consign_app::auth::Actor::system("test"), None, "manual").await.expect("classify");
        let (s, d) = admin.get("/api/v1/service/dashboard?days=365").await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let top = &d["complainers"][0];
        assert_eq!(top["name"], "上海恒通供应链管理有限公司", "{d}");
        assert_eq!(top["complaints"], 3, "in the period: {top}");
        assert_eq!(top["window_complaints"], 2, "in the shipments' window: {top}");
        assert_eq!(top["shipments"], 200, "{top}");
        assert_eq!(top["per_thousand"], 10.0, "2 complaints per 200 shipments: {top}");
        let rate_c = d["rates"].as_array().expect("rates").iter().find(|r| r["key"] == "c").cloned();
        let rate_all: i64 = d["rates"].as_array().expect("rates").iter().map(|r| r["complaints"].as_i64().unwrap_or(0)).sum();
        assert_eq!(rate_all, 2, "the value-class rates count the same window: {rate_c:?}");
    })
    .await;
}
