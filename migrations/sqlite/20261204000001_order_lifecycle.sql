-- The order's lifecycle: placed, then fulfilled or cancelled once; a
-- cancel gives the points back as a `refund` ledger row and staff may
-- adjust a balance (`adjustment`). A refund is never refused by the
-- balance cap: the cap limits charges and adjustments, so the stored
-- balance is only required to stay at or above 0. (Postgres: same
-- migration name.)
--
-- SQLite cannot change a CHECK in place: `users` and `point_ledger` are
-- rebuilt (SQLite's documented twelve steps). `Db::migrate` runs the
-- migrations with foreign keys off, so dropping the old `users` cascades
-- nothing, and checks every foreign key afterwards.

CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login_id      TEXT    NOT NULL,
    login_key     TEXT    NOT NULL UNIQUE,          -- lower-cased login_id
    password_hash TEXT    NOT NULL,
    points        INTEGER NOT NULL DEFAULT 0 CHECK (points >= 0),
    created_at    INTEGER NOT NULL
);
INSERT INTO users_new (id, login_id, login_key, password_hash, points, created_at)
    SELECT id, login_id, login_key, password_hash, points, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE point_ledger_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('charge', 'use', 'refund', 'adjustment')),
    amount        INTEGER NOT NULL,                 -- signed: + charge, refund; - use
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    order_id      INTEGER REFERENCES orders (id),
    at            INTEGER NOT NULL,
    staff_id      INTEGER REFERENCES users (id),    -- who adjusted it
    note          TEXT    NOT NULL DEFAULT ''       -- an adjustment's reason
);
INSERT INTO point_ledger_new (id, user_id, kind, amount, balance_after, order_id, at)
    SELECT id, user_id, kind, amount, balance_after, order_id, at FROM point_ledger;
DROP TABLE point_ledger;
ALTER TABLE point_ledger_new RENAME TO point_ledger;
CREATE INDEX point_ledger_user_idx ON point_ledger (user_id, id);
CREATE INDEX point_ledger_order_idx ON point_ledger (order_id);

-- Where an order is: its status, when it got there, who moved it (the
-- shopper or a staff member) and why (a cancel's reason, a fulfilment's
-- tracking note). A placed order moves once and then stays.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed'
    CHECK (status IN ('placed', 'fulfilled', 'cancelled'));
ALTER TABLE orders ADD COLUMN status_at INTEGER;
ALTER TABLE orders ADD COLUMN status_by INTEGER REFERENCES users (id);
ALTER TABLE orders ADD COLUMN status_as TEXT CHECK (status_as IN ('shopper', 'staff'));
ALTER TABLE orders ADD COLUMN status_note TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_status_idx ON orders (status, id);

-- The embedded platform's own record of each order it heard of: a cancel
-- subtracts only what a placed event added, and a placed event arriving
-- after its cancel adds nothing. Orders it has already counted are here.
CREATE TABLE platform_orders (
    order_id  INTEGER PRIMARY KEY,
    placed    INTEGER NOT NULL DEFAULT 0 CHECK (placed IN (0, 1)),
    cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1))
);
INSERT INTO platform_orders (order_id, placed)
    SELECT json_extract(o.payload, '$.order_id'), 1 FROM outbox o
    WHERE o.kind = 'order.placed' AND o.event_id IN (SELECT event_id FROM platform_events);
