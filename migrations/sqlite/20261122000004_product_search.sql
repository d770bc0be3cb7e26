-- Name search without reading every product: a trigram index of product
-- names (FTS5), kept in step with the products table by triggers. A search
-- of 3 characters or more asks it for the candidates; `LIKE` stays the
-- exact test. (Postgres: a pg_trgm index, same migration name.)
CREATE VIRTUAL TABLE products_search USING fts5 (
    name,
    content = 'products',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO products_search (rowid, name) SELECT id, name FROM products;

CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
    INSERT INTO products_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
    INSERT INTO products_search (products_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF name ON products BEGIN
    INSERT INTO products_search (products_search, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO products_search (rowid, name) VALUES (new.id, new.name);
END;
