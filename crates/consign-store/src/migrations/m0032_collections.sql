-- Issue 21: collections (欠账追收). A customer's promise to pay — how much, by when, who
-- took it down and from which call — kept until the date passes; a promise is kept when
-- the customer's payments from the day it was made reach its amount by its date, and
-- broken otherwise.
CREATE TABLE collection_promises (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    amount_fen BIGINT NOT NULL,
    promised_on INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX collection_promises_customer ON collection_promises(customer_id, promised_on);
