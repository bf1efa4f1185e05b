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
