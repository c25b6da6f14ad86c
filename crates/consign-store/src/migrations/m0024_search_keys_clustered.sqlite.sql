-- Issue 19: the search keys clustered on (key, customer) without a rowid of their own, and
-- without the index by customer: a customer's keys are found from its name (every key
-- is made from it), so that an import writes each key into one b-tree instead of three.
CREATE TABLE search_keys_m0024 (
    key TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (key, customer_id)
) WITHOUT ROWID;
INSERT INTO search_keys_m0024 (key, customer_id)
    SELECT key, customer_id FROM search_keys ORDER BY key, customer_id;
DROP TABLE search_keys;
ALTER TABLE search_keys_m0024 RENAME TO search_keys;
