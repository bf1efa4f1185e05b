-- Microsoft mode, continued.
-- teams_emails: Teams emails attendees their personal join links (isAttendeeEmailNotificationEnabled);
--   otherwise Atrium's own emails carry the join link.
-- teams_meeting_id / teams_join_url: the Teams meeting of a meeting-kind event, or the join link
--   of a webinar's session, as Graph gave them.
-- teams_owner: the organizer whose own Microsoft 365 account owns the event in Teams; empty means
--   the organization's service account.
-- teams_version / teams_synced_version: changes made in Atrium and how many of them Teams has.
-- attendance_fetched_at / attendance_records: when attendance was last read from Teams, and how
--   many records came back, so reading stops once the report is in.
ALTER TABLE events ADD COLUMN teams_emails INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN teams_meeting_id TEXT;
ALTER TABLE events ADD COLUMN teams_join_url TEXT;
ALTER TABLE events ADD COLUMN teams_owner TEXT;
ALTER TABLE events ADD COLUMN teams_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN teams_synced_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN attendance_fetched_at BIGINT;
ALTER TABLE events ADD COLUMN attendance_records BIGINT;

-- Organizers' own Microsoft 365 accounts (the organization's service account stays in
-- microsoft_accounts). Refresh tokens sealed, as there.
CREATE TABLE personal_microsoft_accounts (
    organizer_id TEXT PRIMARY KEY REFERENCES organizers (id) ON DELETE CASCADE,
    user_principal_name TEXT NOT NULL,
    refresh_token_sealed TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL
);

-- What a connect started for: 'service' (the organization) or 'personal' (the organizer).
ALTER TABLE oauth_states ADD COLUMN purpose TEXT NOT NULL DEFAULT 'service';

-- Sign in with Microsoft: the Entra object id an organizer signs in as, linked at first sign-in
-- by email; and sign-ins in progress (no organizer known yet).
ALTER TABLE organizers ADD COLUMN microsoft_oid TEXT;
CREATE UNIQUE INDEX organizers_microsoft_oid ON organizers (microsoft_oid);
CREATE TABLE oidc_states (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier_sealed TEXT NOT NULL,
    next_path TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
