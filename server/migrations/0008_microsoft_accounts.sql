-- Microsoft 365 accounts connected with delegated sign-in (the organization's service account),
-- with the refresh token sealed; and the short-lived state of sign-ins in progress (PKCE).

CREATE TABLE microsoft_accounts (
    organization_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    connected_by TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    user_principal_name TEXT NOT NULL,
    refresh_token_sealed TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL
);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    code_verifier_sealed TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
