PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE worker_leases;
DROP TABLE alerts;

DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d
    JOIN notifications n ON n.id = d.notification_id WHERE n.recipient_org_type <> 'authority');
DELETE FROM webhook_deliveries WHERE notification_id IN
    (SELECT id FROM notifications WHERE recipient_org_type <> 'authority');
DELETE FROM notifications WHERE recipient_org_type <> 'authority';
DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE e.owner_org_type <> 'authority');
DELETE FROM webhook_deliveries WHERE endpoint_id IN
    (SELECT id FROM webhook_endpoints WHERE owner_org_type <> 'authority');
DELETE FROM webhook_endpoints WHERE owner_org_type <> 'authority';

CREATE TABLE notifications_old (
    id TEXT PRIMARY KEY NOT NULL,
    type TEXT NOT NULL,
    recipient_la TEXT NOT NULL REFERENCES authorities (code),
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
    acknowledged_by TEXT
);
INSERT INTO notifications_old (id, type, recipient_la, sender_org_type, sender_org, child_id, placement_id, payload, regulation, event_date, emergency, due_by, on_time, late_by_working_days, created_at, delivered_at, acknowledged_at, acknowledged_by) SELECT id, type, recipient_la, sender_org_type, sender_org, child_id, placement_id, payload, regulation, event_date, emergency, due_by, on_time, late_by_working_days, created_at, delivered_at, acknowledged_at, acknowledged_by FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_old RENAME TO notifications;
CREATE INDEX notifications_recipient ON notifications (recipient_la, created_at);
CREATE INDEX notifications_sender ON notifications (sender_org, created_at);
CREATE INDEX notifications_placement ON notifications (placement_id);
CREATE INDEX notifications_sender_event ON notifications (sender_org, event_date);
CREATE INDEX notifications_recipient_event ON notifications (recipient_la, event_date);

CREATE TABLE webhook_endpoints_old (
    id TEXT PRIMARY KEY NOT NULL,
    authority TEXT NOT NULL REFERENCES authorities (code),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
INSERT INTO webhook_endpoints_old (id, authority, url, event_types, secret, created_at, disabled_at) SELECT id, authority, url, event_types, secret, created_at, disabled_at FROM webhook_endpoints;
DROP TABLE webhook_endpoints;
ALTER TABLE webhook_endpoints_old RENAME TO webhook_endpoints;
CREATE INDEX webhook_endpoints_authority ON webhook_endpoints (authority);
COMMIT;
PRAGMA foreign_keys = ON;
