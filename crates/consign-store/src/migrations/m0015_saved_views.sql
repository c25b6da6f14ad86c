-- Saved views and column choices of the lists (issue 18): a view is a named filter,
-- sort and set of columns, and shared views are seen by their owner's team.
CREATE TABLE saved_views (
    id {id},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_unit_id BIGINT NOT NULL,
    list TEXT NOT NULL,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    columns TEXT NOT NULL,
    shared {bool} NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views (user_id, list, name);
CREATE INDEX saved_views_team ON saved_views (org_unit_id, list);

CREATE TABLE list_columns (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    columns TEXT NOT NULL,
    PRIMARY KEY (user_id, list)
);
