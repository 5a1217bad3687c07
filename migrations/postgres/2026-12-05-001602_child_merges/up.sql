-- Two records found to be one child are merged: the merged record stays (nothing is lost) and
-- points to the one that survives; its placements, episodes, admissions, notifications and
-- transfers move to the survivor.
ALTER TABLE children ADD COLUMN merged_into TEXT;
CREATE INDEX children_merged_into ON children (merged_into);

-- Merges, requested by one LA and, when another LA holds the other record, confirmed by it.
CREATE TABLE child_merges (
    id TEXT PRIMARY KEY NOT NULL,
    survivor_id TEXT NOT NULL REFERENCES children (id),
    merged_id TEXT NOT NULL,
    requested_by_la TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    completed_by_la TEXT,
    completed_at TIMESTAMP
);
CREATE INDEX child_merges_merged ON child_merges (merged_id, status);
