-- Issue 19: a shipment keeps the carrier's product name as the source wrote it (精准卡航),
-- whatever mode it maps to; an import run keeps what it noticed but did not refuse (product
-- names no table knows, the file's own total against the rows) as JSON.
ALTER TABLE shipments ADD COLUMN product TEXT NOT NULL DEFAULT '';
ALTER TABLE import_runs ADD COLUMN notes TEXT NOT NULL DEFAULT '{}'
