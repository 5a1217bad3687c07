-- Indexes for reports and the host view at national scale (10 years, ~1M placements and episodes).
CREATE INDEX notifications_sender_event ON notifications (sender_org, event_date) WHERE event_date IS NOT NULL;
CREATE INDEX notifications_recipient_event ON notifications (recipient_la, event_date) WHERE event_date IS NOT NULL;
CREATE INDEX admissions_placing ON admissions (placing_la, event_date);
CREATE INDEX admissions_host ON admissions (host_area, event_date);
CREATE INDEX placements_placing_id ON placements (placing_la, id);
CREATE INDEX placements_host_id ON placements (host_area, id);
CREATE INDEX placements_urn_id ON placements (urn, id);
CREATE INDEX placements_host_end ON placements (host_area, end_date);
CREATE INDEX missing_episodes_started ON missing_episodes (started_at)
    INCLUDE (placement_id, child_id, kind, ended_at, ri_outcome, ri_completed_at, safe_and_well_at, source);
