-- Graph change-notification subscriptions Atrium holds, and notifications received, kept until
-- processed.

CREATE TABLE graph_subscriptions (
    id TEXT PRIMARY KEY,
    resource TEXT NOT NULL,
    change_type TEXT NOT NULL,
    client_state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    event_id TEXT REFERENCES events (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE TABLE graph_notifications (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    change_type TEXT,
    resource TEXT,
    lifecycle_event TEXT,
    received_at BIGINT NOT NULL,
    processed_at BIGINT
);
CREATE INDEX graph_notifications_pending ON graph_notifications (processed_at, received_at);
