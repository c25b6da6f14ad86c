ALTER TABLE tickets ADD COLUMN owner_id BIGINT;
UPDATE tickets SET owner_id = (SELECT c.owner_id FROM customers c WHERE c.id = tickets.customer_id);
CREATE INDEX tickets_owner ON tickets(owner_id, status, created_at);
CREATE INDEX tickets_owner_created ON tickets(owner_id, created_at);
CREATE INDEX tickets_kind ON tickets(kind, status, created_at);
CREATE INDEX tickets_root_cause ON tickets(root_cause, created_at);
CREATE TRIGGER customers_owner_to_tickets AFTER UPDATE OF owner_id ON customers
WHEN OLD.owner_id IS NOT NEW.owner_id
BEGIN
    UPDATE tickets SET owner_id = NEW.owner_id WHERE customer_id = NEW.id;
END;
