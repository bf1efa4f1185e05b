-- Microsoft mode, hardened.
-- teams_registration_id: for a registration made in Teams and imported into Atrium, its id in
--   Teams. A cancellation made in Teams is matched by it, or by Atrium's own registration id
--   (externalRegistrationInformation), never by email.
-- teams_problem: why Teams did not take a registration (it already holds one for the same
--   address that Atrium did not make). Shown to the organizers; not retried.
ALTER TABLE registrations ADD COLUMN teams_registration_id TEXT;
ALTER TABLE registrations ADD COLUMN teams_problem TEXT;
CREATE INDEX registrations_teams_registration ON registrations (teams_registration_id);
