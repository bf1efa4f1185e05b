-- Scheduled reminders per event, and which registration each outbox message is about (for the
-- dashboard's message log).

CREATE TABLE reminders (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    offset_minutes BIGINT NOT NULL,
    sent_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (event_id, offset_minutes)
);

-- Every existing event gets the default reminders: a day and an hour before it starts.
INSERT INTO reminders (id, event_id, offset_minutes, created_at)
    SELECT id || '-r1440', id, 1440, created_at FROM events;
INSERT INTO reminders (id, event_id, offset_minutes, created_at)
    SELECT id || '-r60', id, 60, created_at FROM events;

ALTER TABLE outbox ADD COLUMN registration_id TEXT;
ALTER TABLE outbox ADD COLUMN mail TEXT;
CREATE INDEX outbox_registration ON outbox (registration_id);
