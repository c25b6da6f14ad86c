CREATE TABLE jobs (
    id {id},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_at {ts} NOT NULL,
    locked_by TEXT,
    locked_until {ts},
    last_error TEXT,
    result TEXT,
    created_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX jobs_due ON jobs(status, run_at);
