-- Sizes and colours. A product has 0 to 3 options (사이즈 / Size), each
-- with ordered values (250, 260; 블랙 / Black); a variant is one
-- combination with its own SKU, price, stock and sale state, and the one
-- stock rule works on variants. Every product has at least one variant:
-- each existing product becomes one default variant (no options) with the
-- product's id, SKU, price and stock, so its movements, cart lines and
-- order lines name it by the id they already carry. A product's stock is
-- no longer kept on the product (it would be a second count to keep in
-- step): lists add up its on-sale variants'. Its `price` stays, as the
-- lowest on-sale variant's, for the lists' sort and index.
-- (PostgreSQL: same migration name.)

CREATE TABLE product_options (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    position   INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
    name       TEXT    NOT NULL,                    -- Korean
    name_en    TEXT,                                -- English pages fall back to Korean
    UNIQUE (product_id, position)
);

CREATE TABLE option_values (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    option_id INTEGER NOT NULL REFERENCES product_options (id),
    position  INTEGER NOT NULL,
    value     TEXT    NOT NULL,
    value_en  TEXT,
    -- Taken out of the option by staff: its variants are off sale, and it
    -- is kept because an order or a movement may name them.
    retired   INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    UNIQUE (option_id, value)
);

CREATE TABLE variants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products (id),
    sku        TEXT    NOT NULL UNIQUE,
    -- Its values' ids in the options' order, comma-separated ('' for the
    -- default variant of a product without options): one variant per
    -- combination.
    combo      TEXT    NOT NULL DEFAULT '',
    price      INTEGER NOT NULL CHECK (price > 0),
    stock      INTEGER NOT NULL CHECK (stock >= 0),
    on_sale    INTEGER NOT NULL DEFAULT 1 CHECK (on_sale IN (0, 1)),
    UNIQUE (product_id, combo)
);
INSERT INTO variants (id, product_id, sku, combo, price, stock, on_sale)
    SELECT id, id, sku, '', price, stock, 1 FROM products;
CREATE INDEX variants_low_stock_idx ON variants (stock, id);

-- Which value of each option a variant has (its `combo`, as rows to join).
CREATE TABLE variant_values (
    variant_id INTEGER NOT NULL REFERENCES variants (id),
    option_id  INTEGER NOT NULL REFERENCES product_options (id),
    value_id   INTEGER NOT NULL REFERENCES option_values (id),
    PRIMARY KEY (variant_id, option_id)
);

ALTER TABLE products DROP COLUMN stock;

-- Movements and price changes name the variant; the default variants
-- carry their product's id.
ALTER TABLE stock_movements ADD COLUMN variant_id INTEGER REFERENCES variants (id);
UPDATE stock_movements SET variant_id = product_id;
CREATE INDEX stock_movements_variant_idx ON stock_movements (variant_id, id);
ALTER TABLE price_changes ADD COLUMN variant_id INTEGER REFERENCES variants (id);
UPDATE price_changes SET variant_id = product_id;

-- A cart line is a variant: two sizes of one shoe are two lines.
CREATE TABLE cart_items_by_variant (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id  INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    added_price INTEGER NOT NULL,                   -- price when added, to flag changes
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, variant_id)
);
INSERT INTO cart_items_by_variant
        (user_id, product_id, variant_id, quantity, added_price, added_at)
    SELECT user_id, product_id, product_id, quantity, added_price, added_at FROM cart_items;
DROP TABLE cart_items;
ALTER TABLE cart_items_by_variant RENAME TO cart_items;

-- An order line is a variant, with its SKU and label as they were ordered
-- ('' for a product without options); the names per language stay per
-- product (`order_item_names`).
CREATE TABLE order_items_by_variant (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products (id),
    variant_id INTEGER NOT NULL REFERENCES variants (id),
    sku        TEXT    NOT NULL,
    name       TEXT    NOT NULL,                    -- snapshot at order time
    label      TEXT    NOT NULL DEFAULT '',         -- "사이즈 270 / 색상 블랙"
    label_en   TEXT    NOT NULL DEFAULT '',         -- "Size 270 / Colour Black"
    unit_price INTEGER NOT NULL CHECK (unit_price > 0),
    quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    PRIMARY KEY (order_id, variant_id)
);
INSERT INTO order_items_by_variant
        (order_id, product_id, variant_id, sku, name, unit_price, quantity)
    SELECT i.order_id, i.product_id, i.product_id, p.sku, i.name, i.unit_price, i.quantity
    FROM order_items i JOIN products p ON p.id = i.product_id;
DROP TABLE order_items;
ALTER TABLE order_items_by_variant RENAME TO order_items;
CREATE INDEX order_items_variant_idx ON order_items (variant_id);
