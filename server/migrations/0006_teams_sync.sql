-- Microsoft mode: the Teams webinar an event is linked to, and where each registration stands
-- in Teams. Graph work is queued in the same outbox as email, under its own topics.

ALTER TABLE events ADD COLUMN teams_webinar_id TEXT;
ALTER TABLE registrations ADD COLUMN teams_synced_at BIGINT;
CREATE INDEX outbox_topic_due ON outbox (topic, sent_at, available_at);
