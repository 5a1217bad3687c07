-- Read events, written in the same database call as the read they record (so none is lost when
-- the process dies), then appended to the hash chain in order by the chainer and deleted here.
CREATE TABLE audit_pending (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    subject TEXT NOT NULL,
    org_type TEXT NOT NULL,
    org TEXT NOT NULL,
    action TEXT NOT NULL,
    child_id TEXT,
    request_id TEXT
);
