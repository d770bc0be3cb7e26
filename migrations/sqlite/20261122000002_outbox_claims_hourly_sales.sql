-- The dispatcher claims outbox rows for a while (a lease), so two app
-- instances never send one event at the same moment and a crashed
-- instance's claims are taken over when the lease runs out.
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;

-- Best sellers are counted per product per hour, so the 3-day window has
-- an edge an hour wide instead of a day.
DROP TABLE platform_daily_sales;
CREATE TABLE platform_hourly_sales (
    product_id INTEGER NOT NULL,
    hour       INTEGER NOT NULL,                    -- hours since the epoch, UTC
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (product_id, hour)
);
CREATE INDEX platform_hourly_sales_hour_idx ON platform_hourly_sales (hour);
