-- Issue 22: outgoing webhooks and group bots. An endpoint is an integration's receiver
-- (kind 'webhook', signed with its secret) or a team's WeCom/DingTalk robot (kind
-- 'wecom'/'dingtalk', posting to the team of `unit_id` and below). The secret is kept
-- encrypted with the personal-data key.
CREATE TABLE webhooks (
    id {id},
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    secret_enc TEXT,
    events TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units(id),
    lang TEXT NOT NULL DEFAULT 'zh-CN',
    active {bool} NOT NULL,
    created_by BIGINT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);

-- The persisted queue and the delivery log: one row per event and endpoint, written in
-- the transaction of the change it tells of. A delivery waits while an earlier one of the
-- same endpoint and order key (the customer) is still pending, so a receiver hears of one
-- customer's changes in order.
CREATE TABLE webhook_deliveries (
    id {id},
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    order_key TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at {ts} NOT NULL,
    give_up_at {ts} NOT NULL,
    locked_until {ts},
    last_status INTEGER,
    last_latency_ms INTEGER,
    last_error TEXT,
    last_response TEXT,
    created_at {ts} NOT NULL,
    delivered_at {ts}
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries(webhook_id, order_key, state, id);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries(webhook_id, id);

CREATE TABLE webhook_attempts (
    id {id},
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id),
    at {ts} NOT NULL,
    status INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT,
    response TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
