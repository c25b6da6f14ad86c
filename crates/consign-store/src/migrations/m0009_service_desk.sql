CREATE TABLE tickets (
    id {id},
    number TEXT {bin} NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    contact_id BIGINT REFERENCES contacts(id),
    assignee_id BIGINT REFERENCES users(id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    value_class TEXT,
    grade TEXT,
    claimed_fen BIGINT,
    settled_fen BIGINT,
    responsible_party TEXT,
    root_cause TEXT,
    resolution TEXT,
    first_response_due {ts} NOT NULL,
    resolution_due {ts} NOT NULL,
    first_response_at {ts},
    resolved_at {ts},
    closed_at {ts},
    response_escalated_at {ts},
    resolution_escalated_at {ts},
    reopened INTEGER NOT NULL DEFAULT 0,
    response_minutes BIGINT,
    resolution_minutes BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX tickets_created ON tickets(created_at);
CREATE INDEX tickets_status ON tickets(status, created_at);
CREATE INDEX tickets_customer ON tickets(customer_id, created_at);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, created_at);
CREATE INDEX tickets_response_due ON tickets(first_response_due) WHERE first_response_at IS NULL;
CREATE INDEX tickets_resolution_due ON tickets(resolution_due) WHERE resolved_at IS NULL AND closed_at IS NULL;

CREATE TABLE ticket_shipments (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    waybill_no TEXT {bin} NOT NULL,
    shipment_id BIGINT,
    PRIMARY KEY (ticket_id, waybill_no)
){without_rowid};
CREATE INDEX ticket_shipments_shipment ON ticket_shipments(shipment_id);
CREATE INDEX ticket_shipments_waybill ON ticket_shipments(waybill_no);

CREATE TABLE ticket_events (
    id {id},
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

CREATE TABLE ticket_attachments (
    id {id},
    ticket_id BIGINT NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data {blob} NOT NULL,
    uploaded_by BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments(ticket_id);

CREATE TABLE notifications (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id) ON DELETE CASCADE,
    customer_id BIGINT,
    args TEXT NOT NULL DEFAULT '[]',
    created_at {ts} NOT NULL,
    read_at {ts},
    emailed_at {ts}
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unsent ON notifications(id) WHERE emailed_at IS NULL;

CREATE TABLE interactions (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    contact_id BIGINT REFERENCES contacts(id),
    user_id BIGINT REFERENCES users(id),
    kind TEXT NOT NULL,
    at {ts} NOT NULL,
    summary TEXT NOT NULL,
    next_step TEXT,
    ticket_id BIGINT REFERENCES tickets(id),
    task_id BIGINT,
    created_at {ts} NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, at);
CREATE INDEX interactions_user ON interactions(user_id, at);

CREATE TABLE tasks (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    assignee_id BIGINT REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    due_on INTEGER NOT NULL,
    status TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets(id),
    interaction_id BIGINT,
    created_by BIGINT,
    done_at {ts},
    reminded_at {ts},
    created_at {ts} NOT NULL
);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status, due_on);
CREATE INDEX tasks_customer ON tasks(customer_id, status, kind)
