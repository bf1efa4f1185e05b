-- Raised whenever a staff member's calendar changes (an appointment booked, moved or canceled),
-- in the same transaction: a cached reading of the calendar is good while its version is current.
ALTER TABLE booking_staff ADD COLUMN calendar_version BIGINT NOT NULL DEFAULT 0;
