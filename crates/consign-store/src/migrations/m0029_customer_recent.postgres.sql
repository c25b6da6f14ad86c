-- Issue 20: every customer's rollup summed over the recent months (the window's first
-- month in recent_window, through the last month there is), kept by triggers on
-- customer_months so that every write path (imports, edits, deletions, merges, rebuilds)
-- keeps it, and rebuilt when a new month moves the window (see kpis::rebuild_recent).
-- The company's KPIs by segment and its worst customers over this month and the eleven
-- before read 100,000 rows from it instead of summing 1.2 million month rows. The window
-- starts out empty (first month 999999) until its first rebuild.
CREATE TABLE recent_window (
    id INTEGER PRIMARY KEY,
    first_month INTEGER NOT NULL
);
INSERT INTO recent_window (id, first_month) VALUES (1, 999999);
CREATE TABLE customer_recent (
    customer_id BIGINT PRIMARY KEY,
    shipments BIGINT NOT NULL DEFAULT 0,
    revenue_fen BIGINT NOT NULL DEFAULT 0,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    profit_fen BIGINT NOT NULL DEFAULT 0,
    delivered BIGINT NOT NULL DEFAULT 0,
    cycle_seconds BIGINT NOT NULL DEFAULT 0,
    cycle_seconds_sq BIGINT NOT NULL DEFAULT 0,
    delayed BIGINT NOT NULL DEFAULT 0,
    damaged BIGINT NOT NULL DEFAULT 0,
    short BIGINT NOT NULL DEFAULT 0,
    stockout BIGINT NOT NULL DEFAULT 0,
    substituted BIGINT NOT NULL DEFAULT 0,
    route_changed BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    invoice_error BIGINT NOT NULL DEFAULT 0
);
-- PostgreSQL: statement-level triggers with transition tables, one set-based upsert per
-- statement (a row-level trigger cost an import of a million shipments a third more).
CREATE FUNCTION customer_months_recent_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT x.customer_id, SUM(x.shipments), SUM(x.revenue_fen), SUM(x.cost_fen), SUM(x.profit_fen), SUM(x.delivered), SUM(x.cycle_seconds), SUM(x.cycle_seconds_sq), SUM(x.delayed), SUM(x.damaged), SUM(x.short), SUM(x.stockout), SUM(x.substituted), SUM(x.route_changed), SUM(x.returned), SUM(x.invoice_error)
    FROM (SELECT customer_id, month, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error FROM new_rows) x, recent_window w
    WHERE w.id = 1 AND x.month >= w.first_month
    GROUP BY x.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET shipments = customer_recent.shipments + excluded.shipments, revenue_fen = customer_recent.revenue_fen + excluded.revenue_fen, cost_fen = customer_recent.cost_fen + excluded.cost_fen, profit_fen = customer_recent.profit_fen + excluded.profit_fen, delivered = customer_recent.delivered + excluded.delivered, cycle_seconds = customer_recent.cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = customer_recent.cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = customer_recent.delayed + excluded.delayed, damaged = customer_recent.damaged + excluded.damaged, short = customer_recent.short + excluded.short, stockout = customer_recent.stockout + excluded.stockout, substituted = customer_recent.substituted + excluded.substituted, route_changed = customer_recent.route_changed + excluded.route_changed, returned = customer_recent.returned + excluded.returned, invoice_error = customer_recent.invoice_error + excluded.invoice_error;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION customer_months_recent_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT x.customer_id, SUM(x.shipments), SUM(x.revenue_fen), SUM(x.cost_fen), SUM(x.profit_fen), SUM(x.delivered), SUM(x.cycle_seconds), SUM(x.cycle_seconds_sq), SUM(x.delayed), SUM(x.damaged), SUM(x.short), SUM(x.stockout), SUM(x.substituted), SUM(x.route_changed), SUM(x.returned), SUM(x.invoice_error)
    FROM (SELECT customer_id, month, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error FROM new_rows UNION ALL SELECT customer_id, month, -shipments AS shipments, -revenue_fen AS revenue_fen, -cost_fen AS cost_fen, -profit_fen AS profit_fen, -delivered AS delivered, -cycle_seconds AS cycle_seconds, -cycle_seconds_sq AS cycle_seconds_sq, -delayed AS delayed, -damaged AS damaged, -short AS short, -stockout AS stockout, -substituted AS substituted, -route_changed AS route_changed, -returned AS returned, -invoice_error AS invoice_error FROM old_rows) x, recent_window w
    WHERE w.id = 1 AND x.month >= w.first_month
    GROUP BY x.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET shipments = customer_recent.shipments + excluded.shipments, revenue_fen = customer_recent.revenue_fen + excluded.revenue_fen, cost_fen = customer_recent.cost_fen + excluded.cost_fen, profit_fen = customer_recent.profit_fen + excluded.profit_fen, delivered = customer_recent.delivered + excluded.delivered, cycle_seconds = customer_recent.cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = customer_recent.cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = customer_recent.delayed + excluded.delayed, damaged = customer_recent.damaged + excluded.damaged, short = customer_recent.short + excluded.short, stockout = customer_recent.stockout + excluded.stockout, substituted = customer_recent.substituted + excluded.substituted, route_changed = customer_recent.route_changed + excluded.route_changed, returned = customer_recent.returned + excluded.returned, invoice_error = customer_recent.invoice_error + excluded.invoice_error;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE FUNCTION customer_months_recent_delete() RETURNS trigger AS $$
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT x.customer_id, SUM(x.shipments), SUM(x.revenue_fen), SUM(x.cost_fen), SUM(x.profit_fen), SUM(x.delivered), SUM(x.cycle_seconds), SUM(x.cycle_seconds_sq), SUM(x.delayed), SUM(x.damaged), SUM(x.short), SUM(x.stockout), SUM(x.substituted), SUM(x.route_changed), SUM(x.returned), SUM(x.invoice_error)
    FROM (SELECT customer_id, month, -shipments AS shipments, -revenue_fen AS revenue_fen, -cost_fen AS cost_fen, -profit_fen AS profit_fen, -delivered AS delivered, -cycle_seconds AS cycle_seconds, -cycle_seconds_sq AS cycle_seconds_sq, -delayed AS delayed, -damaged AS damaged, -short AS short, -stockout AS stockout, -substituted AS substituted, -route_changed AS route_changed, -returned AS returned, -invoice_error AS invoice_error FROM old_rows) x, recent_window w
    WHERE w.id = 1 AND x.month >= w.first_month
    GROUP BY x.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET shipments = customer_recent.shipments + excluded.shipments, revenue_fen = customer_recent.revenue_fen + excluded.revenue_fen, cost_fen = customer_recent.cost_fen + excluded.cost_fen, profit_fen = customer_recent.profit_fen + excluded.profit_fen, delivered = customer_recent.delivered + excluded.delivered, cycle_seconds = customer_recent.cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = customer_recent.cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = customer_recent.delayed + excluded.delayed, damaged = customer_recent.damaged + excluded.damaged, short = customer_recent.short + excluded.short, stockout = customer_recent.stockout + excluded.stockout, substituted = customer_recent.substituted + excluded.substituted, route_changed = customer_recent.route_changed + excluded.route_changed, returned = customer_recent.returned + excluded.returned, invoice_error = customer_recent.invoice_error + excluded.invoice_error;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER customer_months_recent_insert AFTER INSERT ON customer_months
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_months_recent_insert();
CREATE TRIGGER customer_months_recent_update AFTER UPDATE ON customer_months
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_months_recent_update();
CREATE TRIGGER customer_months_recent_delete AFTER DELETE ON customer_months
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION customer_months_recent_delete();
