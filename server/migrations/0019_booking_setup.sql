-- Organizers set businesses up through the API: a removed service or staff member stays (past
-- appointments name them) but is no longer offered or listed.
ALTER TABLE booking_services ADD COLUMN removed_at BIGINT;
ALTER TABLE booking_staff ADD COLUMN removed_at BIGINT;
CREATE INDEX appointments_business_start ON appointments (business_id, start_at);
