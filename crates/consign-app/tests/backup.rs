//! `consign backup` / `consign restore` on SQLite: the restored copy holds exactly what
//! was backed up, personal data included, and bad backups are refused.

use consign_app::{App, Settings};
use sea_orm::{ConnectionTrait, Statement};

async fn open(dir: &std::path::Path) -> App {
    let mut s = Settings::default();
    s.set_data_dir(dir.to_path_buf());
    s.password_cost = "test".into();
    App::open(s).await.expect("open")
}

/// Every row of the tables that matter, as text, in a stable order.
async fn dump(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in [
        ("org_units", "id"),
        ("users", "id"),
        ("customers", "id"),
        ("contacts", "id"),
        ("customer_tags", "customer_id, tag"),
        ("search_keys", "key, customer_id"),
        ("audit_log", "id"),
        ("settings", "key"),
        ("shipments", "id"),
        ("customer_days", "customer_id, day"),
        ("invoices", "id"),
        ("payments", "id"),
    ] {
        let rows = app
            .db
            .conn
            .query_all(Statement::from_string(
                app.db.db_backend(),
                format!("SELECT * FROM {table} ORDER BY {order}"),
            ))
            .await
            .expect("query");
        out.push(format!("{table}: {} rows", rows.len()));
        for r in rows {
            out.push(format!("{r:?}"));
        }
    }
    out
}

#[tokio::test]
async fn restored_copy_equals_backup() {
    let live = tempfile::tempdir().expect("tmp");
    let app = open(live.path()).await;
    assert!(consign_app::demo::seed_if_empty(&app, 120, 3_000)
        .await
        .expect("seed"));
    let before = dump(&app).await;
    assert!(before.iter().any(|l| l == "customers: 120 rows"));
    assert!(before
        .iter()
        .any(|l| l.starts_with("invoices: ") && l != "invoices: 0 rows"));

    let out = tempfile::tempdir().expect("tmp");
    let files = consign_app::backup::backup(&app, out.path())
        .await
        .expect("backup");
    let key = files.key.clone().expect("key file copied");

    // Changes after the backup must not appear in the restored copy.
    let admin = consign_app::auth::Actor::system("test");
    let input = consign_app::customers::NewCustomer {
        customer: consign_app::customers::CustomerInput {
            name: Some("备份之后新建的客户".into()),
            kind: Some("enterprise".into()),
            ..Default::default()
        },
        contacts: vec![],
    };
    consign_app::customers::create(&app, &admin, &input)
        .await
        .expect("create");
    assert_ne!(dump(&app).await, before);

    // Restore into a fresh place, as on a new machine.
    let target = tempfile::tempdir().expect("tmp");
    let mut s = Settings::default();
    s.set_data_dir(target.path().to_path_buf());
    consign_app::backup::restore_sqlite(&s, &files.database, Some(&key), false)
        .await
        .expect("restore");
    let restored = open(target.path()).await;
    assert_eq!(
        dump(&restored).await,
        before,
        "the restored database differs from the backup"
    );
    // Personal data decrypts with the restored key.
    let c = consign_store::customers::find(
        &restored.db.conn,
        consign_domain::customer::CustomerId::trusted(1),
    )
    .await
    .expect("db")
    .expect("customer");
    let contacts = consign_store::customers::contacts_of(&restored.db.conn, c.cid())
        .await
        .expect("contacts");
    let phone = restored
        .vault
        .decrypt(contacts[0].phone_enc.as_deref().expect("phone"))
        .expect("decrypts");
    assert!(consign_domain::customer::Phone::parse(&phone).is_ok());

    // An existing database is not replaced without --force.
    let err = consign_app::backup::restore_sqlite(&s, &files.database, Some(&key), false)
        .await
        .expect_err("refuses");
    assert!(err.to_string().contains("--force"), "{err}");
    // A damaged file is refused and the database left as it was.
    let bad = out.path().join("damaged.db");
    std::fs::write(&bad, b"SQLite format 3\0 but not really").expect("write");
    assert!(
        consign_app::backup::restore_sqlite(&s, &bad, Some(&key), true)
            .await
            .is_err()
    );
    // So is a backup with the wrong key.
    let wrong_key = out.path().join("wrong.key");
    std::fs::write(&wrong_key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").expect("write");
    let err = consign_app::backup::restore_sqlite(&s, &files.database, Some(&wrong_key), true)
        .await
        .expect_err("wrong key");
    assert!(err.to_string().contains("key"), "{err}");
    let again = open(target.path()).await;
    assert_eq!(dump(&again).await, before);
}
