DROP TABLE audit_checkpoints;
ALTER TABLE audit_head DROP COLUMN keyed_from;
