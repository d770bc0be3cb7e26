-- Best sellers without summing three days of sales on every read: each
-- product's total over the current window (hours >= first_hour) is kept
-- beside the hourly sales. An order adds to it; when the window moves on,
-- the hours that left it are subtracted once.
CREATE TABLE platform_window (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    first_hour INTEGER NOT NULL                       -- hours since the epoch, UTC
);
-- Hour 0: every sale so far counts until the first read moves the window.
INSERT INTO platform_window (id, first_hour) VALUES (1, 0);

CREATE TABLE platform_window_sales (
    product_id INTEGER PRIMARY KEY,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX platform_window_sales_rank_idx ON platform_window_sales (quantity DESC, product_id);
INSERT INTO platform_window_sales (product_id, quantity)
    SELECT product_id, SUM(quantity) FROM platform_hourly_sales GROUP BY product_id;
