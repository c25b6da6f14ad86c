-- Issue 19: a shipment naming a customer code that a customers import refused as a likely
-- duplicate says so; the refusals are found by code (the cell of their error row).
CREATE INDEX import_errors_refused ON import_errors(cell) WHERE reason_key = 'err.import_duplicate'
