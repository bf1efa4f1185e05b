-- Attendance per event: who was there and for how long, from an imported Teams attendance
-- report (Microsoft mode fills the same table from Graph).

CREATE TABLE attendance (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email_normalized TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    registration_id TEXT REFERENCES registrations (id) ON DELETE SET NULL,
    seconds BIGINT NOT NULL,
    source TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, email_normalized)
);
