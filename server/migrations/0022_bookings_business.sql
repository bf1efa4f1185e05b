-- A business imported from Microsoft Bookings remembers its Bookings id (one Atrium business per
-- Bookings business); its services and staff keep their Bookings ids as their own.
ALTER TABLE businesses ADD COLUMN bookings_business_id TEXT;
CREATE UNIQUE INDEX businesses_bookings ON businesses (bookings_business_id);
