-- Issue 22: public tracking. A shipment keeps the last four digits of its shipper's and its
-- consignee's phone (the check a visitor passes; the full numbers are not stored), and each
-- lookup is counted so that the four digits cannot be guessed.
ALTER TABLE shipments ADD COLUMN shipper_phone_last4 TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN consignee_phone_last4 TEXT NOT NULL DEFAULT '';

CREATE TABLE tracking_lookups (
    id {id},
    waybill_no TEXT NOT NULL,
    ip TEXT NOT NULL,
    at {ts} NOT NULL,
    found {bool} NOT NULL
);
CREATE INDEX tracking_lookups_ip_at ON tracking_lookups(ip, at);
CREATE INDEX tracking_lookups_waybill_at ON tracking_lookups(waybill_no, at);
