-- Issue 22: the customer portal. A portal account is a user with role 'portal_user' tied to one
-- customer (and the contact it was invited as); it sees that customer's data only. An
-- invitation is a one-time link (its token stored hashed) that sets the password.
ALTER TABLE users ADD COLUMN portal_customer_id BIGINT REFERENCES customers(id);
ALTER TABLE users ADD COLUMN portal_contact_id BIGINT;
CREATE INDEX users_portal_contact ON users(portal_contact_id);

CREATE TABLE portal_invites (
    id {id},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_by BIGINT,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts}
);
CREATE INDEX portal_invites_user ON portal_invites(user_id);
