-- Goods go out: a shopper's address book (one default at a time), the
-- address an order is sent to (a copy, as it was when ordered), the
-- shipping fee an order paid, and its shipment (carrier, tracking number,
-- when it left and when it arrived). `fulfilled` becomes `shipped`, and an
-- order can then be `delivered`; orders fulfilled before keep their note
-- and get a shipment without a carrier. (SQLite: same migration name.)

CREATE TABLE addresses (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    label       TEXT   NOT NULL DEFAULT '',
    recipient   TEXT   NOT NULL,
    phone       TEXT   NOT NULL,                  -- normalised: 010-1234-5678
    postal_code TEXT   NOT NULL,                  -- five digits
    address1    TEXT   NOT NULL,
    address2    TEXT   NOT NULL DEFAULT '',
    memo        TEXT   NOT NULL DEFAULT '',
    is_default  BIGINT NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX addresses_user_idx ON addresses (user_id, id);
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (user_id) WHERE is_default = 1;

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
UPDATE orders SET status = 'shipped' WHERE status = 'fulfilled';
ALTER TABLE orders ADD CONSTRAINT orders_status_check
    CHECK (status IN ('awaiting_payment', 'placed', 'shipped', 'delivered', 'cancelled', 'expired'));
ALTER TABLE orders ADD COLUMN shipping_fee BIGINT NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0);

CREATE TABLE order_addresses (
    order_id    BIGINT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    recipient   TEXT NOT NULL,
    phone       TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    address1    TEXT NOT NULL,
    address2    TEXT NOT NULL DEFAULT '',
    memo        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE shipments (
    order_id        BIGINT PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    -- NULL for orders fulfilled before carriers were recorded.
    carrier         TEXT CHECK (carrier IN ('cj', 'lotte', 'hanjin', 'epost', 'logen')),
    tracking_number TEXT,
    shipped_at      BIGINT NOT NULL,                        -- unix ms
    shipped_by      BIGINT REFERENCES users (id),
    delivered_at    BIGINT,
    delivered_by    BIGINT REFERENCES users (id)
);
INSERT INTO shipments (order_id, shipped_at, shipped_by)
    SELECT id, COALESCE(status_at, ordered_at), status_by FROM orders WHERE status = 'shipped';
