-- The operator's side: staff roles, products on and off sale, stock as the
-- sum of its movements, every price change, and the audit log of every
-- staff action. (Postgres: same migration name.)

-- A user with a row here is staff; the role decides what they may do.
CREATE TABLE staff_roles (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'catalog_manager', 'order_manager', 'support')),
    granted_by INTEGER REFERENCES users (id),       -- NULL: the command line
    granted_at INTEGER NOT NULL
);

-- Off sale, a product leaves every shopper's list, search, count and brand
-- list; orders keep it.
ALTER TABLE products ADD COLUMN on_sale INTEGER NOT NULL DEFAULT 1 CHECK (on_sale IN (0, 1));

-- The catalog's size counts what shoppers can see: products on sale.
DROP TRIGGER products_count_insert;
DROP TRIGGER products_count_delete;
UPDATE catalog_counts SET products = (SELECT COUNT(*) FROM products WHERE on_sale = 1) WHERE id = 1;
CREATE TRIGGER products_count_insert AFTER INSERT ON products BEGIN
    UPDATE catalog_counts SET products = products + new.on_sale WHERE id = 1;
END;
CREATE TRIGGER products_count_delete AFTER DELETE ON products BEGIN
    UPDATE catalog_counts SET products = products - old.on_sale WHERE id = 1;
END;
CREATE TRIGGER products_count_on_sale AFTER UPDATE OF on_sale ON products
    WHEN old.on_sale <> new.on_sale BEGIN
    UPDATE catalog_counts SET products = products + new.on_sale - old.on_sale WHERE id = 1;
END;

-- Every change of a product's stock, append-only, written in the same
-- transaction as the change: a product's stock is the sum of its deltas.
CREATE TABLE stock_movements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    delta       INTEGER NOT NULL,
    reason      TEXT    NOT NULL CHECK (reason IN ('initial', 'sale', 'adjustment', 'cancel')),
    -- An adjustment's cause: goods received, a count corrected, damaged.
    cause       TEXT    CHECK (cause IN ('received', 'correction', 'damaged')),
    order_id    INTEGER REFERENCES orders (id),
    staff_id    INTEGER REFERENCES users (id),
    note        TEXT    NOT NULL DEFAULT '',
    stock_after INTEGER NOT NULL CHECK (stock_after >= 0),
    at          INTEGER NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (product_id, id);
-- The stock there is today is where every product's history starts.
INSERT INTO stock_movements (product_id, delta, reason, stock_after, at)
    SELECT id, stock, 'initial', stock, created_at FROM products;

-- Every price a product had: who changed it, when, from and to.
CREATE TABLE price_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    from_price INTEGER NOT NULL CHECK (from_price > 0),
    to_price   INTEGER NOT NULL CHECK (to_price > 0),
    staff_id   INTEGER NOT NULL REFERENCES users (id),
    at         INTEGER NOT NULL
);
CREATE INDEX price_changes_product_idx ON price_changes (product_id, id);

-- Every staff action, written in the action's own transaction.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id   INTEGER REFERENCES users (id),      -- NULL: the command line
    kind       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    request_id TEXT,
    at         INTEGER NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_kind_idx ON audit_log (kind, id);
CREATE INDEX audit_log_target_idx ON audit_log (target, id);

-- The dashboard's orders of today.
CREATE INDEX orders_ordered_at_idx ON orders (ordered_at);
