-- On SQLite, reads wait to be chained in a journal file of their own beside the database (see
-- `audit::journal`), so that recording them does not make every reader of the database drop its
-- page cache. This is how far the chain has taken that journal: its rows up to this sequence
-- number are in the chain (they are deleted in the same transaction, and skipped if that
-- deletion was lost). PostgreSQL keeps reads in `audit_pending` and leaves it at 0.
ALTER TABLE audit_head ADD COLUMN journal_seq BIGINT NOT NULL DEFAULT 0;
