-- Issue 20: each customer's recent row (m0029) carries what the company's KPIs are broken
-- down by and scoped with: the customer's owner, province, industry and service modes
-- (kept by a trigger on the customers) and its value class and grade in the run
-- recent_window.class_run (written when a run comes into force, see
-- kpis::recent::keep_classes). A breakdown over the recent months is then one pass over
-- one table, with no join.
ALTER TABLE recent_window ADD COLUMN class_run BIGINT;
ALTER TABLE customer_recent ADD COLUMN owner_id BIGINT, ADD COLUMN province TEXT,
    ADD COLUMN industry TEXT, ADD COLUMN service_modes TEXT, ADD COLUMN value_class TEXT,
    ADD COLUMN grade TEXT;
UPDATE customer_recent r SET owner_id = c.owner_id, province = c.province,
    industry = c.industry, service_modes = c.service_modes
FROM customers c WHERE c.id = r.customer_id;
-- A customer's first recent row takes its segment. An AFTER trigger: the upserts of the
-- months' triggers propose a row per customer in each statement, and a BEFORE trigger
-- would run for every one of them; an AFTER INSERT trigger runs for the rows inserted
-- only (the others fire update triggers, of which there are none).
CREATE FUNCTION customer_recent_segment() RETURNS trigger AS $$
BEGIN
    UPDATE customer_recent r SET owner_id = c.owner_id, province = c.province,
        industry = c.industry, service_modes = c.service_modes,
        value_class = (SELECT cl.value_class FROM classifications cl
            JOIN recent_window w ON w.id = 1 AND cl.run_id = w.class_run
            WHERE cl.customer_id = NEW.customer_id),
        grade = (SELECT cl.grade FROM classifications cl
            JOIN recent_window w ON w.id = 1 AND cl.run_id = w.class_run
            WHERE cl.customer_id = NEW.customer_id)
    FROM customers c WHERE c.id = NEW.customer_id AND r.customer_id = NEW.customer_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER customer_recent_segment AFTER INSERT ON customer_recent
    FOR EACH ROW EXECUTE FUNCTION customer_recent_segment();
CREATE FUNCTION customers_recent_segment() RETURNS trigger AS $$
BEGIN
    UPDATE customer_recent SET owner_id = NEW.owner_id, province = NEW.province,
        industry = NEW.industry, service_modes = NEW.service_modes
    WHERE customer_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER customers_recent_segment AFTER UPDATE OF owner_id, province, industry, service_modes ON customers
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id
        OR OLD.province IS DISTINCT FROM NEW.province
        OR OLD.industry IS DISTINCT FROM NEW.industry
        OR OLD.service_modes IS DISTINCT FROM NEW.service_modes)
    EXECUTE FUNCTION customers_recent_segment();
-- The open shipments' index covers what the overdue count reads (promise, delivery,
-- customer, day).
DROP INDEX shipments_open;
CREATE INDEX shipments_open ON shipments(ordered_at, promised_at, delivered_at, customer_id, order_day)
    WHERE status IN ('created', 'in_transit');
-- and by customer: a customer's open shipments (its panel, the worst customers' figures)
-- are found among the open ones, not among the customer's years of delivered ones.
CREATE INDEX shipments_open_customer ON shipments(customer_id, ordered_at, promised_at, delivered_at)
    WHERE status IN ('created', 'in_transit');
