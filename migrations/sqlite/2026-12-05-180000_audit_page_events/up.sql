-- A read of a page of children (the host view, its CSV) is chained as one event listing them
-- (`child_ids`, space-separated, in the order shown; the event's hash covers the list), instead
-- of one event per child: a page of 50 was 50 rows of about 300 bytes, 100 index entries and 50
-- hashes. A child's access log finds its events through `audit_event_children`, one narrow row
-- per child of every event (of one child or of a page), which `audit verify` checks against the
-- events themselves. It replaces the index on `audit_events (child_id, seq)`.
ALTER TABLE audit_events ADD COLUMN child_ids TEXT;
CREATE TABLE audit_event_children (
    child_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (child_id, seq)
) WITHOUT ROWID;
INSERT INTO audit_event_children (child_id, seq)
SELECT child_id, seq FROM audit_events WHERE child_id IS NOT NULL ORDER BY child_id, seq;
DROP INDEX audit_events_child;
