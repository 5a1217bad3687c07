-- Federation: the peer directory, the outbox of events for other nodes (one stream per
-- destination, each event numbered in the transaction of the change that caused it), the
-- receipts peers sign for them, what this node applied from each peer (once, in order), the
-- nonces of signatures seen, and which children and placements are projections of another
-- node's records.

-- Other registry nodes, with the keys their messages are verified with (JSON list of JWKs with
-- validity) and the LAs they home.
CREATE TABLE federation_peers (
    node_id TEXT PRIMARY KEY NOT NULL,
    base_url TEXT NOT NULL,
    keys TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Every LA is homed on exactly one node: those listed here on that peer, all others on this node.
CREATE TABLE federation_homes (
    authority TEXT PRIMARY KEY NOT NULL REFERENCES authorities (code),
    node_id TEXT NOT NULL REFERENCES federation_peers (node_id) ON DELETE CASCADE
);
CREATE INDEX federation_homes_node ON federation_homes (node_id);

-- One stream per destination: the last sequence number given, the last the receiver has
-- processed (from its receipts), and the delivery state (lease, backoff, last error).
CREATE TABLE federation_streams (
    dest_node TEXT PRIMARY KEY NOT NULL,
    last_seq BIGINT NOT NULL,
    acked_seq BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_attempt_at TIMESTAMP,
    last_error TEXT,
    last_receipt_id TEXT,
    last_receipt_at TIMESTAMP
);

-- Events for other nodes: immutable but for their outcome.
CREATE TABLE federation_outbox (
    event_id TEXT PRIMARY KEY NOT NULL,
    dest_node TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    child_id TEXT,
    sender_la TEXT,
    notification_id TEXT,
    body TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    receipt_id TEXT,
    processed_at TIMESTAMP,
    escalated_at TIMESTAMP,
    undeliverable_at TIMESTAMP
);
CREATE UNIQUE INDEX federation_outbox_stream ON federation_outbox (dest_node, seq);
CREATE INDEX federation_outbox_child ON federation_outbox (dest_node, child_id, seq);
CREATE INDEX federation_outbox_pending ON federation_outbox (status, occurred_at);
CREATE INDEX federation_outbox_notification ON federation_outbox (notification_id);

-- Receipts peers signed for the events they processed: the sender's proof.
CREATE TABLE federation_receipts (
    id TEXT PRIMARY KEY NOT NULL,
    peer_node TEXT NOT NULL,
    kid TEXT NOT NULL,
    jws TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL
);

-- Events this node processed from each peer, once each, in stream order.
CREATE TABLE federation_inbox (
    origin_node TEXT NOT NULL,
    event_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    processed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (origin_node, event_id)
);
CREATE UNIQUE INDEX federation_inbox_seq ON federation_inbox (origin_node, seq);

-- Nonces of the signatures this node accepted, until the signature would have expired anyway.
CREATE TABLE federation_nonces (
    node_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (node_id, nonce)
);
CREATE INDEX federation_nonces_expiry ON federation_nonces (expires_at);

-- Notifications that crossed nodes: to a peer (with when it got there and its receipt), or
-- from one (to send the acknowledgement back).
CREATE TABLE notification_relays (
    notification_id TEXT PRIMARY KEY NOT NULL,
    direction TEXT NOT NULL,
    peer_node TEXT NOT NULL,
    received_at TIMESTAMP,
    receipt_id TEXT
);

-- A child or placement held by another node (the placing LA's), projected here for the host LA:
-- that node's id. NULL: this node's own record. Columns a host LA may not see are not sent: a
-- projection's la_child_id is its id and its ethnicity empty.
ALTER TABLE children ADD COLUMN origin_node TEXT;
ALTER TABLE placements ADD COLUMN origin_node TEXT;
