CREATE TABLE classification_policies (
    version {id},
    policy TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE TABLE classification_runs (
    id {id},
    as_of INTEGER NOT NULL,
    policy_version BIGINT NOT NULL REFERENCES classification_policies(version),
    cause TEXT NOT NULL,
    keep {bool} NOT NULL,
    customers BIGINT NOT NULL DEFAULT 0,
    value_ranked BIGINT NOT NULL DEFAULT 0,
    profit_total_fen BIGINT NOT NULL DEFAULT 0,
    rfm_n BIGINT NOT NULL DEFAULT 0,
    started_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX classification_runs_as_of ON classification_runs(as_of, id);
CREATE TABLE classifications (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL,
    grade TEXT NOT NULL,
    value_class TEXT NOT NULL,
    value_rank BIGINT,
    profit_fen BIGINT NOT NULL,
    profit_before_fen BIGINT NOT NULL,
    lifecycle TEXT NOT NULL,
    at_risk {bool} NOT NULL,
    last_day INTEGER,
    frequent_shipments BIGINT NOT NULL,
    grade_revenue_fen BIGINT NOT NULL,
    current_shipments BIGINT NOT NULL,
    churn_shipments BIGINT NOT NULL,
    churn_prev_shipments BIGINT NOT NULL,
    recency_days BIGINT,
    frequency BIGINT,
    monetary_fen BIGINT,
    r_score INTEGER,
    f_score INTEGER,
    m_score INTEGER,
    rfm_segment TEXT,
    PRIMARY KEY (run_id, customer_id)
){without_rowid};
CREATE TABLE classification_groups (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    value_class TEXT NOT NULL,
    grade TEXT NOT NULL,
    lifecycle TEXT NOT NULL,
    rfm_segment TEXT NOT NULL,
    at_risk {bool} NOT NULL,
    n BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, value_class, grade, lifecycle, rfm_segment, at_risk)
){without_rowid};
CREATE TABLE classification_pareto (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, bucket)
){without_rowid};
CREATE TABLE classification_months (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    month INTEGER NOT NULL,
    shipments BIGINT NOT NULL,
    revenue_fen BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, month)){without_rowid}
