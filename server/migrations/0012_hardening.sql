-- Hardening: rate limits shared by every instance, idempotency keys bound to the request that
-- made them, manage links stored only as hashes (and sealed for the emails that carry them),
-- email confirmation before a seat is given (double opt-in), an audit trail per organization,
-- API tokens with an expiry and a scope, and email deliveries that give up.

-- Fixed-window counters: one row per (limit, subject, window), e.g. sign-ins of one address.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    hits BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);

-- Stored answers held manage tokens in the clear and were not bound to their request.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- The column keeps its unique index; start-up turns the remaining clear tokens into hashes.
ALTER TABLE registrations RENAME COLUMN manage_token TO manage_token_hash;
ALTER TABLE registrations ADD COLUMN manage_token_sealed TEXT;

-- Double opt-in: an unconfirmed registration holds its place until `confirm_by`, then becomes
-- `confirm_as` once its address is confirmed, or is released.
ALTER TABLE events ADD COLUMN confirm_hold_minutes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN held_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN confirm_by BIGINT;
ALTER TABLE registrations ADD COLUMN confirm_as TEXT;
CREATE INDEX registrations_unconfirmed ON registrations (status, confirm_by);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_organization ON audit_log (organization_id, created_at);

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write';

-- A message that can never be delivered stops being tried.
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;
