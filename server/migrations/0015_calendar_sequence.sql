-- Calendar entries: the SEQUENCE of an invite is the event's count of changes plus the
-- registration's, so every change to either raises it and calendars replace the entry they hold.
ALTER TABLE events ADD COLUMN ics_sequence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN ics_sequence BIGINT NOT NULL DEFAULT 0;
