-- Payments: points charged through a payment service (KakaoPay first).
-- A charge is created pending before the shopper is sent to the service
-- and settled once; its id is the service's partner_order_id.
-- (PostgreSQL: same migration name.)

CREATE TABLE charges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),   -- won, and points when paid
    provider     TEXT    NOT NULL,                      -- 'kakaopay'
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'paid', 'failed', 'cancelled', 'refunded')),
    provider_ref TEXT,                                  -- the service's id (KakaoPay's tid)
    attempts     INTEGER NOT NULL DEFAULT 0,            -- looks that settled nothing
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,                      -- unix ms
    updated_at   INTEGER NOT NULL,
    paid_at      INTEGER
);
CREATE INDEX charges_user_idx ON charges (user_id, id);
CREATE INDEX charges_open_idx ON charges (status, created_at);

-- Every change of a charge, appended: created, started (with the
-- service's reference), paid, failed, cancelled, refunded.
CREATE TABLE charge_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_id INTEGER NOT NULL REFERENCES charges (id),
    kind      TEXT    NOT NULL,
    detail    TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX charge_events_charge_idx ON charge_events (charge_id, id);

-- The ledger row of a paid charge names it; a charge is credited once
-- and refunded once, whatever races to do it.
ALTER TABLE point_ledger ADD COLUMN charge_id INTEGER REFERENCES charges (id);
CREATE UNIQUE INDEX point_ledger_charge_once ON point_ledger (charge_id, kind)
    WHERE charge_id IS NOT NULL;
