-- The order's lifecycle: placed, then fulfilled or cancelled once; a
-- cancel gives the points back as a `refund` ledger row and staff may
-- adjust a balance (`adjustment`). A refund is never refused by the
-- balance cap: the cap limits charges and adjustments, so the stored
-- balance is only required to stay at or above 0. (SQLite: same
-- migration name.)
ALTER TABLE users DROP CONSTRAINT users_points_check;
ALTER TABLE users ADD CONSTRAINT users_points_check CHECK (points >= 0);

ALTER TABLE point_ledger DROP CONSTRAINT point_ledger_kind_check;
ALTER TABLE point_ledger ADD CONSTRAINT point_ledger_kind_check
    CHECK (kind IN ('charge', 'use', 'refund', 'adjustment'));
ALTER TABLE point_ledger ADD COLUMN staff_id BIGINT REFERENCES users (id);  -- who adjusted it
ALTER TABLE point_ledger ADD COLUMN note TEXT NOT NULL DEFAULT '';         -- an adjustment's reason
CREATE INDEX point_ledger_order_idx ON point_ledger (order_id);

-- Where an order is: its status, when it got there, who moved it (the
-- shopper or a staff member) and why (a cancel's reason, a fulfilment's
-- tracking note). A placed order moves once and then stays.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed'
    CHECK (status IN ('placed', 'fulfilled', 'cancelled'));
ALTER TABLE orders ADD COLUMN status_at BIGINT;
ALTER TABLE orders ADD COLUMN status_by BIGINT REFERENCES users (id);
ALTER TABLE orders ADD COLUMN status_as TEXT CHECK (status_as IN ('shopper', 'staff'));
ALTER TABLE orders ADD COLUMN status_note TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_status_idx ON orders (status, id);

-- The embedded platform's own record of each order it heard of: a cancel
-- subtracts only what a placed event added, and a placed event arriving
-- after its cancel adds nothing. Orders it has already counted are here.
CREATE TABLE platform_orders (
    order_id  BIGINT PRIMARY KEY,
    placed    BIGINT NOT NULL DEFAULT 0 CHECK (placed IN (0, 1)),
    cancelled BIGINT NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1))
);
INSERT INTO platform_orders (order_id, placed)
    SELECT (o.payload::json ->> 'order_id')::BIGINT, 1 FROM outbox o
    WHERE o.kind = 'order.placed' AND o.event_id IN (SELECT event_id FROM platform_events);
