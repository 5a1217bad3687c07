DROP INDEX missing_episodes_urn;
DROP INDEX missing_episodes_host;
DROP INDEX missing_episodes_placing;
ALTER TABLE missing_episodes DROP COLUMN urn;
ALTER TABLE missing_episodes DROP COLUMN host_area;
ALTER TABLE missing_episodes DROP COLUMN placing_la;
