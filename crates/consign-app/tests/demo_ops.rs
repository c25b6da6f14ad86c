//! The demo's operations data looks like a logistics company's: Pareto volumes, monthly
//! statements for the companies that ship every month, most paid on time, some late,
//! some still overdue.

use consign_app::{App, Settings};
use sea_orm::{ConnectionTrait, Statement};

async fn scalar(app: &App, sql: &str) -> i64 {
    let r = app
        .db
        .conn
        .query_one(Statement::from_string(app.db.db_backend(), sql.to_string()))
        .await
        .expect("query")
        .expect("row");
    r.try_get_by_index::<i64>(0).expect("value")
}

#[tokio::test]
async fn demo_billing_has_statements_late_payers_and_overdue_accounts() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut s = Settings::default();
    s.set_data_dir(dir.path().to_path_buf());
    s.password_cost = "test".into();
    let app = App::open(s).await.expect("open");
    assert!(consign_app::demo::seed_if_empty(&app, 300, 40_000)
        .await
        .expect("seed"));
    let invoices = scalar(&app, "SELECT COUNT(*) FROM invoices").await;
    let billed = scalar(&app, "SELECT COUNT(DISTINCT customer_id) FROM invoices").await;
    let individuals = scalar(
        &app,
        "SELECT COUNT(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.kind = 'individual'",
    )
    .await;
    assert!(invoices > 200, "monthly statements: {invoices}");
    assert!(billed >= 10, "customers on monthly settlement: {billed}");
    assert_eq!(individuals, 0, "people pay per shipment, not monthly");
    // Each statement bills the month's revenue of the rollup.
    let mismatched = scalar(
        &app,
        "SELECT COUNT(*) FROM invoices i JOIN customer_months m ON m.customer_id = i.customer_id \
         AND m.month = CAST(REPLACE(i.period, '-', '') AS INTEGER) WHERE m.revenue_fen <> i.amount_fen",
    )
    .await;
    assert_eq!(mismatched, 0);
    let late = scalar(
        &app,
        "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.paid_at > i.due_at",
    )
    .await;
    let on_time = scalar(
        &app,
        "SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.paid_at <= i.due_at",
    )
    .await;
    assert!(on_time > late && late > 0, "on time {on_time}, late {late}");
    let overdue_unpaid = scalar(
        &app,
        "SELECT COUNT(*) FROM invoices i WHERE i.due_at < CURRENT_TIMESTAMP \
         AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id)",
    )
    .await;
    assert!(overdue_unpaid > 0, "some statements are overdue and unpaid");
}
