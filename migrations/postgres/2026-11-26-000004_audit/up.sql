-- Append-only, hash-chained audit of every read and write of a child's data. The head row holds
-- the last sequence number and hash; taking its row lock serialises appends.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    org_type TEXT NOT NULL,
    org TEXT NOT NULL,
    action TEXT NOT NULL,
    child_id TEXT,
    request_id TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_child ON audit_events (child_id, seq);
