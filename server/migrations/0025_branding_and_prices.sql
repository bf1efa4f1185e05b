-- A business's look on its booking page (a logo at an https address, a brand colour dark enough
-- for white text) and its currency; a service's price as Graph writes it (defaultPrice,
-- defaultPriceType).
ALTER TABLE businesses ADD COLUMN logo_url TEXT;
ALTER TABLE businesses ADD COLUMN brand_color TEXT;
ALTER TABLE businesses ADD COLUMN default_currency_iso TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE booking_services ADD COLUMN default_price DOUBLE PRECISION;
ALTER TABLE booking_services ADD COLUMN default_price_type TEXT NOT NULL DEFAULT 'notSet';
