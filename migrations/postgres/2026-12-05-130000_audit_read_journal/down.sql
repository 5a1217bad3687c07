ALTER TABLE audit_head DROP COLUMN journal_seq;
