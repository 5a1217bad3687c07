-- Quarterly missing-episode returns of a setting, versioned.
CREATE TABLE quarterly_returns (
    id TEXT PRIMARY KEY NOT NULL,
    urn TEXT NOT NULL REFERENCES settings (urn),
    period TEXT NOT NULL,
    version BIGINT NOT NULL,
    nil BOOLEAN NOT NULL,
    row_count BIGINT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    reason TEXT,
    status TEXT NOT NULL,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    review_comment TEXT,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (urn, period, version)
);

-- Missing-from-care episodes (M missing, A away without authorisation), reported as they happen,
-- from an LA record, or first in a quarterly return.
CREATE TABLE missing_episodes (
    id TEXT PRIMARY KEY NOT NULL,
    child_id TEXT NOT NULL REFERENCES children (id),
    placement_id TEXT NOT NULL REFERENCES placements (id),
    kind TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    reported_to_police_at TIMESTAMP,
    police_reference TEXT,
    risk_indicators TEXT NOT NULL,
    found_where TEXT,
    safe_and_well_at TIMESTAMP,
    safe_and_well_by TEXT,
    ri_offered_at TIMESTAMP,
    ri_offered_by TEXT,
    ri_independent BOOLEAN,
    ri_outcome TEXT,
    ri_not_offered_reason TEXT,
    ri_completed_at TIMESTAMP,
    source TEXT NOT NULL,
    return_id TEXT REFERENCES quarterly_returns (id),
    recorded_by_org_type TEXT NOT NULL,
    recorded_by_org TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX missing_episodes_child ON missing_episodes (child_id, started_at);
CREATE INDEX missing_episodes_placement ON missing_episodes (placement_id, started_at);
CREATE INDEX missing_episodes_open ON missing_episodes (ended_at);
