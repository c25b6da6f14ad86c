CREATE INDEX customers_list_region ON customers(province, kind, archived_at, updated_at);
CREATE INDEX customers_list_kind ON customers(kind, archived_at, updated_at);
CREATE INDEX customers_list_status ON customers(status, archived_at, updated_at);
CREATE INDEX customers_list_industry ON customers(industry, archived_at, updated_at);
CREATE INDEX customers_list_owner ON customers(owner_id, archived_at, updated_at);
CREATE INDEX customers_list_live ON customers(archived_at, updated_at);
DROP INDEX customers_kind;
DROP INDEX customers_industry;
DROP INDEX customers_updated;
DROP INDEX customers_owner
