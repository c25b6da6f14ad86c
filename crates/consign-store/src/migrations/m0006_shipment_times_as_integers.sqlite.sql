PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE shipments_new (
    id INTEGER PRIMARY KEY,
    waybill_no TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    service_mode TEXT,
    origin_city TEXT NOT NULL DEFAULT '',
    destination_city TEXT NOT NULL DEFAULT '',
    goods_type TEXT NOT NULL DEFAULT '',
    pieces BIGINT NOT NULL DEFAULT 0,
    weight_g BIGINT NOT NULL DEFAULT 0,
    volume_cm3 BIGINT NOT NULL DEFAULT 0,
    revenue_fen BIGINT NOT NULL,
    cost_fen BIGINT,
    ordered_at INTEGER NOT NULL,
    order_day INTEGER NOT NULL,
    promised_at INTEGER,
    shipped_at INTEGER,
    delivered_at INTEGER,
    status TEXT NOT NULL,
    exceptions INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    import_run_id BIGINT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO shipments_new (id, waybill_no, customer_id, service_mode, origin_city,
    destination_city, goods_type, pieces, weight_g, volume_cm3, revenue_fen, cost_fen,
    ordered_at, order_day, promised_at, shipped_at, delivered_at, status, exceptions, note,
    import_run_id, created_at, updated_at)
SELECT id, waybill_no, customer_id, service_mode, origin_city, destination_city, goods_type,
    pieces, weight_g, volume_cm3, revenue_fen, cost_fen,
    CAST(strftime('%s', ordered_at) AS INTEGER), order_day,
    CAST(strftime('%s', promised_at) AS INTEGER), CAST(strftime('%s', shipped_at) AS INTEGER),
    CAST(strftime('%s', delivered_at) AS INTEGER), status, exceptions, note, import_run_id,
    CAST(strftime('%s', created_at) AS INTEGER), CAST(strftime('%s', updated_at) AS INTEGER)
FROM shipments;
DROP TABLE shipments;
ALTER TABLE shipments_new RENAME TO shipments;
CREATE INDEX shipments_customer ON shipments(customer_id, ordered_at);
COMMIT;
PRAGMA foreign_keys = ON;
