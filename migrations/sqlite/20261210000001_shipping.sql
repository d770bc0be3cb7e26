-- Goods go out: a shopper's address book (one default at a time), the
-- address an order is sent to (a copy, as it was when ordered), the
-- shipping fee an order paid, and its shipment (carrier, tracking number,
-- when it left and when it arrived). `fulfilled` becomes `shipped`, and an
-- order can then be `delivered`; orders fulfilled before keep their note
-- and get a shipment without a carrier. (PostgreSQL: same migration name.)
--
-- SQLite cannot change a CHECK in place: `orders` is rebuilt (SQLite's
-- twelve steps; `Db::migrate` runs with foreign keys off and checks them
-- all afterwards).

CREATE TABLE addresses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    label       TEXT    NOT NULL DEFAULT '',
    recipient   TEXT    NOT NULL,
    phone       TEXT    NOT NULL,                 -- normalised: 010-1234-5678
    postal_code TEXT    NOT NULL,                 -- five digits
    address1    TEXT    NOT NULL,
    address2    TEXT    NOT NULL DEFAULT '',
    memo        TEXT    NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX addresses_user_idx ON addresses (user_id, id);
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (user_id) WHERE is_default = 1;

CREATE TABLE orders_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    total        INTEGER NOT NULL CHECK (total >= 0),
    ordered_at   INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'placed'
        CHECK (status IN ('awaiting_payment', 'placed', 'shipped', 'delivered', 'cancelled', 'expired')),
    status_at    INTEGER,
    status_by    INTEGER REFERENCES users (id),
    status_as    TEXT CHECK (status_as IN ('shopper', 'staff')),
    status_note  TEXT    NOT NULL DEFAULT '',
    subtotal     INTEGER NOT NULL DEFAULT 0,
    discount     INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
    coupon_id    INTEGER REFERENCES coupons (id),
    pay_by       INTEGER,                                 -- unix ms: an unpaid order's hold ends
    shipping_fee INTEGER NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0)
);
INSERT INTO orders_new (id, user_id, total, ordered_at, status, status_at, status_by, status_as,
                        status_note, subtotal, discount, coupon_id, pay_by)
    SELECT id, user_id, total, ordered_at,
           CASE status WHEN 'fulfilled' THEN 'shipped' ELSE status END,
           status_at, status_by, status_as, status_note, subtotal, discount, coupon_id, pay_by
    FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, id);
CREATE INDEX orders_ordered_at_idx ON orders (ordered_at);
CREATE INDEX orders_status_idx ON orders (status, id);

CREATE TABLE order_addresses (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    recipient   TEXT NOT NULL,
    phone       TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    address1    TEXT NOT NULL,
    address2    TEXT NOT NULL DEFAULT '',
    memo        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE shipments (
    order_id        INTEGER PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    -- NULL for orders fulfilled before carriers were recorded.
    carrier         TEXT CHECK (carrier IN ('cj', 'lotte', 'hanjin', 'epost', 'logen')),
    tracking_number TEXT,
    shipped_at      INTEGER NOT NULL,                       -- unix ms
    shipped_by      INTEGER REFERENCES users (id),
    delivered_at    INTEGER,
    delivered_by    INTEGER REFERENCES users (id)
);
INSERT INTO shipments (order_id, shipped_at, shipped_by)
    SELECT id, COALESCE(status_at, ordered_at), status_by FROM orders WHERE status = 'shipped';
