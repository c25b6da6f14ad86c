-- Issue 20: order cycles in the rollups to the second (whole minutes biased the average
-- cycle low by about half a minute), recomputed from the shipments.
ALTER TABLE customer_days RENAME COLUMN cycle_minutes TO cycle_seconds;
ALTER TABLE customer_days RENAME COLUMN cycle_minutes_sq TO cycle_seconds_sq;
ALTER TABLE customer_months RENAME COLUMN cycle_minutes TO cycle_seconds;
ALTER TABLE customer_months RENAME COLUMN cycle_minutes_sq TO cycle_seconds_sq;
CREATE TEMP TABLE m0025_cycles AS
    SELECT customer_id, day, SUM(e)::BIGINT AS s, SUM(e * e)::BIGINT AS sq FROM (
        SELECT customer_id, order_day AS day, EXTRACT(EPOCH FROM delivered_at - ordered_at)::BIGINT AS e
        FROM shipments WHERE delivered_at IS NOT NULL) x
    GROUP BY customer_id, day;
UPDATE customer_days SET cycle_seconds = 0, cycle_seconds_sq = 0;
UPDATE customer_days SET cycle_seconds = t.s, cycle_seconds_sq = t.sq FROM m0025_cycles t
    WHERE t.customer_id = customer_days.customer_id AND t.day = customer_days.day;
DROP TABLE m0025_cycles;
UPDATE customer_months SET cycle_seconds = 0, cycle_seconds_sq = 0;
UPDATE customer_months SET cycle_seconds = t.s, cycle_seconds_sq = t.sq FROM (
    SELECT customer_id, day / 100 AS month, SUM(cycle_seconds)::BIGINT AS s, SUM(cycle_seconds_sq)::BIGINT AS sq
    FROM customer_days GROUP BY customer_id, day / 100) t
    WHERE t.customer_id = customer_months.customer_id AND t.month = customer_months.month;
