-- Notifications and webhook endpoints of providers as well as LAs: the recipient (owner) is an
-- LA or a provider, so it no longer refers to authorities alone.
ALTER TABLE notifications DROP CONSTRAINT notifications_recipient_la_fkey;
ALTER TABLE notifications ADD COLUMN recipient_org_type TEXT NOT NULL DEFAULT 'authority';
CREATE INDEX notifications_recipient_org ON notifications (recipient_org_type, recipient_la, created_at);
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_authority_fkey;
ALTER TABLE webhook_endpoints ADD COLUMN owner_org_type TEXT NOT NULL DEFAULT 'authority';

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
