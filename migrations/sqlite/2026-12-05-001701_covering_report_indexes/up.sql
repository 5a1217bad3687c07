-- A report counts an LA's notifications and episodes in a period with filters on a few columns.
-- With those columns in the index (after the key: SQLite has no INCLUDE), a count reads a range
-- of the index alone instead of one table row lookup per row.
DROP INDEX notifications_sender_event;
DROP INDEX notifications_recipient_event;
CREATE INDEX notifications_sender_event ON notifications
    (sender_org, event_date, "type", sender_org_type, on_time, acknowledged_at, created_at);
CREATE INDEX notifications_recipient_event ON notifications
    (recipient_la, event_date, "type", on_time, acknowledged_at, created_at);
DROP INDEX missing_episodes_placing;
DROP INDEX missing_episodes_host;
DROP INDEX missing_episodes_urn;
CREATE INDEX missing_episodes_placing ON missing_episodes
    (placing_la, started_at, child_id, kind, ended_at, ri_outcome, ri_completed_at, safe_and_well_at, source);
CREATE INDEX missing_episodes_host ON missing_episodes
    (host_area, started_at, child_id, kind, ended_at, ri_outcome, ri_completed_at, safe_and_well_at, source);
CREATE INDEX missing_episodes_urn ON missing_episodes
    (urn, started_at, child_id, kind, ended_at, ri_outcome, ri_completed_at, safe_and_well_at, source);
