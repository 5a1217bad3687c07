CREATE TABLE authorities (
    code TEXT PRIMARY KEY NOT NULL,
    dfe_code TEXT NOT NULL,
    name TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE
);

CREATE TABLE providers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    contact_email TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    urn TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES providers (id),
    name TEXT NOT NULL,
    place TEXT NOT NULL,
    host_area TEXT NOT NULL,
    postcode TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX settings_provider ON settings (provider_id);
CREATE INDEX settings_host_area ON settings (host_area);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    org_type TEXT NOT NULL,
    org TEXT NOT NULL,
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE children (
    id TEXT PRIMARY KEY NOT NULL,
    responsible_la TEXT NOT NULL REFERENCES authorities (code),
    la_child_id TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    sex TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    nhs_number TEXT,
    upn TEXT,
    home_postcode TEXT,
    category_of_need TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX children_nhs_number ON children (nhs_number);
CREATE UNIQUE INDEX children_la_child_id ON children (responsible_la, la_child_id);
CREATE INDEX children_date_of_birth ON children (date_of_birth);

CREATE TABLE placements (
    id TEXT PRIMARY KEY NOT NULL,
    child_id TEXT NOT NULL REFERENCES children (id),
    placing_la TEXT NOT NULL REFERENCES authorities (code),
    urn TEXT,
    host_area TEXT NOT NULL,
    postcode TEXT NOT NULL,
    place TEXT NOT NULL,
    place_provider TEXT,
    start_date DATE NOT NULL,
    end_date DATE,
    rec TEXT,
    reason_place_change TEXT,
    emergency BOOLEAN NOT NULL,
    distance_miles DOUBLE PRECISION,
    ended_recorded_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX placements_child ON placements (child_id, start_date);
CREATE INDEX placements_host_area ON placements (host_area, start_date);
CREATE INDEX placements_placing_la ON placements (placing_la, start_date);
CREATE INDEX placements_urn ON placements (urn, start_date);

CREATE TABLE placement_legal_statuses (
    placement_id TEXT NOT NULL REFERENCES placements (id),
    effective_from DATE NOT NULL,
    legal_status TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (placement_id, effective_from)
);

CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, key)
);
