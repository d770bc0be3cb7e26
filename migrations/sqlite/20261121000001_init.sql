-- The whole shop's schema (SQLite). Integers are INTEGER (64-bit), money is
-- whole won, times are unix milliseconds. Keep in step with ../postgres.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login_id      TEXT    NOT NULL,
    login_key     TEXT    NOT NULL UNIQUE,          -- lower-cased login_id
    password_hash TEXT    NOT NULL,
    points        INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0 AND points <= 10000000),
    created_at    INTEGER NOT NULL
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sku         TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    price       INTEGER NOT NULL CHECK (price > 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    like_count  INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    image       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX products_brand_idx ON products (brand);
CREATE INDEX products_created_idx ON products (created_at);
CREATE INDEX products_price_idx ON products (price);
CREATE INDEX products_likes_idx ON products (like_count);

CREATE TABLE likes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX likes_product_idx ON likes (product_id);

CREATE TABLE cart_items (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    added_price INTEGER NOT NULL,                   -- price when added, to flag changes
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

CREATE TABLE orders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    total      INTEGER NOT NULL CHECK (total >= 0),
    ordered_at INTEGER NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id, id);

CREATE TABLE order_items (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    name       TEXT    NOT NULL,                    -- snapshot at order time
    unit_price INTEGER NOT NULL CHECK (unit_price > 0),
    quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE point_ledger (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('charge', 'use')),
    amount        INTEGER NOT NULL,                 -- signed: + charge, - use
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    order_id      INTEGER REFERENCES orders (id),
    at            INTEGER NOT NULL
);
CREATE INDEX point_ledger_user_idx ON point_ledger (user_id, id);

CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('running', 'done')),
    order_id     INTEGER REFERENCES orders (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Transactional outbox: written with the order, sent by the dispatcher.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_pending_idx ON outbox (delivered_at, next_attempt_at);

-- The embedded data platform: events seen (for at-least-once dedup) and
-- daily sales per product (for top products).
CREATE TABLE platform_events (
    event_id    TEXT    PRIMARY KEY,
    received_at INTEGER NOT NULL
);
CREATE TABLE platform_daily_sales (
    product_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,                    -- days since the epoch, UTC
    name       TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (product_id, day)
);

CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    data        TEXT    NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry_date);

CREATE TABLE login_throttle (
    key          TEXT    PRIMARY KEY,               -- 'id:<login>' or 'ip:<addr>'
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL
);
