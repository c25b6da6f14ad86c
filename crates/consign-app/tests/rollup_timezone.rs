//! The rollups' days are in the company's time zone: when the zone changes, opening the
//! database moves each shipment to its day in the new zone and rebuilds the rollups.

use consign_app::auth::Actor;
use consign_app::shipments::{upsert, ShipmentInput};
use consign_app::{App, Settings};
use consign_store::shipments as repo;

async fn open(dir: &std::path::Path, tz: &str) -> App {
    let mut s = Settings::default();
    s.set_data_dir(dir.to_path_buf());
    s.password_cost = "test".into();
    s.timezone = tz.into();
    App::open(s).await.expect("open")
}

#[tokio::test]
async fn a_changed_time_zone_rebuilds_the_rollups() {
    let dir = tempfile::tempdir().expect("tmp");
    let app = open(dir.path(), "Asia/Shanghai").await;
    assert!(consign_app::demo::seed_if_empty(&app, 20, 0)
        .await
        .expect("seed"));
    let code = consign_store::customers::ops_targets(&app.db.conn)
        .await
        .expect("customers")[0]
        .1
        .clone();
    // 17:30 UTC on 1 October is 01:30 on 2 October in Shanghai.
    let input = ShipmentInput {
        waybill_no: "SF1000000001".into(),
        customer_code: Some(code),
        revenue_fen: Some(consign_domain::ops::Fen(10_000)),
        ordered_at: "2026-10-01T17:30:00Z".parse().ok(),
        ..Default::default()
    };
    upsert(&app, &Actor::system("test"), &[input])
        .await
        .expect("write");
    let day = |app: &App| {
        let conn = app.db.conn.clone();
        async move {
            repo::find_by_waybill(&conn, "SF1000000001")
                .await
                .expect("find")
                .expect("stored")
                .order_day
        }
    };
    assert_eq!(day(&app).await, 20261002);
    drop(app);

    let app = open(dir.path(), "UTC").await;
    assert_eq!(
        day(&app).await,
        20261001,
        "moved to its day in the new zone"
    );
    for monthly in [false, true] {
        let stored = repo::rollup(&app.db.conn, monthly).await.expect("rollup");
        assert_eq!(
            stored,
            repo::aggregate_raw(&app.db.conn, monthly)
                .await
                .expect("raw")
        );
        assert_eq!(
            repo::company_rollup(&app.db.conn, monthly)
                .await
                .expect("company"),
            repo::summed(&stored),
            "the company's rollup follows the zone"
        );
    }
    let days = repo::rollup(&app.db.conn, false).await.expect("rollup");
    assert!(days.keys().any(|(_, d)| *d == 20261001));
    assert!(!days.keys().any(|(_, d)| *d == 20261002));
}
