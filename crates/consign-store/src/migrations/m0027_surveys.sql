-- Issue 20: satisfaction surveys. A survey asks one contact about one delivered shipment,
-- one closed ticket, or the service in general; its link is signed with a key outside the
-- database, so nothing here lets anyone answer it. An answer fills the scores once.
CREATE TABLE surveys (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    contact_id BIGINT REFERENCES contacts(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    day INTEGER NOT NULL,
    shipment_id BIGINT,
    ticket_id BIGINT REFERENCES tickets(id),
    subject TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    emailed_at {ts},
    answered_at {ts},
    answer_day INTEGER,
    lang TEXT,
    csat SMALLINT,
    nps SMALLINT,
    p_timeliness SMALLINT,
    e_timeliness SMALLINT,
    p_cargo_safety SMALLINT,
    e_cargo_safety SMALLINT,
    p_accuracy SMALLINT,
    e_accuracy SMALLINT,
    p_attitude SMALLINT,
    e_attitude SMALLINT,
    p_price SMALLINT,
    e_price SMALLINT,
    comment TEXT,
    task_id BIGINT
);
CREATE UNIQUE INDEX surveys_shipment ON surveys(shipment_id) WHERE shipment_id IS NOT NULL;
CREATE UNIQUE INDEX surveys_ticket ON surveys(ticket_id) WHERE ticket_id IS NOT NULL;
CREATE INDEX surveys_contact ON surveys(contact_id, created_at);
CREATE INDEX surveys_customer ON surveys(customer_id, created_at);
CREATE INDEX surveys_day ON surveys(day, customer_id);
CREATE INDEX surveys_answered ON surveys(answer_day, customer_id) WHERE answer_day IS NOT NULL;
CREATE INDEX surveys_customer_answered ON surveys(customer_id, answer_day) WHERE answer_day IS NOT NULL;
CREATE INDEX surveys_unsent ON surveys(created_at) WHERE channel = 'email' AND emailed_at IS NULL AND answered_at IS NULL
