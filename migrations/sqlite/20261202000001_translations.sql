-- Product names and descriptions in each language of the shop. The
-- product's own `name` stays its base name: what events and error details
-- carry, and what a page shows in a language the product has no text in.
-- (Postgres: same migration name.)
CREATE TABLE product_translations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    lang        TEXT    NOT NULL CHECK (lang IN ('ko', 'en')),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    UNIQUE (product_id, lang)
);
-- Every product so far was written in English.
INSERT INTO product_translations (product_id, lang, name, description)
    SELECT id, 'en', name, description FROM products;

-- Name search in every language: a trigram index of the translated names
-- beside the one of the base names (products_search).
CREATE VIRTUAL TABLE product_translations_search USING fts5 (
    name,
    content = 'product_translations',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO product_translations_search (rowid, name) SELECT id, name FROM product_translations;

CREATE TRIGGER product_translations_search_insert AFTER INSERT ON product_translations BEGIN
    INSERT INTO product_translations_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER product_translations_search_delete AFTER DELETE ON product_translations BEGIN
    INSERT INTO product_translations_search (product_translations_search, rowid, name)
        VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER product_translations_search_update AFTER UPDATE OF name ON product_translations BEGIN
    INSERT INTO product_translations_search (product_translations_search, rowid, name)
        VALUES ('delete', old.id, old.name);
    INSERT INTO product_translations_search (rowid, name) VALUES (new.id, new.name);
END;

-- An order line's name as it was when ordered, in each language the
-- product had; `order_items.name` keeps the base name.
CREATE TABLE order_item_names (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    lang       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    PRIMARY KEY (order_id, product_id, lang)
);
INSERT INTO order_item_names (order_id, product_id, lang, name)
    SELECT order_id, product_id, 'en', name FROM order_items;
