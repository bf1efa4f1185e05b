-- Organizations, their organizers, sign-in sessions, API tokens, and event ownership.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE organizers (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE INDEX organizers_organization ON organizers (organization_id);

-- Only a hash of each session secret is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_organizer ON sessions (organizer_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_organizer ON api_tokens (organizer_id);

ALTER TABLE events ADD COLUMN organization_id TEXT REFERENCES organizations (id);
CREATE INDEX events_organization ON events (organization_id, start_at);

CREATE TABLE event_organizers (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    organizer_id TEXT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, organizer_id)
);
