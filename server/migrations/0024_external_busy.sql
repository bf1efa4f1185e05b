-- Times a staff member of a business imported from Microsoft Bookings is busy outside it (their
-- own calendar, as Bookings' getStaffAvailability reports), read back with the calendar and
-- counted like time off.
CREATE TABLE booking_external_busy (
    staff_id TEXT NOT NULL REFERENCES booking_staff (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL
);
CREATE INDEX booking_external_busy_staff ON booking_external_busy (staff_id, start_at);
