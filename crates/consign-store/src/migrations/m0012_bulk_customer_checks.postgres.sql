ALTER TABLE shipments DROP CONSTRAINT shipments_customer_id_fkey;
ALTER TABLE search_keys DROP CONSTRAINT search_keys_customer_id_fkey;
CREATE FUNCTION consign_new_rows_name_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n
               WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = n.customer_id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = TG_TABLE_NAME || ': a row names a customer that does not exist';
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION consign_customers_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM shipments s WHERE s.customer_id = o.id))
       OR EXISTS (SELECT 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM search_keys k WHERE k.customer_id = o.id)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'customers: shipments or search keys still name a deleted customer';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER shipments_customer_insert AFTER INSERT ON shipments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION consign_new_rows_name_customers();
CREATE TRIGGER shipments_customer_update AFTER UPDATE ON shipments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION consign_new_rows_name_customers();
CREATE TRIGGER search_keys_customer_insert AFTER INSERT ON search_keys
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION consign_new_rows_name_customers();
CREATE TRIGGER search_keys_customer_update AFTER UPDATE ON search_keys
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION consign_new_rows_name_customers();
CREATE TRIGGER customers_kept AFTER DELETE ON customers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION consign_customers_kept();
