-- Orders paid with points and a payment service together: an order can
-- wait for its payment (`awaiting_payment`, holding its stock, points and
-- coupon until `pay_by`), and then is `placed`, `cancelled` (the shopper
-- gave up, or the service declined) or `expired` (never paid). A charge
-- may pay for an order (`order_id`) instead of buying points; while the
-- shop is approving it (`approving_at`) nothing expires it; a paid charge
-- whose order was cancelled is `refunding` until the service has given
-- the money back. Stock held by an order that was never paid comes back
-- as a `release` movement. (SQLite: same migration name.)

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('awaiting_payment', 'placed', 'fulfilled', 'cancelled', 'expired'));
ALTER TABLE orders ADD COLUMN pay_by BIGINT;

ALTER TABLE stock_movements DROP CONSTRAINT stock_movements_reason_check;
ALTER TABLE stock_movements ADD CONSTRAINT stock_movements_reason_check
    CHECK (reason IN ('initial', 'sale', 'adjustment', 'cancel', 'release'));

ALTER TABLE charges DROP CONSTRAINT charges_status_check;
ALTER TABLE charges ADD CONSTRAINT charges_status_check
    CHECK (status IN ('pending', 'paid', 'failed', 'cancelled', 'refunding', 'refunded'));
ALTER TABLE charges ADD COLUMN order_id BIGINT REFERENCES orders (id);
ALTER TABLE charges ADD COLUMN approving_at BIGINT;
CREATE INDEX charges_order_idx ON charges (order_id);
