-- Issue 20: improvement actions (PDCA). An action targets one service figure (a KPI's
-- field name or a SERVQUAL gap) of a customer, a segment or the company, with the
-- figure's value over the 90 days before it was opened (the baseline); its steps
-- through plan → do → check → act → closed are kept with who, when, a note and the
-- figure's value at that step.
CREATE TABLE improvements (
    id {id},
    title TEXT NOT NULL,
    metric TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_key TEXT,
    customer_id BIGINT REFERENCES customers(id),
    source TEXT NOT NULL,
    survey_id BIGINT REFERENCES surveys(id),
    baseline DOUBLE PRECISION,
    baseline_from INTEGER NOT NULL,
    baseline_to INTEGER NOT NULL,
    goal DOUBLE PRECISION,
    owner_id BIGINT NOT NULL REFERENCES users(id),
    plan TEXT NOT NULL,
    stage TEXT NOT NULL,
    started_on INTEGER NOT NULL,
    due_on INTEGER NOT NULL,
    check_on INTEGER NOT NULL,
    check_value DOUBLE PRECISION,
    result TEXT,
    created_by BIGINT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    closed_at {ts}
);
CREATE INDEX improvements_owner ON improvements(owner_id, stage, due_on);
CREATE INDEX improvements_customer ON improvements(customer_id);
CREATE INDEX improvements_stage ON improvements(stage, created_at);
CREATE TABLE improvement_steps (
    id {id},
    improvement_id BIGINT NOT NULL REFERENCES improvements(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION,
    user_id BIGINT,
    at {ts} NOT NULL
);
CREATE INDEX improvement_steps_of ON improvement_steps(improvement_id, at)
