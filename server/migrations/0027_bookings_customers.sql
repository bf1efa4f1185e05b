-- Customers of a business imported from Microsoft Bookings (Graph's bookingCustomer), one per
-- email address (kept in lower case) and with their Bookings id: they are among the business's
-- customers before they book, and an appointment Atrium makes in Bookings for one names them.
CREATE TABLE booking_customers (
    business_id TEXT NOT NULL REFERENCES businesses (id),
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, id)
);
CREATE UNIQUE INDEX booking_customers_email ON booking_customers (business_id, email);
