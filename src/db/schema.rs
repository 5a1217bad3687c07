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
        origin_node -> Nullable<Text>,
        mother -> Nullable<Bool>,
        mother_child_dob -> Nullable<Date>,
        merged_into -> Nullable<Text>,
        uasc -> Bool,
        uasc_ceased -> Nullable<Date>,
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
        origin_node -> Nullable<Text>,
        child_missing_since -> Nullable<Timestamp>,
        child_third_latest_start -> Nullable<Timestamp>,
        child_interview_pending_since -> Nullable<Timestamp>,
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

diesel::table! {
    notifications (id) {
        id -> Text,
        #[sql_name = "type"]
        kind -> Text,
        recipient_la -> Text,
        sender_org_type -> Text,
        sender_org -> Text,
        child_id -> Nullable<Text>,
        placement_id -> Nullable<Text>,
        payload -> Text,
        regulation -> Nullable<Text>,
        event_date -> Nullable<Date>,
        emergency -> Bool,
        due_by -> Nullable<Date>,
        on_time -> Nullable<Bool>,
        late_by_working_days -> Nullable<BigInt>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        recipient_org_type -> Text,
    }
}

diesel::table! {
    admissions (id) {
        id -> Text,
        kind -> Text,
        urn -> Text,
        provider_id -> Text,
        host_area -> Text,
        event_date -> Date,
        child_id -> Nullable<Text>,
        given_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        placing_la -> Nullable<Text>,
        placement_id -> Nullable<Text>,
        status -> Text,
        resolved_at -> Nullable<Timestamp>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        authority -> Text,
        url -> Text,
        event_types -> Text,
        secret -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
        owner_org_type -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        notification_id -> Text,
        endpoint_id -> Text,
        status -> Text,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<BigInt>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(webhook_deliveries -> notifications (notification_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    quarterly_returns (id) {
        id -> Text,
        urn -> Text,
        period -> Text,
        version -> BigInt,
        nil -> Bool,
        row_count -> BigInt,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        reason -> Nullable<Text>,
        status -> Text,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        review_comment -> Nullable<Text>,
        summary -> Text,
        content -> Text,
    }
}

diesel::table! {
    missing_episodes (id) {
        id -> Text,
        child_id -> Text,
        placement_id -> Text,
        kind -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        reported_to_police_at -> Nullable<Timestamp>,
        police_reference -> Nullable<Text>,
        risk_indicators -> Text,
        found_where -> Nullable<Text>,
        safe_and_well_at -> Nullable<Timestamp>,
        safe_and_well_by -> Nullable<Text>,
        ri_offered_at -> Nullable<Timestamp>,
        ri_offered_by -> Nullable<Text>,
        ri_independent -> Nullable<Bool>,
        ri_outcome -> Nullable<Text>,
        ri_not_offered_reason -> Nullable<Text>,
        ri_completed_at -> Nullable<Timestamp>,
        source -> Text,
        return_id -> Nullable<Text>,
        recorded_by_org_type -> Text,
        recorded_by_org -> Text,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        placing_la -> Nullable<Text>,
        host_area -> Nullable<Text>,
        urn -> Nullable<Text>,
    }
}

diesel::joinable!(missing_episodes -> children (child_id));

diesel::table! {
    child_missing_state (child_id) {
        child_id -> Text,
        missing_since -> Nullable<Timestamp>,
        third_latest_start -> Nullable<Timestamp>,
        interview_pending_since -> Nullable<Timestamp>,
    }
}

diesel::joinable!(child_missing_state -> children (child_id));
diesel::joinable!(missing_episodes -> placements (placement_id));

diesel::table! {
    audit_head (id) {
        id -> BigInt,
        seq -> BigInt,
        hash -> Text,
        keyed_from -> BigInt,
        journal_seq -> BigInt,
    }
}

diesel::table! {
    audit_checkpoints (seq) {
        seq -> BigInt,
        hash -> Text,
        at -> Timestamp,
        jws -> Text,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> Timestamp,
        subject -> Text,
        org_type -> Text,
        org -> Text,
        action -> Text,
        child_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
        child_ids -> Nullable<Text>,
    }
}

diesel::table! {
    audit_event_children (child_id, seq) {
        child_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    trusted_issuers (id) {
        id -> Text,
        issuer -> Text,
        audience -> Text,
        algorithms -> Text,
        jwks -> Nullable<Text>,
        jwks_url -> Nullable<Text>,
        org_type -> Text,
        org_claim -> Text,
        scope_claim -> Text,
        orgs -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(settings -> providers (provider_id));
diesel::joinable!(children -> authorities (responsible_la));
diesel::joinable!(placements -> children (child_id));
diesel::joinable!(placement_legal_statuses -> placements (placement_id));

diesel::table! {
    audit_pending (id) {
        id -> Text,
        at -> Timestamp,
        subject -> Text,
        org_type -> Text,
        org -> Text,
        action -> Text,
        child_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        child_ids -> Nullable<Text>,
    }
}

diesel::table! {
    federation_peers (node_id) {
        node_id -> Text,
        base_url -> Text,
        keys -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    federation_homes (authority) {
        authority -> Text,
        node_id -> Text,
    }
}

diesel::table! {
    federation_streams (dest_node) {
        dest_node -> Text,
        last_seq -> BigInt,
        acked_seq -> BigInt,
        attempts -> BigInt,
        next_attempt_at -> Timestamp,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        last_receipt_id -> Nullable<Text>,
        last_receipt_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    federation_outbox (event_id) {
        event_id -> Text,
        dest_node -> Text,
        seq -> BigInt,
        kind -> Text,
        child_id -> Nullable<Text>,
        sender_la -> Nullable<Text>,
        notification_id -> Nullable<Text>,
        body -> Text,
        occurred_at -> Timestamp,
        status -> Text,
        reason -> Nullable<Text>,
        receipt_id -> Nullable<Text>,
        processed_at -> Nullable<Timestamp>,
        escalated_at -> Nullable<Timestamp>,
        undeliverable_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    federation_receipts (id) {
        id -> Text,
        peer_node -> Text,
        kid -> Text,
        jws -> Text,
        last_seq -> BigInt,
        received_at -> Timestamp,
    }
}

diesel::table! {
    federation_inbox (origin_node, event_id) {
        origin_node -> Text,
        event_id -> Text,
        seq -> BigInt,
        kind -> Text,
        outcome -> Text,
        reason -> Nullable<Text>,
        processed_at -> Timestamp,
    }
}

diesel::table! {
    federation_nonces (node_id, nonce) {
        node_id -> Text,
        nonce -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    notification_relays (notification_id) {
        notification_id -> Text,
        direction -> Text,
        peer_node -> Text,
        received_at -> Nullable<Timestamp>,
        receipt_id -> Nullable<Text>,
    }
}

diesel::joinable!(federation_homes -> federation_peers (node_id));

diesel::table! {
    child_transfers (id) {
        id -> Text,
        child_id -> Text,
        from_la -> Text,
        to_la -> Text,
        transferred_at -> Timestamp,
        transferred_by -> Text,
    }
}

diesel::table! {
    alerts (key) {
        key -> Text,
        kind -> Text,
        subject -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    child_merges (id) {
        id -> Text,
        survivor_id -> Text,
        merged_id -> Text,
        requested_by_la -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        status -> Text,
        completed_by_la -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    worker_leases (name) {
        name -> Text,
        holder -> Nullable<Text>,
        until -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    child_merges,
    child_transfers,
    alerts,
    worker_leases,
    federation_peers,
    federation_homes,
    federation_streams,
    federation_outbox,
    federation_receipts,
    federation_inbox,
    federation_nonces,
    notification_relays,
    authorities,
    providers,
    settings,
    api_clients,
    signing_keys,
    children,
    placements,
    placement_legal_statuses,
    idempotency_keys,
    notifications,
    admissions,
    webhook_endpoints,
    webhook_deliveries,
    webhook_attempts,
    quarterly_returns,
    missing_episodes,
    child_missing_state,
    audit_head,
    audit_events,
    audit_event_children,
    audit_checkpoints,
    audit_pending,
    trusted_issuers,
);
