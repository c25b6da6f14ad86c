CREATE TABLE org_units (
    id {id},
    parent_id BIGINT REFERENCES org_units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX org_units_path ON org_units(path);

CREATE TABLE users (
    id {id},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    disabled {bool} NOT NULL DEFAULT FALSE,
    lang TEXT,
    last_login_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX users_org_unit ON users(org_unit_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at {ts} NOT NULL,
    last_used_at {ts},
    revoked_at {ts}
);

CREATE TABLE login_attempts (
    id {id},
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at {ts} NOT NULL,
    success {bool} NOT NULL
);
CREATE INDEX login_attempts_user_at ON login_attempts(username, at);
CREATE INDEX login_attempts_ip_at ON login_attempts(ip, at);

CREATE TABLE customers (
    id {id},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT,
    name_norm TEXT NOT NULL,
    kind TEXT NOT NULL,
    gov_level TEXT,
    industry TEXT,
    province TEXT,
    city TEXT,
    address TEXT,
    goods_types TEXT,
    service_modes TEXT NOT NULL DEFAULT '',
    data_source TEXT NOT NULL,
    owner_id BIGINT REFERENCES users(id),
    status TEXT NOT NULL,
    uscc TEXT,
    id_number_enc TEXT,
    notes TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',
    archived_at {ts},
    merged_into_id BIGINT REFERENCES customers(id),
    pool_since {ts},
    last_interaction_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX customers_owner ON customers(owner_id, updated_at);
CREATE INDEX customers_updated ON customers(updated_at);
CREATE INDEX customers_name_norm ON customers(name_norm);
CREATE INDEX customers_uscc ON customers(uscc);
CREATE INDEX customers_province ON customers(province, city);
CREATE INDEX customers_kind ON customers(kind);
CREATE INDEX customers_industry ON customers(industry);

CREATE TABLE contacts (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    name TEXT NOT NULL,
    title TEXT,
    phone_enc TEXT,
    phone_hash TEXT,
    email_enc TEXT,
    wechat TEXT,
    is_primary {bool} NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX contacts_phone_hash ON contacts(phone_hash);

CREATE TABLE customer_tags (
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags(tag, customer_id);

CREATE TABLE search_keys (
    key TEXT {bin} NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (key, customer_id)
);
CREATE INDEX search_keys_customer ON search_keys(customer_id);

CREATE TABLE audit_log (
    id {id},
    at {ts} NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    customer_id BIGINT,
    summary TEXT,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_customer ON audit_log(customer_id, at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at {ts} NOT NULL,
    updated_by BIGINT
)
