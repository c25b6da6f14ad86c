-- Generated audit summaries as a message key with values, rendered in the reader's
-- language (issue 18). Rows written before keep their text in `summary`; the Rust step
-- of this migration (`m0019.rs`) gives them the key that made it.
ALTER TABLE audit_log ADD COLUMN summary_key TEXT;
ALTER TABLE audit_log ADD COLUMN summary_args TEXT;
UPDATE audit_log SET summary_key = 'audit.summary.reveal_contact_export', summary_args = '[]'
 WHERE action = 'pii.reveal' AND summary = 'phone,email (export)';
UPDATE audit_log SET summary_key = 'audit.summary.reveal_contact', summary_args = '[]'
 WHERE action = 'pii.reveal' AND summary = 'phone,email';
UPDATE audit_log SET summary_key = 'audit.summary.reveal_id_number', summary_args = '[]'
 WHERE action = 'pii.reveal' AND summary = 'id_number';
