CREATE TABLE shipments (
    id {rowid},
    waybill_no TEXT {bin} NOT NULL UNIQUE,
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
    ordered_at {ts} NOT NULL,
    order_day INTEGER NOT NULL,
    promised_at {ts},
    shipped_at {ts},
    delivered_at {ts},
    status TEXT NOT NULL,
    exceptions INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    import_run_id BIGINT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX shipments_customer ON shipments(customer_id, ordered_at);
CREATE TABLE tracking_events (
    id {rowid},
    shipment_id BIGINT NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
    at {ts} NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    status_text TEXT NOT NULL,
    UNIQUE (shipment_id, at, status_text)
);
CREATE TABLE invoices (
    id {id},
    invoice_no TEXT {bin} NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    amount_fen BIGINT NOT NULL,
    issued_at {ts} NOT NULL,
    due_at {ts} NOT NULL,
    period TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX invoices_customer ON invoices(customer_id, issued_at);
CREATE TABLE payments (
    id {id},
    payment_no TEXT {bin} NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    invoice_id BIGINT REFERENCES invoices(id),
    amount_fen BIGINT NOT NULL,
    paid_at {ts} NOT NULL,
    method TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX payments_customer ON payments(customer_id, paid_at);
CREATE INDEX payments_invoice ON payments(invoice_id);
CREATE TABLE customer_days (
    customer_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    shipments BIGINT NOT NULL DEFAULT 0,
    revenue_fen BIGINT NOT NULL DEFAULT 0,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    profit_fen BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    cycle_minutes BIGINT NOT NULL DEFAULT 0,
    cycle_minutes_sq BIGINT NOT NULL DEFAULT 0,
    delayed BIGINT NOT NULL DEFAULT 0,
    damaged BIGINT NOT NULL DEFAULT 0,
    short BIGINT NOT NULL DEFAULT 0,
    stockout BIGINT NOT NULL DEFAULT 0,
    substituted BIGINT NOT NULL DEFAULT 0,
    route_changed BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    invoice_error BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, day)
){without_rowid};
CREATE INDEX customer_days_day ON customer_days(day);
CREATE TABLE customer_months (
    customer_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    shipments BIGINT NOT NULL DEFAULT 0,
    revenue_fen BIGINT NOT NULL DEFAULT 0,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    profit_fen BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    cycle_minutes BIGINT NOT NULL DEFAULT 0,
    cycle_minutes_sq BIGINT NOT NULL DEFAULT 0,
    delayed BIGINT NOT NULL DEFAULT 0,
    damaged BIGINT NOT NULL DEFAULT 0,
    short BIGINT NOT NULL DEFAULT 0,
    stockout BIGINT NOT NULL DEFAULT 0,
    substituted BIGINT NOT NULL DEFAULT 0,
    route_changed BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    invoice_error BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, month)
){without_rowid};
CREATE INDEX customer_months_month ON customer_months(month);
CREATE TABLE import_profiles (
    id {id},
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    spec TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE TABLE import_runs (
    id {id},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    status TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    rows_read BIGINT NOT NULL DEFAULT 0,
    rows_new BIGINT NOT NULL DEFAULT 0,
    rows_updated BIGINT NOT NULL DEFAULT 0,
    rows_unchanged BIGINT NOT NULL DEFAULT 0,
    rows_bad BIGINT NOT NULL DEFAULT 0,
    prospects_created BIGINT NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    started_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX import_runs_started ON import_runs(started_at);
CREATE TABLE import_errors (
    id {rowid},
    run_id BIGINT NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
    row_no BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    cell TEXT NOT NULL,
    reason_key TEXT NOT NULL,
    reason_arg TEXT NOT NULL DEFAULT ''
);
CREATE INDEX import_errors_run ON import_errors(run_id, row_no)
