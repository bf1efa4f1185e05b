-- A service's reminders, as Graph's bookingReminder JSON ({message, offset, recipients}): each
-- booked appointment queues its reminder emails for `offset` before it starts.
ALTER TABLE booking_services ADD COLUMN reminders TEXT NOT NULL DEFAULT '[]';
