-- Notifications and webhook endpoints of providers as well as LAs: the recipient (owner) is an
-- LA or a provider, so it no longer refers to authorities alone. SQLite drops a foreign key only
-- by rebuilding the table.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE notifications_new (
    id TEXT PRIMARY KEY NOT NULL,
    type TEXT NOT NULL,
    recipient_la TEXT NOT NULL,
    sender_org_type TEXT NOT NULL,
    sender_org TEXT NOT NULL,
    child_id TEXT,
    placement_id TEXT,
    payload TEXT NOT NULL,
    regulation TEXT,
    event_date DATE,
    emergency BOOLEAN NOT NULL,
    due_by DATE,
    on_time BOOLEAN,
    late_by_working_days BIGINT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    acknowledged_at TIMESTAMP,
    acknowledged_by TEXT,
    recipient_org_type TEXT NOT NULL DEFAULT 'authority'
);
INSERT INTO notifications_new (id, type, recipient_la, sender_org_type, sender_org, child_id, placement_id, payload, regulation, event_date, emergency, due_by, on_time, late_by_working_days, created_at, delivered_at, acknowledged_at, acknowledged_by) SELECT id, type, recipient_la, sender_org_type, sender_org, child_id, placement_id, payload, regulation, event_date, emergency, due_by, on_time, late_by_working_days, created_at, delivered_at, acknowledged_at, acknowledged_by FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_recipient ON notifications (recipient_la, created_at);
CREATE INDEX notifications_sender ON notifications (sender_org, created_at);
CREATE INDEX notifications_placement ON notifications (placement_id);
CREATE INDEX notifications_sender_event ON notifications (sender_org, event_date);
CREATE INDEX notifications_recipient_event ON notifications (recipient_la, event_date);
CREATE INDEX notifications_recipient_org ON notifications (recipient_org_type, recipient_la, created_at);

CREATE TABLE webhook_endpoints_new (
    id TEXT PRIMARY KEY NOT NULL,
    authority TEXT NOT NULL,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP,
    owner_org_type TEXT NOT NULL DEFAULT 'authority'
);
INSERT INTO webhook_endpoints_new (id, authority, url, event_types, secret, created_at, disabled_at) SELECT id, authority, url, event_types, secret, created_at, disabled_at FROM webhook_endpoints;
DROP TABLE webhook_endpoints;
ALTER TABLE webhook_endpoints_new RENAME TO webhook_endpoints;
CREATE INDEX webhook_endpoints_authority ON webhook_endpoints (authority);

-- One alert per clock per record: the key names the clock and the record.
CREATE TABLE alerts (
    key TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX alerts_subject ON alerts (subject, kind);

-- Leases of background jobs that one process at a time runs.
CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT,
    until TIMESTAMP
);
INSERT INTO worker_leases (name, holder, until) VALUES ('alerts', NULL, NULL);

COMMIT;
PRAGMA foreign_keys = ON;
