-- Issue 19: the shipment list's status and overdue filters read the shipments still under
-- way (a few in a hundred) newest first, without reading the delivered millions; a partial
-- index costs the import nothing for a delivered row.
CREATE INDEX shipments_open ON shipments(ordered_at) WHERE status IN ('created', 'in_transit')
