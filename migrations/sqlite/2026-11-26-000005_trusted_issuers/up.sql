-- External token issuers (an LA's identity provider) the registry trusts, by their public keys.
CREATE TABLE trusted_issuers (
    id TEXT PRIMARY KEY NOT NULL,
    issuer TEXT NOT NULL UNIQUE,
    audience TEXT NOT NULL,
    algorithms TEXT NOT NULL,
    jwks TEXT,
    jwks_url TEXT,
    org_type TEXT NOT NULL,
    org_claim TEXT NOT NULL,
    scope_claim TEXT NOT NULL,
    orgs TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
