ALTER TABLE tickets ADD COLUMN owner_id BIGINT;
UPDATE tickets SET owner_id = c.owner_id FROM customers c WHERE c.id = tickets.customer_id;
CREATE INDEX tickets_owner ON tickets(owner_id, status, created_at);
CREATE INDEX tickets_owner_created ON tickets(owner_id, created_at);
CREATE INDEX tickets_kind ON tickets(kind, status, created_at);
CREATE INDEX tickets_root_cause ON tickets(root_cause, created_at);
CREATE FUNCTION consign_tickets_follow_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET owner_id = NEW.owner_id WHERE customer_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER customers_owner_to_tickets AFTER UPDATE OF owner_id ON customers
FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
EXECUTE FUNCTION consign_tickets_follow_owner();
