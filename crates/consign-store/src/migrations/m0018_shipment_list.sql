-- The shipment list (issue 18) walks every shipment in scope newest order first, or the
-- days of a date filter.
CREATE INDEX shipments_ordered ON shipments(ordered_at);
CREATE INDEX shipments_day ON shipments(order_day);
