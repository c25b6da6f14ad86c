-- Issue 20: the company's rollups, the sum of every customer's per local day and month
-- (customer_id is always 0), kept in the same transactions as the customers' rollups, so
-- that the company's service figures over a year read 12 months instead of a row per
-- customer and month.
CREATE TABLE company_days (
    customer_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
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
    invoice_error BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, day)
){without_rowid};
CREATE TABLE company_months (
    customer_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
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
    invoice_error BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, month)
){without_rowid};
INSERT INTO company_days
    SELECT 0, day, SUM(shipments), SUM(revenue_fen), SUM(cost_fen), SUM(profit_fen), SUM(delivered),
           SUM(cycle_seconds), SUM(cycle_seconds_sq), SUM(delayed), SUM(damaged), SUM(short), SUM(stockout),
           SUM(substituted), SUM(route_changed), SUM(returned), SUM(invoice_error)
    FROM customer_days GROUP BY day;
INSERT INTO company_months
    SELECT 0, month, SUM(shipments), SUM(revenue_fen), SUM(cost_fen), SUM(profit_fen), SUM(delivered),
           SUM(cycle_seconds), SUM(cycle_seconds_sq), SUM(delayed), SUM(damaged), SUM(short), SUM(stockout),
           SUM(substituted), SUM(route_changed), SUM(returned), SUM(invoice_error)
    FROM customer_months GROUP BY month;
