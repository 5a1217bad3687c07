-- Each episode carries the placing LA, host area and setting of the placement it started in,
-- copied from that placement and kept in step with it, so that reports for an LA or a provider
-- read a range of an index instead of joining every placement the LA ever made.
ALTER TABLE missing_episodes ADD COLUMN placing_la TEXT;
ALTER TABLE missing_episodes ADD COLUMN host_area TEXT;
ALTER TABLE missing_episodes ADD COLUMN urn TEXT;
UPDATE missing_episodes SET placing_la = p.placing_la, host_area = p.host_area, urn = p.urn
  FROM placements p WHERE p.id = missing_episodes.placement_id;
CREATE INDEX missing_episodes_placing ON missing_episodes (placing_la, started_at);
CREATE INDEX missing_episodes_host ON missing_episodes (host_area, started_at);
CREATE INDEX missing_episodes_urn ON missing_episodes (urn, started_at);
-- The host view's open placements of an area in start order: a page of the newest is read
-- from the index without sorting every child placed there.
DROP INDEX placements_host_end;
CREATE INDEX placements_host_end_start ON placements (host_area, end_date, start_date);
