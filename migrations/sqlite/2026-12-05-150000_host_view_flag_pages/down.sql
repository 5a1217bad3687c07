CREATE TABLE child_missing_state_with_rowid (
    child_id TEXT PRIMARY KEY NOT NULL REFERENCES children (id),
    missing_since TIMESTAMP,
    third_latest_start TIMESTAMP,
    interview_pending_since TIMESTAMP
);
INSERT INTO child_missing_state_with_rowid (child_id, missing_since, third_latest_start, interview_pending_since)
SELECT child_id, missing_since, third_latest_start, interview_pending_since FROM child_missing_state;
DROP TABLE child_missing_state;
ALTER TABLE child_missing_state_with_rowid RENAME TO child_missing_state;

DROP INDEX placements_host_end_start;
CREATE INDEX placements_host_end_start ON placements (host_area, end_date, start_date);
