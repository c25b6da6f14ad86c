//! Migration m0006 (SQLite): shipments written while their times were RFC 3339 text keep
//! every time (to the second), their tracking events and their customer, and foreign keys
//! are enforced again afterwards.

use consign_store::{migrations::Migrator, shipments, ConnectionTrait, Db};
use sea_orm_migration::MigratorTrait;

#[tokio::test]
async fn shipments_written_before_m0006_keep_their_times_and_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    let db = Db::connect(&url, None).await.expect("connect");
    Migrator::up(&db.conn, Some(5))
        .await
        .expect("migrations up to m0005");
    for sql in [
        "INSERT INTO customers (id, code, name, name_norm, kind, data_source, status, created_at, updated_at) \
         VALUES (7, 'C20001', '上海恒通供应链管理有限公司', '上海恒通供应链管理', 'enterprise', 'import', 'active', \
         '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')",
        // As the m0005 code wrote them: sqlx's RFC 3339 text, with fractions of a second.
        "INSERT INTO shipments (id, waybill_no, customer_id, revenue_fen, ordered_at, order_day, \
         shipped_at, delivered_at, status, note, created_at, updated_at) VALUES (1, 'SF2000000001', 7, \
         123450, '2025-10-03T01:05:00+00:00', 20251003, '2025-10-03T03:00:00+00:00', \
         '2025-10-04T02:00:00.5+00:00', 'delivered', '客户拒收\\备注', \
         '2026-11-30T08:02:33.606510533+00:00', '2026-11-30T08:02:33.606510533+00:00')",
        "INSERT INTO tracking_events (shipment_id, at, place, status_text) \
         VALUES (1, '2025-10-03T02:00:00+00:00', '上海', '已揽收')",
    ] {
        db.conn.execute_unprepared(sql).await.expect("old row");
    }
    db.migrate().await.expect("the rest of the migrations");

    let s = shipments::find_by_waybill(&db.conn, "SF2000000001")
        .await
        .expect("read")
        .expect("still there");
    assert_eq!(s.shipment.customer_code, "C20001");
    assert_eq!(s.shipment.revenue_fen.get(), 123_450);
    assert_eq!(s.shipment.note, "客户拒收\\备注");
    assert_eq!(
        s.shipment.ordered_at.to_rfc3339(),
        "2025-10-03T01:05:00+00:00"
    );
    assert_eq!(
        s.shipment.shipped_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-10-03T03:00:00+00:00")
    );
    assert_eq!(
        s.shipment.delivered_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2025-10-04T02:00:00+00:00"),
        "to the second"
    );
    assert_eq!(s.created_at.to_rfc3339(), "2026-11-30T08:02:33+00:00");
    let events = shipments::events(&db.conn, s.id).await.expect("events");
    assert_eq!(events.len(), 1, "tracking events kept");
    assert_eq!(events[0].status_text, "已揽收");

    let orphan = db
        .conn
        .execute_unprepared(
            "INSERT INTO shipments (waybill_no, customer_id, revenue_fen, ordered_at, order_day, \
             status, created_at, updated_at) VALUES ('SF2000000002', 999, 1, 0, 19700101, \
             'created', 0, 0)",
        )
        .await;
    assert!(orphan.is_err(), "foreign keys are checked again");
}
