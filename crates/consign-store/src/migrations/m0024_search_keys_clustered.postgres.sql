-- Issue 19: a customer's search keys are found from its name (every key is made from it);
-- the index by customer cost an import as much as the keys' own index.
DROP INDEX search_keys_customer;
