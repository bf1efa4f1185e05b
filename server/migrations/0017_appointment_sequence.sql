-- Raised on every change of an appointment (moved, canceled) so that calendars replace the entry
-- they hold with the newest invite (iCalendar SEQUENCE, same UID).
ALTER TABLE appointments ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
