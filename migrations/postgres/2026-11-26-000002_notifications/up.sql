-- Notifications: an immutable outbox of messages to one LA, written in the same transaction as
-- the change that caused them. Only delivered_at and the acknowledgement are filled in later.
CREATE TABLE notifications (
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
CREATE INDEX notifications_recipient ON notifications (recipient_la, created_at);
CREATE INDEX notifications_sender ON notifications (sender_org, created_at);
CREATE INDEX notifications_placement ON notifications (placement_id);

-- Admissions and discharges recorded by homes (reg 41), matched to placements.
CREATE TABLE admissions (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    urn TEXT NOT NULL REFERENCES settings (urn),
    provider_id TEXT NOT NULL,
    host_area TEXT NOT NULL,
    event_date DATE NOT NULL,
    child_id TEXT REFERENCES children (id),
    given_name TEXT,
    family_name TEXT,
    date_of_birth DATE,
    placing_la TEXT,
    placement_id TEXT REFERENCES placements (id),
    status TEXT NOT NULL,
    resolved_at TIMESTAMP,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX admissions_urn ON admissions (urn, event_date);
CREATE INDEX admissions_status ON admissions (status, urn);

-- Webhook endpoints of LA systems, deliveries of notifications to them, and every attempt.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    authority TEXT NOT NULL REFERENCES authorities (code),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
CREATE INDEX webhook_endpoints_authority ON webhook_endpoints (authority);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    delivered_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (notification_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at TIMESTAMP NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);
