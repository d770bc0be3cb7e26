-- Coupons: campaigns staff create, handed out first come, first served,
-- one per shopper, spent by checkout in the order's transaction and given
-- back by a cancel. (PostgreSQL: same migration name.)
CREATE TABLE coupon_campaigns (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT   NOT NULL,                 -- in Korean, the shop's language
    name_en      TEXT,                            -- NULL: the Korean name for everyone
    kind         TEXT   NOT NULL CHECK (kind IN ('fixed', 'percent')),
    value        INTEGER NOT NULL CHECK (value > 0),  -- won off, or percent (1 to 100)
    max_discount INTEGER CHECK (max_discount > 0),    -- a percent's cap in won
    min_order    INTEGER NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    quantity     INTEGER CHECK (quantity > 0),         -- NULL: unlimited
    -- Issued so far: one conditional update per claim, never past quantity
    -- and never down (a cancel gives the coupon back, not the count).
    issued       INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0),
    valid_from   INTEGER,                          -- unix ms; NULL: from now
    valid_until  INTEGER,                          -- unix ms, excluded; NULL: for good
    open         INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    created_by   INTEGER REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    CHECK (kind <> 'percent' OR value <= 100),
    CHECK (quantity IS NULL OR issued <= quantity),
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from < valid_until)
);

-- A shopper's coupon: one per campaign; `used` with the order it paid
-- for, `usable` otherwise (expired and not yet valid are read from the
-- campaign's dates).
CREATE TABLE coupons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES coupon_campaigns (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    status      TEXT   NOT NULL DEFAULT 'usable' CHECK (status IN ('usable', 'used')),
    order_id    INTEGER REFERENCES orders (id),
    issued_at   INTEGER NOT NULL,
    used_at     INTEGER,
    UNIQUE (campaign_id, user_id),
    CHECK ((status = 'used') = (order_id IS NOT NULL))
);
CREATE INDEX coupons_user_idx ON coupons (user_id, id);
CREATE INDEX coupons_order_idx ON coupons (order_id);
CREATE INDEX coupons_used_idx ON coupons (campaign_id, status);

-- An order keeps its coupon, the discount and the total before it;
-- `total` stays what was paid. Orders before coupons paid their subtotal.
ALTER TABLE orders ADD COLUMN subtotal INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0);
ALTER TABLE orders ADD COLUMN coupon_id INTEGER REFERENCES coupons (id);
UPDATE orders SET subtotal = total;
