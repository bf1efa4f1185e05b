-- An appointment of a business imported from Microsoft Bookings is kept in Bookings too: its
-- Bookings id, once made there (or the id of one made in Bookings and read into Atrium).
ALTER TABLE appointments ADD COLUMN bookings_appointment_id TEXT;
CREATE UNIQUE INDEX appointments_bookings ON appointments (bookings_appointment_id);
-- The appointment's `sequence` Bookings last heard of: while it is behind, Atrium's own change
-- is still on its way there, and what Bookings says of the appointment is not applied back.
ALTER TABLE appointments ADD COLUMN bookings_sequence BIGINT;
