-- Orders paid with points and a payment service together: an order can
-- wait for its payment (`awaiting_payment`, holding its stock, points and
-- coupon until `pay_by`), and then is `placed`, `cancelled` (the shopper
-- gave up, or the service declined) or `expired` (never paid). A charge
-- may pay for an order (`order_id`) instead of buying points; while the
-- shop is approving it (`approving_at`) nothing expires it; a paid charge
-- whose order was cancelled is `refunding` until the service has given
-- the money back. Stock held by an order that was never paid comes back
-- as a `release` movement. (PostgreSQL: same migration name.)
--
-- SQLite cannot change a CHECK in place: `orders`, `stock_movements` and
-- `charges` are rebuilt (SQLite's twelve steps; `Db::migrate` runs with
-- foreign keys off and checks them all afterwards).

CREATE TABLE orders_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    total       INTEGER NOT NULL CHECK (total >= 0),
    ordered_at  INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'placed'
        CHECK (status IN ('awaiting_payment', 'placed', 'fulfilled', 'cancelled', 'expired')),
    status_at   INTEGER,
    status_by   INTEGER REFERENCES users (id),
    status_as   TEXT CHECK (status_as IN ('shopper', 'staff')),
    status_note TEXT    NOT NULL DEFAULT '',
    subtotal    INTEGER NOT NULL DEFAULT 0,
    discount    INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
    coupon_id   INTEGER REFERENCES coupons (id),
    pay_by      INTEGER                                  -- unix ms: an unpaid order's hold ends
);
INSERT INTO orders_new (id, user_id, total, ordered_at, status, status_at, status_by, status_as,
                        status_note, subtotal, discount, coupon_id)
    SELECT id, user_id, total, ordered_at, status, status_at, status_by, status_as,
           status_note, subtotal, discount, coupon_id FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE INDEX orders_user_idx ON orders (user_id, id);
CREATE INDEX orders_ordered_at_idx ON orders (ordered_at);
CREATE INDEX orders_status_idx ON orders (status, id);

CREATE TABLE stock_movements_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    delta       INTEGER NOT NULL,
    reason      TEXT    NOT NULL
        CHECK (reason IN ('initial', 'sale', 'adjustment', 'cancel', 'release')),
    -- An adjustment's cause: goods received, a count corrected, damaged.
    cause       TEXT    CHECK (cause IN ('received', 'correction', 'damaged')),
    order_id    INTEGER REFERENCES orders (id),
    staff_id    INTEGER REFERENCES users (id),
    note        TEXT    NOT NULL DEFAULT '',
    stock_after INTEGER NOT NULL CHECK (stock_after >= 0),
    at          INTEGER NOT NULL,
    variant_id  INTEGER REFERENCES variants (id)
);
INSERT INTO stock_movements_new (id, product_id, delta, reason, cause, order_id, staff_id, note,
                                 stock_after, at, variant_id)
    SELECT id, product_id, delta, reason, cause, order_id, staff_id, note,
           stock_after, at, variant_id FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements_new RENAME TO stock_movements;
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id);
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id, id);

CREATE TABLE charges_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),   -- won, and points when paid
    provider     TEXT    NOT NULL,                      -- 'kakaopay'
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'paid', 'failed', 'cancelled', 'refunding', 'refunded')),
    provider_ref TEXT,                                  -- the service's id (KakaoPay's tid)
    attempts     INTEGER NOT NULL DEFAULT 0,            -- looks that settled nothing
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,                      -- unix ms
    updated_at   INTEGER NOT NULL,
    paid_at      INTEGER,
    order_id     INTEGER REFERENCES orders (id),        -- pays for this order (else: points)
    approving_at INTEGER                                -- unix ms: the shop asked for the money
);
INSERT INTO charges_new (id, user_id, amount, provider, status, provider_ref, attempts, last_error,
                         created_at, updated_at, paid_at)
    SELECT id, user_id, amount, provider, status, provider_ref, attempts, last_error,
           created_at, updated_at, paid_at FROM charges;
DROP TABLE charges;
ALTER TABLE charges_new RENAME TO charges;
CREATE INDEX charges_user_idx ON charges (user_id, id);
CREATE INDEX charges_open_idx ON charges (status, created_at);
CREATE INDEX charges_order_idx ON charges (order_id);
