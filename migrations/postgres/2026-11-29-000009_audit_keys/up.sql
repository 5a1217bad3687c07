-- The chain is keyed (HMAC-SHA256 with a key outside the database) from `keyed_from` on; events
-- before it were chained with plain SHA-256 by earlier versions.
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from = seq + 1;

-- Signed checkpoints of the chain's head (a compact JWS by the node key), to export and to
-- exchange with peers: a rewritten, truncated or rewound log no longer matches them.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY NOT NULL,
    hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    jws TEXT NOT NULL
);
