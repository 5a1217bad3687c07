DROP INDEX placements_host_end_start;
CREATE INDEX placements_host_end ON placements (host_area, end_date);
DROP INDEX missing_episodes_urn;
DROP INDEX missing_episodes_host;
DROP INDEX missing_episodes_placing;
ALTER TABLE missing_episodes DROP COLUMN urn;
ALTER TABLE missing_episodes DROP COLUMN host_area;
ALTER TABLE missing_episodes DROP COLUMN placing_la;
