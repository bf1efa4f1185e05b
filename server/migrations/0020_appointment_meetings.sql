-- Microsoft mode with Atrium's own scheduling: each online appointment gets a Teams meeting
-- (createOrGet keyed by the appointment's id), its Teams join link for staff, and the browser
-- join link for the customer (getVirtualAppointmentJoinWebUrl).
ALTER TABLE appointments ADD COLUMN teams_meeting_id TEXT;
ALTER TABLE appointments ADD COLUMN teams_join_url TEXT;
ALTER TABLE appointments ADD COLUMN join_url TEXT;
