//! Migration m0016: the tasks the system made before, with their bilingual titles, get
//! the message key and parameters that made them; a title a person wrote keeps none.

use consign_store::{followups, migrations::Migrator, ConnectionTrait, Db};
use sea_orm_migration::MigratorTrait;

#[tokio::test]
async fn generated_task_titles_get_their_message_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let db = Db::connect(&url, None).await.expect("connect");
    Migrator::up(&db.conn, Some(15))
        .await
        .expect("migrations up to m0015");
    let t = "'2026-11-01T00:00:00+00:00'";
    for sql in [
        format!(
            "INSERT INTO customers (id, code, name, name_norm, kind, data_source, status, created_at, updated_at) \
             VALUES (7, 'C20001', '上海恒通供应链管理有限公司', '上海恒通供应链管理', 'enterprise', 'import', 'active', {t}, {t})"
        ),
        format!(
            "INSERT INTO tickets (id, number, kind, channel, severity, status, customer_id, subject, description, \
             first_response_due, resolution_due, created_at, updated_at) VALUES (3, 'TK20261014-000162', 'complaint', \
             'phone', 'normal', 'closed', 7, '破损', '', {t}, {t}, {t}, {t})"
        ),
        format!(
            "INSERT INTO tasks (id, customer_id, kind, title, due_on, status, ticket_id, created_at) VALUES \
             (1, 7, 'complaint_callback', '投诉 TK20261014-000162 关闭后回访 / Callback after complaint TK20261014-000162', 20261101, 'open', 3, {t}), \
             (2, 7, 'at_risk', '流失预警客户回访 / Call a customer at risk', 20261101, 'open', NULL, {t}), \
             (3, 7, 'follow_up', '定期回访（B类客户）/ Regular follow-up (B)', 20261101, 'open', NULL, {t}), \
             (4, 7, 'manual', '确认明年合同 / renew', 20261101, 'open', NULL, {t})"
        ),
    ] {
        db.conn.execute_unprepared(&sql).await.expect("old row");
    }
    db.migrate().await.expect("the rest of the migrations");
    let key = |id: i64| {
        let conn = db.conn.clone();
        async move {
            let r = followups::task(&conn, id)
                .await
                .expect("read")
                .expect("task");
            (r.title_key, r.title_args, r.title)
        }
    };
    let (k, a, _) = key(1).await;
    assert_eq!(k.as_deref(), Some("task.title.complaint_callback"));
    assert_eq!(a.as_deref(), Some("[\"TK20261014-000162\"]"));
    let (k, a, _) = key(2).await;
    assert_eq!(
        (k.as_deref(), a.as_deref()),
        (Some("task.title.at_risk"), Some("[]"))
    );
    let (k, a, _) = key(3).await;
    assert_eq!(
        (k.as_deref(), a.as_deref()),
        (Some("task.title.follow_up"), Some("[\"B\"]"))
    );
    let (k, a, title) = key(4).await;
    assert_eq!(
        (k, a),
        (None, None),
        "a title a person wrote stays as written"
    );
    assert_eq!(title, "确认明年合同 / renew");
}
