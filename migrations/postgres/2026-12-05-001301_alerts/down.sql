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
DROP INDEX notifications_recipient_org;
ALTER TABLE webhook_endpoints DROP COLUMN owner_org_type;
ALTER TABLE notifications DROP COLUMN recipient_org_type;
ALTER TABLE notifications ADD CONSTRAINT notifications_recipient_la_fkey
    FOREIGN KEY (recipient_la) REFERENCES authorities (code);
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_authority_fkey
    FOREIGN KEY (authority) REFERENCES authorities (code);
