-- The event a Teams (Graph) job is about, so that an event's pending Teams work is found by
-- index instead of by searching every job's payload. Email jobs leave it empty.
ALTER TABLE outbox ADD COLUMN event_id TEXT;
CREATE INDEX outbox_event ON outbox (event_id);

-- Teams jobs queued before this: a registration's job takes its registration's event ...
UPDATE outbox SET event_id = (SELECT r.event_id FROM registrations r WHERE r.id = outbox.registration_id)
WHERE topic LIKE 'graph.%' AND registration_id IS NOT NULL;

-- ... and an event's job the event its payload names, when the payload is exactly
-- {"eventId":"<id>"} for an event that exists. Anything else stays NULL.
UPDATE outbox SET event_id = (SELECT e.id FROM events e
                              WHERE e.id = SUBSTR(outbox.payload, 13, LENGTH(outbox.payload) - 14)
                                AND outbox.payload = '{"eventId":"' || e.id || '"}')
WHERE topic LIKE 'graph.%' AND registration_id IS NULL AND payload LIKE '{"eventId":"%"}';
