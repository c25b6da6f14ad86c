-- Issue 19: the shipment list's exception filters read the shipments with any flag (a few
-- in a hundred) newest first; a partial index costs the import nothing for a clean row.
CREATE INDEX shipments_flagged ON shipments(ordered_at) WHERE exceptions <> 0
