-- Search by words in names, brands and descriptions, in every language,
-- with words of two characters (Korean's "가방"): the trigram tables go and
-- `product_search` holds each product's title and body as words and the
-- pairs of neighbouring characters of those words ("grams"), indexed by
-- FTS5. The app writes the rows (`catalog::search::refresh`); triggers mark
-- the products whose text changed, whoever changed it. (Postgres: a GIN
-- index of a text[], same migration name.)
DROP TRIGGER products_search_insert;
DROP TRIGGER products_search_delete;
DROP TRIGGER products_search_update;
DROP TABLE products_search;
DROP TRIGGER product_translations_search_insert;
DROP TRIGGER product_translations_search_delete;
DROP TRIGGER product_translations_search_update;
DROP TABLE product_translations_search;

CREATE TABLE product_search (
    product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    grams      TEXT NOT NULL
);
-- The grams are letters and digits separated by spaces: the ascii
-- tokenizer makes each a token, whatever its script.
CREATE VIRTUAL TABLE product_search_grams USING fts5 (
    grams,
    content = 'product_search',
    content_rowid = 'product_id',
    tokenize = 'ascii'
);
CREATE TRIGGER product_search_insert AFTER INSERT ON product_search BEGIN
    INSERT INTO product_search_grams (rowid, grams) VALUES (new.product_id, new.grams);
END;
CREATE TRIGGER product_search_delete AFTER DELETE ON product_search BEGIN
    INSERT INTO product_search_grams (product_search_grams, rowid, grams)
        VALUES ('delete', old.product_id, old.grams);
END;
CREATE TRIGGER product_search_update AFTER UPDATE ON product_search BEGIN
    INSERT INTO product_search_grams (product_search_grams, rowid, grams)
        VALUES ('delete', old.product_id, old.grams);
    INSERT INTO product_search_grams (rowid, grams) VALUES (new.product_id, new.grams);
END;

-- Products whose row is to be (re)written; `version` moves with each mark,
-- so a refresh removes only the marks it has seen.
CREATE TABLE search_stale (
    product_id INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 1
);
INSERT INTO search_stale (product_id) SELECT id FROM products;

CREATE TRIGGER products_search_mark_insert AFTER INSERT ON products BEGIN
    INSERT INTO search_stale (product_id) VALUES (new.id)
        ON CONFLICT (product_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER products_search_mark_update AFTER UPDATE OF name, brand, description ON products BEGIN
    INSERT INTO search_stale (product_id) VALUES (new.id)
        ON CONFLICT (product_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER translations_search_mark_insert AFTER INSERT ON product_translations BEGIN
    INSERT INTO search_stale (product_id) VALUES (new.product_id)
        ON CONFLICT (product_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER translations_search_mark_update AFTER UPDATE OF name, description ON product_translations BEGIN
    INSERT INTO search_stale (product_id) VALUES (new.product_id)
        ON CONFLICT (product_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER translations_search_mark_delete AFTER DELETE ON product_translations BEGIN
    INSERT INTO search_stale (product_id) VALUES (old.product_id)
        ON CONFLICT (product_id) DO UPDATE SET version = version + 1;
END;
