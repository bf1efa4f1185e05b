-- Microsoft mode, hardened.
-- teams_registration_id: for a registration made in Teams and imported into Atrium, its id in
--   Teams. A cancellation made in Teams is matched by it, or by Atrium's own registration id
--   (externalRegistrationInformation), never by email.
-- teams_problem: why Teams did not take a registration (it already holds one for the same
--   address that Atrium did not make). Shown to the organizers; not retried.
ALTER TABLE registrations ADD COLUMN teams_registration_id TEXT;
ALTER TABLE registrations ADD COLUMN teams_problem TEXT;
CREATE INDEX registrations_teams_registration ON registrations (teams_registration_id);

-- One Teams webinar is linked to one event only. Links made twice before this (only possible by
-- pasting another event's webinar id) are kept on the event that had the webinar first.
UPDATE events SET teams_webinar_id = NULL
WHERE teams_webinar_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM events older WHERE older.teams_webinar_id = events.teams_webinar_id
              AND (older.created_at < events.created_at OR (older.created_at = events.created_at AND older.id < events.id)));
CREATE UNIQUE INDEX events_teams_webinar ON events (teams_webinar_id);

-- Sign in with Microsoft signs in only the organizer who linked that Microsoft account while
-- signed in: its object id (microsoft_oid) and tenant id (microsoft_tid), and, for showing, the
-- name it signed in with. Links made from the email claim at a first sign-in are dropped: those
-- organizers link their account again from the dashboard.
ALTER TABLE organizers ADD COLUMN microsoft_tid TEXT;
ALTER TABLE organizers ADD COLUMN microsoft_name TEXT;
UPDATE organizers SET microsoft_oid = NULL;
-- A "Link Microsoft account" in progress: the organizer it is for and the hash of the session
-- that started it (NULL for a sign-in).
ALTER TABLE oidc_states ADD COLUMN organizer_id TEXT;
ALTER TABLE oidc_states ADD COLUMN session_hash TEXT;
