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
    customer_id INTEGER PRIMARY KEY,
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
CREATE TRIGGER customer_months_recent_insert AFTER INSERT ON customer_months
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT NEW.customer_id, NEW.shipments, NEW.revenue_fen, NEW.cost_fen, NEW.profit_fen, NEW.delivered, NEW.cycle_seconds, NEW.cycle_seconds_sq, NEW.delayed, NEW.damaged, NEW.short, NEW.stockout, NEW.substituted, NEW.route_changed, NEW.returned, NEW.invoice_error FROM recent_window w WHERE w.id = 1 AND NEW.month >= w.first_month
    ON CONFLICT (customer_id) DO UPDATE SET shipments = shipments + excluded.shipments, revenue_fen = revenue_fen + excluded.revenue_fen, cost_fen = cost_fen + excluded.cost_fen, profit_fen = profit_fen + excluded.profit_fen, delivered = delivered + excluded.delivered, cycle_seconds = cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = delayed + excluded.delayed, damaged = damaged + excluded.damaged, short = short + excluded.short, stockout = stockout + excluded.stockout, substituted = substituted + excluded.substituted, route_changed = route_changed + excluded.route_changed, returned = returned + excluded.returned, invoice_error = invoice_error + excluded.invoice_error;
END;
CREATE TRIGGER customer_months_recent_update AFTER UPDATE ON customer_months
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT OLD.customer_id, -OLD.shipments, -OLD.revenue_fen, -OLD.cost_fen, -OLD.profit_fen, -OLD.delivered, -OLD.cycle_seconds, -OLD.cycle_seconds_sq, -OLD.delayed, -OLD.damaged, -OLD.short, -OLD.stockout, -OLD.substituted, -OLD.route_changed, -OLD.returned, -OLD.invoice_error FROM recent_window w WHERE w.id = 1 AND OLD.month >= w.first_month
    ON CONFLICT (customer_id) DO UPDATE SET shipments = shipments + excluded.shipments, revenue_fen = revenue_fen + excluded.revenue_fen, cost_fen = cost_fen + excluded.cost_fen, profit_fen = profit_fen + excluded.profit_fen, delivered = delivered + excluded.delivered, cycle_seconds = cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = delayed + excluded.delayed, damaged = damaged + excluded.damaged, short = short + excluded.short, stockout = stockout + excluded.stockout, substituted = substituted + excluded.substituted, route_changed = route_changed + excluded.route_changed, returned = returned + excluded.returned, invoice_error = invoice_error + excluded.invoice_error;
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT NEW.customer_id, NEW.shipments, NEW.revenue_fen, NEW.cost_fen, NEW.profit_fen, NEW.delivered, NEW.cycle_seconds, NEW.cycle_seconds_sq, NEW.delayed, NEW.damaged, NEW.short, NEW.stockout, NEW.substituted, NEW.route_changed, NEW.returned, NEW.invoice_error FROM recent_window w WHERE w.id = 1 AND NEW.month >= w.first_month
    ON CONFLICT (customer_id) DO UPDATE SET shipments = shipments + excluded.shipments, revenue_fen = revenue_fen + excluded.revenue_fen, cost_fen = cost_fen + excluded.cost_fen, profit_fen = profit_fen + excluded.profit_fen, delivered = delivered + excluded.delivered, cycle_seconds = cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = delayed + excluded.delayed, damaged = damaged + excluded.damaged, short = short + excluded.short, stockout = stockout + excluded.stockout, substituted = substituted + excluded.substituted, route_changed = route_changed + excluded.route_changed, returned = returned + excluded.returned, invoice_error = invoice_error + excluded.invoice_error;
END;
CREATE TRIGGER customer_months_recent_delete AFTER DELETE ON customer_months
BEGIN
    INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
    SELECT OLD.customer_id, -OLD.shipments, -OLD.revenue_fen, -OLD.cost_fen, -OLD.profit_fen, -OLD.delivered, -OLD.cycle_seconds, -OLD.cycle_seconds_sq, -OLD.delayed, -OLD.damaged, -OLD.short, -OLD.stockout, -OLD.substituted, -OLD.route_changed, -OLD.returned, -OLD.invoice_error FROM recent_window w WHERE w.id = 1 AND OLD.month >= w.first_month
    ON CONFLICT (customer_id) DO UPDATE SET shipments = shipments + excluded.shipments, revenue_fen = revenue_fen + excluded.revenue_fen, cost_fen = cost_fen + excluded.cost_fen, profit_fen = profit_fen + excluded.profit_fen, delivered = delivered + excluded.delivered, cycle_seconds = cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = delayed + excluded.delayed, damaged = damaged + excluded.damaged, short = short + excluded.short, stockout = stockout + excluded.stockout, substituted = substituted + excluded.substituted, route_changed = route_changed + excluded.route_changed, returned = returned + excluded.returned, invoice_error = invoice_error + excluded.invoice_error;
END;
