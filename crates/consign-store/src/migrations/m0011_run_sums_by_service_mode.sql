DROP TABLE classification_groups;
DROP TABLE classification_pareto;
DROP TABLE classification_months;
ALTER TABLE classification_runs ADD COLUMN sums INTEGER NOT NULL DEFAULT 0;
CREATE TABLE classification_groups (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    service_modes TEXT NOT NULL,
    value_class TEXT NOT NULL,
    grade TEXT NOT NULL,
    lifecycle TEXT NOT NULL,
    rfm_segment TEXT NOT NULL,
    at_risk {bool} NOT NULL,
    n BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, service_modes, value_class, grade, lifecycle, rfm_segment, at_risk)
){without_rowid};
CREATE TABLE classification_pareto (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    service_modes TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, service_modes, bucket)
){without_rowid};
CREATE TABLE classification_months (
    run_id BIGINT NOT NULL REFERENCES classification_runs(id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    service_modes TEXT NOT NULL,
    month INTEGER NOT NULL,
    shipments BIGINT NOT NULL,
    revenue_fen BIGINT NOT NULL,
    profit_fen BIGINT NOT NULL,
    PRIMARY KEY (run_id, owner_id, service_modes, month)
){without_rowid}
