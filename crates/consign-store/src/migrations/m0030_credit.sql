-- Issue 21: credit management. A customer's credit account: its terms (monthly
-- settlement, limit, credit period, rating, hold policy) and the sums its exposure is
-- made of, kept by every write that changes them (invoices, payments, shipments by any
-- path, merges): invoices less credit notes, payments, the first day no invoice covers
-- yet and the revenue of shipments ordered from that day on. `notified` is the status
-- level (0 ok, 1 warning, 2 over) the owner was last told of, so that each crossing is
-- told once.
CREATE TABLE credit_accounts (
    customer_id BIGINT PRIMARY KEY REFERENCES customers(id),
    monthly_settlement {bool} NOT NULL DEFAULT FALSE,
    limit_fen BIGINT,
    term_days INTEGER NOT NULL DEFAULT 30,
    rating TEXT NOT NULL DEFAULT '',
    policy TEXT NOT NULL DEFAULT 'warn',
    invoiced_fen BIGINT NOT NULL DEFAULT 0,
    paid_fen BIGINT NOT NULL DEFAULT 0,
    billed_from INTEGER NOT NULL DEFAULT 0,
    uninvoiced_fen BIGINT NOT NULL DEFAULT 0,
    exposure_fen BIGINT NOT NULL DEFAULT 0,
    notified INTEGER NOT NULL DEFAULT 0,
    updated_by BIGINT,
    updated_at {ts} NOT NULL
);
CREATE INDEX credit_accounts_exposure ON credit_accounts(exposure_fen);
-- Every change of an account's terms, with who and why: set directly by a credit
-- officer (state applied), or requested by an account manager (pending) and then
-- approved or rejected with a reason.
CREATE TABLE credit_changes (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    monthly_settlement {bool} NOT NULL,
    limit_fen BIGINT,
    term_days INTEGER NOT NULL,
    rating TEXT NOT NULL,
    policy TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    requested_by BIGINT,
    decided_by BIGINT,
    decision_note TEXT NOT NULL DEFAULT '',
    created_at {ts} NOT NULL,
    decided_at {ts}
);
CREATE INDEX credit_changes_customer ON credit_changes(customer_id, id);
CREATE INDEX credit_changes_pending ON credit_changes(state, id);
-- A credit note (红字发票) lowers what a customer owes; it is kept with the invoices.
ALTER TABLE invoices ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoice';
-- A shipment of a customer over its limit under the block policy is stored on hold.
ALTER TABLE shipments ADD COLUMN on_hold {bool} NOT NULL DEFAULT FALSE;
ALTER TABLE shipments ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE shipments ADD COLUMN held_at {ts};
CREATE INDEX shipments_on_hold ON shipments(customer_id, id) WHERE on_hold;
