-- Events, registration questions, presenters, registrations, idempotency keys and the outbox.
-- Written once for SQLite and PostgreSQL: BIGINT for integers, flags and Unix times, TEXT for
-- the rest (JSON kept as TEXT).

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    capacity BIGINT,
    waitlist_enabled BIGINT NOT NULL DEFAULT 0,
    manual_approval BIGINT NOT NULL DEFAULT 0,
    registration_opens_at BIGINT,
    registration_closes_at BIGINT,
    join_url TEXT,
    terms_url TEXT,
    registered_count BIGINT NOT NULL DEFAULT 0,
    waitlisted_count BIGINT NOT NULL DEFAULT 0,
    pending_count BIGINT NOT NULL DEFAULT 0,
    next_waitlist_seq BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX events_listing ON events (status, end_at);

CREATE TABLE questions (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    predefined_label TEXT,
    label TEXT NOT NULL,
    answer_input_type TEXT NOT NULL,
    choices TEXT NOT NULL DEFAULT '[]',
    is_required BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX questions_event ON questions (event_id, position);

CREATE TABLE presenters (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    bio TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    photo_url TEXT,
    linkedin_url TEXT,
    website_url TEXT,
    x_url TEXT
);
CREATE INDEX presenters_event ON presenters (event_id, position);

CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    status TEXT NOT NULL,
    waitlist_seq BIGINT,
    preferred_timezone TEXT NOT NULL,
    preferred_language TEXT,
    answers TEXT NOT NULL DEFAULT '[]',
    manage_token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    canceled_at BIGINT,
    reminded_at BIGINT,
    UNIQUE (event_id, email_normalized)
);
CREATE INDEX registrations_waitlist ON registrations (event_id, status, waitlist_seq);

CREATE TABLE idempotency_keys (
    event_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    status_code BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, idem_key)
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    recipient TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, available_at);
