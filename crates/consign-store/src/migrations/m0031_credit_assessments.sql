-- Issue 21: credit assessments (5C, or the 5P and 6A checklists): each factor's score,
-- the weighted score, rating and suggested limit, with the revenue it was based on, who
-- and when; and customers' financial statements per period (the items the ratios need,
-- as JSON), one per customer and period.
CREATE TABLE credit_assessments (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    method TEXT NOT NULL,
    scores TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    rating TEXT NOT NULL,
    suggested_limit_fen BIGINT NOT NULL,
    revenue_12m_fen BIGINT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX credit_assessments_customer ON credit_assessments(customer_id, id);
CREATE TABLE credit_statements (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    period TEXT NOT NULL,
    items TEXT NOT NULL,
    created_by BIGINT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (customer_id, period)
);
