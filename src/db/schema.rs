// One portable schema for both backends: ids as UUID text, naive-UTC timestamps.

diesel::table! {
    authorities (code) {
        code -> Text,
        dfe_code -> Text,
        name -> Text,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
    }
}

diesel::table! {
    providers (id) {
        id -> Text,
        name -> Text,
        contact_email -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    settings (urn) {
        urn -> Text,
        provider_id -> Text,
        name -> Text,
        place -> Text,
        host_area -> Text,
        postcode -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        name -> Text,
        org_type -> Text,
        org -> Text,
        scopes -> Text,
        secret_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        private_key -> Text,
        public_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    children (id) {
        id -> Text,
        responsible_la -> Text,
        la_child_id -> Text,
        given_name -> Text,
        family_name -> Text,
        date_of_birth -> Date,
        sex -> Text,
        ethnicity -> Text,
        nhs_number -> Nullable<Text>,
        upn -> Nullable<Text>,
        home_postcode -> Nullable<Text>,
        category_of_need -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    placements (id) {
        id -> Text,
        child_id -> Text,
        placing_la -> Text,
        urn -> Nullable<Text>,
        host_area -> Text,
        postcode -> Text,
        place -> Text,
        place_provider -> Nullable<Text>,
        start_date -> Date,
        end_date -> Nullable<Date>,
        rec -> Nullable<Text>,
        reason_place_change -> Nullable<Text>,
        emergency -> Bool,
        distance_miles -> Nullable<Double>,
        ended_recorded_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    placement_legal_statuses (placement_id, effective_from) {
        placement_id -> Text,
        effective_from -> Date,
        legal_status -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (owner, key) {
        owner -> Text,
        key -> Text,
        fingerprint -> Text,
        status -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(settings -> providers (provider_id));
diesel::joinable!(children -> authorities (responsible_la));
diesel::joinable!(placements -> children (child_id));
diesel::joinable!(placement_legal_statuses -> placements (placement_id));

diesel::allow_tables_to_appear_in_same_query!(
    authorities,
    providers,
    settings,
    api_clients,
    signing_keys,
    children,
    placements,
    placement_legal_statuses,
    idempotency_keys,
);
