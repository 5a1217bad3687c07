DROP INDEX placements_host_end_start;
CREATE INDEX placements_host_end_start ON placements (host_area, end_date, start_date DESC, id, child_id);
ALTER TABLE placements DROP COLUMN child_missing_since;
ALTER TABLE placements DROP COLUMN child_third_latest_start;
ALTER TABLE placements DROP COLUMN child_interview_pending_since;
