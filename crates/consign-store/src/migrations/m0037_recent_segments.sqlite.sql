-- Issue 20: each customer's recent row (m0029) carries what the company's KPIs are broken
-- down by and scoped with: the customer's owner, province, industry and service modes
-- (kept by a trigger on the customers) and its value class and grade in the run
-- recent_window.class_run (written when a run comes into force, see
-- kpis::recent::keep_classes). A breakdown over the recent months is then one pass over
-- one table, with no join (the join to the customers and the classifications was two
-- thirds of the company KPI page's time at 100,000 customers).
ALTER TABLE recent_window ADD COLUMN class_run BIGINT;
ALTER TABLE customer_recent ADD COLUMN owner_id BIGINT;
ALTER TABLE customer_recent ADD COLUMN province TEXT;
ALTER TABLE customer_recent ADD COLUMN industry TEXT;
ALTER TABLE customer_recent ADD COLUMN service_modes TEXT;
ALTER TABLE customer_recent ADD COLUMN value_class TEXT;
ALTER TABLE customer_recent ADD COLUMN grade TEXT;
UPDATE customer_recent SET
    owner_id = (SELECT c.owner_id FROM customers c WHERE c.id = customer_recent.customer_id),
    province = (SELECT c.province FROM customers c WHERE c.id = customer_recent.customer_id),
    industry = (SELECT c.industry FROM customers c WHERE c.id = customer_recent.customer_id),
    service_modes = (SELECT c.service_modes FROM customers c WHERE c.id = customer_recent.customer_id);
-- A customer's first recent row takes its segment (an upsert that finds the row updates
-- it, which fires no insert trigger).
CREATE TRIGGER customer_recent_segment AFTER INSERT ON customer_recent
BEGIN
    UPDATE customer_recent SET
        owner_id = (SELECT c.owner_id FROM customers c WHERE c.id = NEW.customer_id),
        province = (SELECT c.province FROM customers c WHERE c.id = NEW.customer_id),
        industry = (SELECT c.industry FROM customers c WHERE c.id = NEW.customer_id),
        service_modes = (SELECT c.service_modes FROM customers c WHERE c.id = NEW.customer_id),
        value_class = (SELECT cl.value_class FROM classifications cl, recent_window w
            WHERE w.id = 1 AND cl.run_id = w.class_run AND cl.customer_id = NEW.customer_id),
        grade = (SELECT cl.grade FROM classifications cl, recent_window w
            WHERE w.id = 1 AND cl.run_id = w.class_run AND cl.customer_id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id;
END;
CREATE TRIGGER customers_recent_segment AFTER UPDATE OF owner_id, province, industry, service_modes ON customers
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.province IS NOT NEW.province
    OR OLD.industry IS NOT NEW.industry OR OLD.service_modes IS NOT NEW.service_modes
BEGIN
    UPDATE customer_recent SET owner_id = NEW.owner_id, province = NEW.province,
        industry = NEW.industry, service_modes = NEW.service_modes
    WHERE customer_id = NEW.id;
END;
-- The open shipments' index covers what the overdue count reads (promise, delivery,
-- customer, day): the company page counts them without reading a shipment row.
DROP INDEX shipments_open;
CREATE INDEX shipments_open ON shipments(ordered_at, promised_at, delivered_at, customer_id, order_day)
    WHERE status IN ('created', 'in_transit');
-- and by customer: a customer's open shipments (its panel, the worst customers' figures)
-- are found among the open ones, not among the customer's years of delivered ones.
CREATE INDEX shipments_open_customer ON shipments(customer_id, ordered_at, promised_at, delivered_at)
    WHERE status IN ('created', 'in_transit');
