//! Saved views and column choices of the lists (issue 18): per user, stored as data,
//! shared with the owner's team on request, audited, and what the list page shows.

mod common;
use common::*;
use consign_app::views::{self, ViewInput};
use consign_app::AppError;
use consign_domain::views::ListKind;
use reqwest::StatusCode;

const L: ListKind = ListKind::Customers;

fn input(name: &str, shared: bool) -> ViewInput {
    ViewInput {
        name: name.into(),
        filters: vec![
            ("province".into(), "广东".into()),
            ("value_class".into(), "a".into()),
            ("page".into(), "3".into()),
        ],
        columns: vec!["code".into(), "name".into(), "value_class".into()],
        shared,
    }
}

#[tokio::test]
async fn columns_are_chosen_per_user_and_role() {
    each_db(|t| async move {
        let lixy = t.actor("lixy").await;
        let wangjl = t.actor("wangjl").await;
        // Defaults by role: an account manager's own customers need no owner column.
        let own = views::columns(&t.app, &lixy, L).await.expect("columns");
        assert!(
            !own.contains(&"owner") && own.contains(&"value_class"),
            "{own:?}"
        );
        assert!(views::columns(&t.app, &wangjl, L)
            .await
            .expect("columns")
            .contains(&"owner"));

        let keys = ["owner", "code", "owner", "nonsense"].map(String::from);
        let set = views::set_columns(&t.app, &lixy, L, &keys)
            .await
            .expect("set");
        assert_eq!(
            set,
            vec!["name", "owner", "code"],
            "the name comes first when left out"
        );
        assert_eq!(
            views::columns(&t.app, &lixy, L).await.expect("columns"),
            set
        );
        // Another user's columns are its own.
        assert!(
            views::columns(&t.app, &wangjl, L)
                .await
                .expect("columns")
                .len()
                > 3
        );
        match views::set_columns(&t.app, &lixy, L, &["zzz".to_string()]).await {
            Err(AppError::Validation(e)) => assert_eq!(e.get("columns"), Some("err.columns_none")),
            other => panic!("{other:?}"),
        }
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=view.columns")
            .await;
        assert_eq!(audit["total"], 1, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn views_are_saved_shared_with_the_team_and_deleted_by_their_owner() {
    each_db(|t| async move {
        let wangjl = t.actor("wangjl").await; // 上海分公司
        let liuy = t.actor("liuy").await; // 上海分公司, a teammate
        let lixy = t.actor("lixy").await; // 华东大客户部, another team
        let mine = views::save(&t.app, &wangjl, L, &input("我的广东A类客户", false))
            .await
            .expect("save");
        assert_eq!(
            mine.query,
            format!("province={}&value_class=a", urlencode("广东"))
        );
        assert_eq!(mine.columns, vec!["code", "name", "value_class"]);
        match views::save(&t.app, &wangjl, L, &input(" 我的广东A类客户 ", true)).await {
            Err(AppError::Conflict { field, code }) => {
                assert_eq!((field.as_str(), code), ("name", "err.duplicate_view_name"))
            }
            other => panic!("{other:?}"),
        }
        let team = views::save(&t.app, &wangjl, L, &input("上海团队重点客户", true))
            .await
            .expect("save shared");
        // The teammate sees the shared view only; another team sees none.
        let seen: Vec<String> = views::list(&t.app, &liuy, L)
            .await
            .expect("list")
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(seen, vec!["上海团队重点客户"]);
        assert!(views::list(&t.app, &lixy, L)
            .await
            .expect("list")
            .is_empty());
        assert!(matches!(
            views::get(&t.app, &lixy, L, mine.id).await,
            Err(AppError::NotFound)
        ));
        // A teammate may use a shared view but not delete it; the owner may.
        assert!(matches!(
            views::delete(&t.app, &liuy, L, team.id).await,
            Err(AppError::Forbidden)
        ));
        views::delete(&t.app, &wangjl, L, team.id)
            .await
            .expect("delete");
        assert!(views::list(&t.app, &liuy, L)
            .await
            .expect("list")
            .is_empty());
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=view.save")
            .await;
        assert_eq!(audit["total"], 2, "{audit}");
        let (_, audit) = t
            .api("admin")
            .await
            .get("/api/v1/audit?action=view.delete")
            .await;
        assert_eq!(audit["total"], 1, "{audit}");
    })
    .await;
}

#[tokio::test]
async fn the_list_page_shows_the_chosen_columns_and_a_saved_view_after_a_reload() {
    each_db(|t| async move {
        t.customer(
            "东莞德信服饰股份有限公司",
            Some("lixy"),
            Some("13812345678"),
        )
        .await;
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/customers").await;
        assert!(
            !page.contains("class=\"c-owner\""),
            "no owner column by default"
        );
        // Choose columns: code, name and owner, then owner moved a place up.
        let r = b
            .post(
                "/views/customers/columns",
                "/customers",
                &[
                    ("col", "code"),
                    ("col", "name"),
                    ("col", "owner"),
                    ("up", "owner"),
                    ("back", "/customers"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/customers");
        let (_, page) = b.get("/customers").await;
        let at = |c: &str| page.find(&format!("class=\"c-{c}\"")).unwrap_or(usize::MAX);
        assert!(
            at("code") < at("owner") && at("owner") < at("name"),
            "order code, owner, name"
        );
        assert_eq!(at("region"), usize::MAX, "a column left out is not shown");
        // Save the filtered page as a view; opening it shows its filters and columns.
        let r = b
            .post(
                "/views/customers",
                "/customers",
                &[
                    ("name", "我的东莞客户"),
                    ("query", "q=%E5%BE%B7%E4%BF%A1"),
                    ("col", "name"),
                    ("col", "grade"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = location(&r);
        assert!(
            to.starts_with("/customers?q=") && to.contains("&view="),
            "{to}"
        );
        let (status, page) = b.get(&to).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("我的东莞客户") && page.contains("aria-current=\"page\""));
        let head = page
            .split("<thead>")
            .nth(1)
            .unwrap_or("")
            .split("</thead>")
            .next()
            .unwrap_or("");
        assert!(
            head.contains("class=\"c-grade\"") && !head.contains("class=\"c-owner\""),
            "{head}"
        );
        // The view is the user's, not the browser's: another session sees it too.
        let again = t.browser("lixy").await;
        let (_, page) = again.get("/customers").await;
        assert!(page.contains("我的东莞客户"));
        // Each set filter is a chip whose link is the list without it.
        let (_, page) = b
            .get("/customers?status=prospect&city=%E4%B8%9C%E8%8E%9E")
            .await;
        assert!(
            page.contains("<a class=\"chip\" href=\"/customers?city=%E4%B8%9C%E8%8E%9E\"")
                && page.contains("<a class=\"chip\" href=\"/customers?status=prospect\""),
            "{page}"
        );
        // A bad name or a name used before is refused: back to the list as it was, saying why.
        let r = b
            .post(
                "/views/customers",
                "/customers",
                &[
                    ("name", " "),
                    ("query", "q=%E5%BE%B7%E4%BF%A1"),
                    ("col", "name"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = location(&r);
        assert_eq!(to, "/customers?q=%E5%BE%B7%E4%BF%A1&view_error=0");
        let (_, page) = b.get(&to).await;
        assert!(page.contains("视图未保存：必填"), "{page}");
        let r = b
            .post(
                "/views/customers",
                "/customers",
                &[("name", "我的东莞客户"), ("col", "name")],
            )
            .await;
        let (_, page) = b.get(&location(&r)).await;
        assert!(page.contains("视图未保存：已有同名视图"), "{page}");
        // Anything else in view_error shows nothing.
        let (_, page) = b.get("/customers?view_error=%3Cb%3E").await;
        assert!(!page.contains("视图未保存"));
    })
    .await;
}

#[tokio::test]
async fn the_ticket_list_shows_the_chosen_columns() {
    each_db(|t| async move {
        let c = t
            .customer("上海寰宇国际货运代理有限公司", Some("lixy"), None)
            .await;
        t.complaint(c, "货物外包装破损").await;
        let b = t.browser("liuy").await;
        let (_, page) = b.get("/tickets").await;
        // A service agent's defaults: its own tickets need no assignee column.
        assert!(
            page.contains("class=\"t-due\"") && !page.contains("class=\"t-assignee\""),
            "{page}"
        );
        let r = b
            .post(
                "/views/tickets/columns",
                "/tickets",
                &[
                    ("col", "status"),
                    ("col", "subject"),
                    ("col", "assignee"),
                    ("back", "/tickets"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/tickets");
        let (_, page) = b.get("/tickets").await;
        let head = page
            .split("<thead>")
            .nth(1)
            .unwrap_or("")
            .split("</thead>")
            .next()
            .unwrap_or("");
        assert!(
            head.find("t-status") < head.find("t-subject")
                && head.contains("t-assignee")
                && !head.contains("t-due"),
            "{head}"
        );
        assert!(page.contains("货物外包装破损"));
    })
    .await;
}

/// The audit log is a list like the others: filters above with chips, its columns chosen
/// per user, a view that keeps its filters; a bad filter value is named, not dropped.
#[tokio::test]
async fn the_audit_log_filters_chooses_columns_and_keeps_a_view() {
    each_db(|t| async move {
        let c = t
            .customer("上海寰宇国际货运代理有限公司", Some("lixy"), None)
            .await;
        t.complaint(c, "货物外包装破损").await;
        let admin = t.actor("admin").await;
        let b = t.browser("admin").await;
        // Everyone's entries, then one person's actions of one kind.
        let (s, page) = b.get("/admin/audit").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("class=\"a-ip\"") && page.contains("创建客户"),
            "{page}"
        );
        let me = admin.user_id();
        let (_, page) = b
            .get(&format!(
                "/admin/audit?action=customer.create&actor_id={me}"
            ))
            .await;
        assert!(
            page.contains("class=\"chip\""),
            "the filters show as chips: {page}"
        );
        assert!(
            page.contains(&format!("客户 #{c}")),
            "the record's kind in the reader's language: {page}"
        );
        assert!(
            page.contains(&format!("href=\"/admin/audit?actor_id={me}\"")),
            "a chip removes its own filter: {page}"
        );
        let rows = page.split("<tbody>").nth(1).unwrap_or("");
        assert!(
            rows.contains("创建客户") && !rows.contains("登记服务工单"),
            "other actions are filtered out: {rows}"
        );
        let (_, bad) = b.get("/admin/audit?actor_id=abc").await;
        assert!(
            bad.contains("flash error") && bad.contains("actor_id"),
            "{bad}"
        );
        // Hide the IP column; it stays hidden.
        let r = b
            .post(
                "/views/audit/columns",
                "/admin/audit",
                &[
                    ("col", "at"),
                    ("col", "action"),
                    ("col", "entity"),
                    ("back", "/admin/audit"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/admin/audit");
        let (_, page) = b.get("/admin/audit").await;
        assert!(
            !page.contains("class=\"a-ip\"") && page.contains("class=\"a-entity\""),
            "{page}"
        );
        // A view of the customer creations.
        let r = b
            .post(
                "/views/audit",
                "/admin/audit?action=customer.create",
                &[
                    ("name", "新建客户记录"),
                    ("query", "action=customer.create"),
                    ("col", "at"),
                    ("col", "action"),
                    ("col", "entity"),
                ],
            )
            .await;
        let href = location(&r);
        assert!(
            href.starts_with("/admin/audit?") && href.contains("view="),
            "{href}"
        );
        let (_, page) = b.get(&href).await;
        assert!(
            page.contains("新建客户记录") && page.contains("class=\"chip\""),
            "{page}"
        );
        let saved = views::list(&t.app, &admin, ListKind::Audit)
            .await
            .expect("views");
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].query, "action=customer.create");
    })
    .await;
}

/// The task list: how far ahead "upcoming" reaches is a filter shown as a chip, its
/// columns are chosen per user, a view keeps both.
#[tokio::test]
async fn the_task_list_has_its_filters_columns_and_views() {
    each_db(|t| async move {
        let c = t
            .customer("上海寰宇国际货运代理有限公司", Some("lixy"), None)
            .await;
        let lixy = t.actor("lixy").await;
        let due = (chrono::Utc::now() + chrono::Duration::days(20)).date_naive();
        let task = consign_app::followups::TaskInput {
            title: "确认明年合同续签条款".into(),
            due_on: due.to_string(),
            assignee_id: String::new(),
        };
        consign_app::followups::add(
            &t.app,
            &lixy,
            consign_domain::customer::CustomerId::trusted(c),
            &task,
        )
        .await
        .expect("task");
        let b = t.browser("lixy").await;
        let (_, page) = b.get("/tasks").await;
        assert!(
            page.contains("即将到期（14 天内）") && !page.contains("确认明年合同续签条款"),
            "{page}"
        );
        let (_, page) = b.get("/tasks?days=30").await;
        assert!(
            page.contains("即将到期（30 天内）") && page.contains("确认明年合同续签条款"),
            "{page}"
        );
        assert!(
            page.contains("class=\"chip\"") && page.contains("30 天内"),
            "{page}"
        );
        let (_, bad) = b.get("/tasks?days=0").await;
        assert!(bad.contains("flash error"), "a bad horizon is named: {bad}");
        // Without the form to complete a task in the row.
        let r = b
            .post(
                "/views/tasks/columns",
                "/tasks",
                &[
                    ("col", "due"),
                    ("col", "customer"),
                    ("col", "title"),
                    ("back", "/tasks"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/tasks");
        let (_, page) = b.get("/tasks?days=30").await;
        assert!(
            page.contains("class=\"k-title\"") && !page.contains("class=\"k-complete\""),
            "{page}"
        );
        let r = b
            .post(
                "/views/tasks",
                "/tasks?days=30",
                &[
                    ("name", "一个月内"),
                    ("query", "days=30"),
                    ("col", "due"),
                    ("col", "title"),
                ],
            )
            .await;
        let href = location(&r);
        assert!(
            href.starts_with("/tasks?days=30") && href.contains("view="),
            "{href}"
        );
        let (_, page) = b.get(&href).await;
        assert!(
            page.contains("一个月内") && page.contains("确认明年合同续签条款"),
            "{page}"
        );
        assert!(
            !page.contains("class=\"k-customer\""),
            "the view's columns: {page}"
        );
    })
    .await;
}

/// Imports a small file of `kind` as `actor`, for the list of runs.
async fn import(t: &TestApp, actor: &str, kind: &str, name: &str, body: &str) {
    let path = t.dir.path().join(name);
    std::fs::write(&path, body).expect("write");
    let opts = consign_app::imports::ImportOptions {
        kind: consign_app::imports::ImportKind::parse(kind),
        file_name: name.into(),
        ..Default::default()
    };
    consign_app::imports::import_file(
        &t.app,
        &t.actor(actor).await,
        &path,
        opts,
        std::sync::Arc::new(consign_app::imports::ImportProgress::default()),
    )
    .await
    .expect("import");
}

/// The import runs are a list like the others: by kind, status and who; paged; columns
/// chosen per user; an account manager sees only the runs it started.
#[tokio::test]
async fn the_import_runs_are_a_list_with_filters_and_columns() {
    each_db(|t| async move {
        let c = t.customer("上海寰宇国际货运代理有限公司", Some("lixy"), None).await;
        let (_, d) = t.api("admin").await.get(&format!("/api/v1/customers/{c}")).await;
        let code = d["customer"]["code"].as_str().expect("code").to_string();
        import(
            &t,
            "admin",
            "shipments",
            "十一月运单.csv",
            &format!("运单号,寄件时间,客户编码,应付金额(元)\nSF1001,2026-11-02 10:00,{code},120.50\nSF1002,2026-11-02 11:00,{code},abc\n"),
        )
        .await;
        import(
            &t,
            "lixy",
            "customers",
            "新客户.csv",
            "客户名称,城市\n杭州顺捷供应链管理有限公司,杭州\n",
        )
        .await;
        let admin = t.api("admin").await;
        let (s, all) = admin.get("/api/v1/imports").await;
        assert_eq!(s, StatusCode::OK, "{all}");
        assert_eq!(all["total"], 2, "{all}");
        assert_eq!(all["items"][0]["file_name"], "新客户.csv", "newest first");
        let (_, some) = admin.get("/api/v1/imports?kind=shipments&status=finished").await;
        assert_eq!(some["total"], 1, "{some}");
        assert_eq!(some["items"][0]["counts"]["rows_bad"], 1, "{some}");
        let (s, bad) = admin.get("/api/v1/imports?status=done").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        // An account manager sees its own runs only, whatever it asks for.
        let lixy = t.api("lixy").await;
        let (_, own) = lixy.get("/api/v1/imports").await;
        assert_eq!(own["total"], 1, "{own}");
        assert_eq!(own["items"][0]["file_name"], "新客户.csv");
        let admin_id = t.actor("admin").await.user_id();
        let (_, theirs) = lixy.get(&format!("/api/v1/imports?user_id={admin_id}")).await;
        assert_eq!(theirs["total"], 0, "{theirs}");

        // The page: filters with chips, the chosen columns.
        let b = t.browser("admin").await;
        let (_, page) = b.get("/imports?kind=shipments").await;
        let rows = page.split("<tbody>").nth(1).unwrap_or("");
        assert!(rows.contains("十一月运单.csv") && !rows.contains("新客户.csv"), "{rows}");
        assert!(page.contains("class=\"chip\"") && page.contains("href=\"/imports\""), "{page}");
        assert!(page.contains("class=\"i-bad num\""), "{page}");
        let (_, bad) = b.get("/imports?status=done").await;
        assert!(bad.contains("flash error") && bad.contains("status"), "{bad}");
        let r = b
            .post(
                "/views/imports/columns",
                "/imports",
                &[("col", "file"), ("col", "status"), ("col", "finished"), ("back", "/imports")],
            )
            .await;
        assert_eq!(location(&r), "/imports");
        let (_, page) = b.get("/imports").await;
        assert!(
            page.contains("class=\"i-finished\"") && !page.contains("class=\"i-bad num\""),
            "{page}"
        );
    })
    .await;
}

/// The users are a list like the others: by name, role, unit and whether they may sign
/// in, with the chosen columns; a role that is not one is named.
#[tokio::test]
async fn the_user_list_filters_and_chooses_columns() {
    each_db(|t| async move {
        let admin = t.api("admin").await;
        let (s, managers) = admin.get("/api/v1/users?role=manager").await;
        assert_eq!(s, StatusCode::OK, "{managers}");
        let names: Vec<&str> = managers["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|u| u["username"].as_str())
            .collect();
        assert!(
            names.contains(&"wangjl") && names.contains(&"huangm"),
            "{names:?}"
        );
        assert!(!names.contains(&"lixy"), "{names:?}");
        let (_, found) = admin.get("/api/v1/users?q=LIU").await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["items"][0]["username"], "liuy");
        let unit = t.actor("wangjl").await.unit_id;
        let (_, shanghai) = admin.get(&format!("/api/v1/users?unit={unit}")).await;
        let names: Vec<&str> = shanghai["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|u| u["username"].as_str())
            .collect();
        assert!(
            names.contains(&"wangjl") && names.contains(&"liuy"),
            "{names:?}"
        );
        assert!(!names.contains(&"huangm"), "{names:?}");
        let (s, _) = admin.get("/api/v1/users?role=boss").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = t.api("wangjl").await.get("/api/v1/users?role=boss").await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "a manager may not list users at all"
        );

        let b = t.browser("admin").await;
        let (_, page) = b.get("/admin/users?state=active&role=manager").await;
        let rows = page.split("<tbody>").nth(1).unwrap_or("");
        assert!(rows.contains("wangjl") && !rows.contains("liuy"), "{rows}");
        assert!(page.contains("class=\"chip\""), "{page}");
        let r = b
            .post(
                "/views/users/columns",
                "/admin/users",
                &[
                    ("col", "username"),
                    ("col", "email"),
                    ("col", "actions"),
                    ("back", "/admin/users"),
                ],
            )
            .await;
        assert_eq!(location(&r), "/admin/users");
        let (_, page) = b.get("/admin/users").await;
        assert!(
            page.contains("class=\"u-email\"") && !page.contains("class=\"u-last_login\""),
            "{page}"
        );
    })
    .await;
}

/// A customer's page shows its shipments in the columns the user chose for the shipment
/// list (without the customer's own), and leads to that list filtered to the customer.
#[tokio::test]
async fn a_customers_shipments_follow_the_shipment_list_columns() {
    each_db(|t| async move {
        let c = t
            .customer("上海寰宇国际货运代理有限公司", Some("lixy"), None)
            .await;
        let shipment = consign_app::shipments::ShipmentInput {
            waybill_no: "SF1405660300".into(),
            customer_id: Some(c.to_string()),
            revenue_fen: Some(consign_domain::ops::Fen(12_345)),
            ordered_at: Some(chrono::Utc::now()),
            ..Default::default()
        };
        consign_app::shipments::upsert(&t.app, &t.actor("admin").await, &[shipment])
            .await
            .expect("shipment");
        let b = t.browser("lixy").await;
        let (_, page) = b.get(&format!("/customers/{c}")).await;
        let section = page.split("id=\"shipments\"").nth(1).unwrap_or("");
        assert!(
            section.contains("SF1405660300") && section.contains("class=\"s-revenue num\""),
            "{section}"
        );
        assert!(!section.contains("class=\"s-customer\""), "{section}");
        assert!(
            section.contains(&format!("href=\"/shipments?customer_id={c}\"")),
            "{section}"
        );
        let r = b
            .post(
                "/views/shipments/columns",
                &format!("/customers/{c}"),
                &[
                    ("col", "waybill"),
                    ("col", "customer"),
                    ("col", "weight"),
                    ("back", &format!("/customers/{c}")),
                ],
            )
            .await;
        assert_eq!(location(&r), format!("/customers/{c}"));
        let (_, page) = b.get(&format!("/customers/{c}")).await;
        let section = page.split("id=\"shipments\"").nth(1).unwrap_or("");
        assert!(
            section.contains("class=\"s-weight num\"")
                && !section.contains("class=\"s-revenue num\""),
            "{section}"
        );
        let (_, list) = b.get("/shipments").await;
        assert!(
            list.contains("class=\"s-customer\""),
            "the list keeps its customer column"
        );
    })
    .await;
}

/// The views and columns by API: the same rules as the menus (names, known columns, the
/// anchor kept, the team's shared views, only one's own deleted).
#[tokio::test]
async fn views_and_columns_by_api() {
    each_db(|t| async move {
        let lixy = t.api("lixy").await;
        let put = |api: &Api, path: &str, body: serde_json::Value| {
            let r = api.req(reqwest::Method::PUT, path).json(&body);
            async move {
                let r = r.send().await.expect("send");
                let s = r.status();
                (s, r.json::<serde_json::Value>().await.unwrap_or_default())
            }
        };
        let (s, cols) = lixy.get("/api/v1/views/customers/columns").await;
        assert_eq!(s, StatusCode::OK);
        assert!(!cols["columns"].to_string().contains("owner"), "an account manager's defaults: {cols}");
        let (s, cols) = put(&lixy, "/api/v1/views/customers/columns", serde_json::json!({"columns": ["grade", "code"]})).await;
        assert_eq!(s, StatusCode::OK, "{cols}");
        assert_eq!(cols["columns"], serde_json::json!(["name", "grade", "code"]));
        let (s, _) = put(&lixy, "/api/v1/views/customers/columns", serde_json::json!({"columns": ["nonsense"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, v) = lixy
            .post(
                "/api/v1/views/customers",
                serde_json::json!({"name": "我的广东A类客户", "query": "province=广东&value_class=a&page=3", "columns": ["code", "name", "value_class"], "shared": true}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["query"], "province=%E5%B9%BF%E4%B8%9C&value_class=a", "page is not a filter: {v}");
        let vid = v["id"].as_str().expect("id").to_string();
        let (s, again) = lixy
            .post("/api/v1/views/customers", serde_json::json!({"name": "我的广东A类客户", "columns": ["name"]}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{again}");
        // A teammate sees the shared view but may not delete it; another team does not.
        let zhaop = t.api("zhaop").await;
        let (_, theirs) = zhaop.get("/api/v1/views/customers").await;
        let (_, chenj) = t.api("chenj").await.get("/api/v1/views/customers").await;
        let team_sees = theirs["items"].to_string().contains("我的广东A类客户");
        assert_eq!(
            team_sees,
            t.actor("zhaop").await.unit_id == t.actor("lixy").await.unit_id,
            "{theirs}"
        );
        assert_eq!(chenj["total"], 0, "{chenj}");
        let (s, _) = zhaop.delete(&format!("/api/v1/views/customers/{vid}")).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
        let (s, _) = lixy.delete(&format!("/api/v1/views/customers/{vid}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = lixy.get("/api/v1/views/nowhere").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    })
    .await;
}
