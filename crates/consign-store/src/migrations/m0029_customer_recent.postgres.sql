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
CREATE FUNCTION customer_months_recent() RETURNS trigger AS $$
DECLARE
    first INTEGER;
BEGIN
    SELECT first_month INTO first FROM recent_window WHERE id = 1;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.month >= first THEN
        INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
        VALUES (OLD.customer_id, -OLD.shipments, -OLD.revenue_fen, -OLD.cost_fen, -OLD.profit_fen, -OLD.delivered, -OLD.cycle_seconds, -OLD.cycle_seconds_sq, -OLD.delayed, -OLD.damaged, -OLD.short, -OLD.stockout, -OLD.substituted, -OLD.route_changed, -OLD.returned, -OLD.invoice_error)
        ON CONFLICT (customer_id) DO UPDATE SET shipments = customer_recent.shipments + excluded.shipments, revenue_fen = customer_recent.revenue_fen + excluded.revenue_fen, cost_fen = customer_recent.cost_fen + excluded.cost_fen, profit_fen = customer_recent.profit_fen + excluded.profit_fen, delivered = customer_recent.delivered + excluded.delivered, cycle_seconds = customer_recent.cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = customer_recent.cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = customer_recent.delayed + excluded.delayed, damaged = customer_recent.damaged + excluded.damaged, short = customer_recent.short + excluded.short, stockout = customer_recent.stockout + excluded.stockout, substituted = customer_recent.substituted + excluded.substituted, route_changed = customer_recent.route_changed + excluded.route_changed, returned = customer_recent.returned + excluded.returned, invoice_error = customer_recent.invoice_error + excluded.invoice_error;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.month >= first THEN
        INSERT INTO customer_recent (customer_id, shipments, revenue_fen, cost_fen, profit_fen, delivered, cycle_seconds, cycle_seconds_sq, delayed, damaged, short, stockout, substituted, route_changed, returned, invoice_error)
        VALUES (NEW.customer_id, NEW.shipments, NEW.revenue_fen, NEW.cost_fen, NEW.profit_fen, NEW.delivered, NEW.cycle_seconds, NEW.cycle_seconds_sq, NEW.delayed, NEW.damaged, NEW.short, NEW.stockout, NEW.substituted, NEW.route_changed, NEW.returned, NEW.invoice_error)
        ON CONFLICT (customer_id) DO UPDATE SET shipments = customer_recent.shipments + excluded.shipments, revenue_fen = customer_recent.revenue_fen + excluded.revenue_fen, cost_fen = customer_recent.cost_fen + excluded.cost_fen, profit_fen = customer_recent.profit_fen + excluded.profit_fen, delivered = customer_recent.delivered + excluded.delivered, cycle_seconds = customer_recent.cycle_seconds + excluded.cycle_seconds, cycle_seconds_sq = customer_recent.cycle_seconds_sq + excluded.cycle_seconds_sq, delayed = customer_recent.delayed + excluded.delayed, damaged = customer_recent.damaged + excluded.damaged, short = customer_recent.short + excluded.short, stockout = customer_recent.stockout + excluded.stockout, substituted = customer_recent.substituted + excluded.substituted, route_changed = customer_recent.route_changed + excluded.route_changed, returned = customer_recent.returned + excluded.returned, invoice_error = customer_recent.invoice_error + excluded.invoice_error;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER customer_months_recent AFTER INSERT OR UPDATE OR DELETE ON customer_months
    FOR EACH ROW EXECUTE FUNCTION customer_months_recent();
