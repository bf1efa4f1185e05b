-- Virtual appointments (Bookings-style): businesses, their staff and services, staff time off,
-- and appointments with the staff members each one occupies. Hours are kept as Graph's
-- bookingWorkHours JSON; durations in seconds.

CREATE TABLE businesses (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    business_hours TEXT NOT NULL,
    time_slot_interval BIGINT NOT NULL,
    minimum_lead_time BIGINT NOT NULL,
    maximum_advance BIGINT NOT NULL,
    allow_staff_selection BIGINT NOT NULL DEFAULT 1,
    is_published BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE booking_staff (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses (id),
    display_name TEXT NOT NULL,
    email_address TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,
    use_business_hours BIGINT NOT NULL DEFAULT 1,
    working_hours TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_staff_business ON booking_staff (business_id);

CREATE TABLE booking_services (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses (id),
    display_name TEXT NOT NULL,
    default_duration BIGINT NOT NULL,
    pre_buffer BIGINT NOT NULL DEFAULT 0,
    post_buffer BIGINT NOT NULL DEFAULT 0,
    maximum_attendees BIGINT NOT NULL DEFAULT 1,
    is_location_online BIGINT NOT NULL DEFAULT 1,
    staff_member_ids TEXT NOT NULL DEFAULT '[]',
    service_hours TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_services_business ON booking_services (business_id);

CREATE TABLE booking_time_off (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES booking_staff (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL
);
CREATE INDEX booking_time_off_staff ON booking_time_off (staff_id, start_at);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses (id),
    service_id TEXT NOT NULL REFERENCES booking_services (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    pre_buffer BIGINT NOT NULL DEFAULT 0,
    post_buffer BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    customer_phone TEXT,
    customer_time_zone TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '[]',
    manage_token_hash TEXT NOT NULL UNIQUE,
    manage_token_sealed TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointments_idempotency ON appointments (business_id, idempotency_key);

-- Who an appointment occupies, and when (with its buffers), for the overlap checks.
CREATE TABLE appointment_staff (
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    staff_id TEXT NOT NULL REFERENCES booking_staff (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    PRIMARY KEY (appointment_id, staff_id)
);
CREATE INDEX appointment_staff_busy ON appointment_staff (staff_id, start_at);
