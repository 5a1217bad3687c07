ALTER TABLE audit_pending DROP COLUMN child_ids;
