DROP INDEX placements_open_host;
CREATE INDEX placements_open_host ON placements (host_area, start_date DESC, id) WHERE end_date IS NULL;
ALTER TABLE placements
    DROP COLUMN child_missing_since,
    DROP COLUMN child_third_latest_start,
    DROP COLUMN child_interview_pending_since;
