//! Migration m0017: the classification policy versions the system stored before, with
//! their bilingual notes and authors, get the message keys that made them; a note a
//! person wrote keeps none.

use consign_store::{classification, migrations::Migrator, ConnectionTrait, Db};
use sea_orm_migration::MigratorTrait;

#[tokio::test]
async fn generated_policy_notes_get_their_message_keys() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let db = Db::connect(&url, None).await.expect("connect");
    Migrator::up(&db.conn, Some(16))
        .await
        .expect("migrations up to m0016");
    let t = "'2026-11-01T00:00:00+00:00'";
    let sql = format!(
        "INSERT INTO classification_policies (version, policy, note, created_by, created_by_name, created_at) VALUES \
         (1, '{{}}', '默认策略 / defaults (SPEC §3)', NULL, '系统 / system', {t}), \
         (2, '{{}}', '配置文件 / configuration file', NULL, '配置文件 / configuration', {t}), \
         (3, '{{}}', '大客户门槛调高 / raised', NULL, '王建林', {t})"
    );
    db.conn.execute_unprepared(&sql).await.expect("old rows");
    db.migrate().await.expect("the rest of the migrations");
    let read = |v: i64| {
        let conn = db.conn.clone();
        async move {
            let r = classification::policy_version(&conn, v)
                .await
                .expect("read")
                .expect("version");
            (r.note_key, r.author_key, r.note)
        }
    };
    let (n, a, _) = read(1).await;
    assert_eq!(
        (n.as_deref(), a.as_deref()),
        (Some("policy.note.defaults"), Some("policy.by.system"))
    );
    let (n, a, _) = read(2).await;
    assert_eq!(
        (n.as_deref(), a.as_deref()),
        (Some("policy.note.config_file"), Some("policy.by.config"))
    );
    let (n, a, note) = read(3).await;
    assert_eq!((n, a), (None, None), "a person's note stays as written");
    assert_eq!(note, "大客户门槛调高 / raised");
}
