-- Search by words in names, brands and descriptions, in every language,
-- with words of two characters (Korean's "가방"): the trigram indexes go and
-- `product_search` holds each product's title and body as words and the
-- pairs of neighbouring characters of those words ("grams") in a GIN
-- index. The app writes the rows (`catalog::search::refresh`); triggers
-- mark the products whose text changed, whoever changed it. (SQLite: FTS5,
-- same migration name.)
DROP INDEX products_name_trgm_idx;
DROP INDEX product_translations_name_trgm_idx;

CREATE TABLE product_search (
    product_id BIGINT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    title      TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    grams      TEXT[] NOT NULL
);
CREATE INDEX product_search_grams_idx ON product_search USING gin (grams);

-- Products whose row is to be (re)written; `version` moves with each mark,
-- so a refresh removes only the marks it has seen.
CREATE TABLE search_stale (
    product_id BIGINT PRIMARY KEY,
    version    BIGINT NOT NULL DEFAULT 1
);
INSERT INTO search_stale (product_id) SELECT id FROM products;

CREATE FUNCTION search_mark(product BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO search_stale (product_id) VALUES (product)
        ON CONFLICT (product_id) DO UPDATE SET version = search_stale.version + 1;
$$;
CREATE FUNCTION products_search_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_mark(NEW.id);
    RETURN NULL;
END
$$;
CREATE FUNCTION translations_search_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM search_mark(OLD.product_id);
    ELSE
        PERFORM search_mark(NEW.product_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_search_mark_insert AFTER INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION products_search_mark();
CREATE TRIGGER products_search_mark_update AFTER UPDATE OF name, brand, description ON products
    FOR EACH ROW EXECUTE FUNCTION products_search_mark();
CREATE TRIGGER translations_search_mark AFTER INSERT OR DELETE OR UPDATE OF name, description
    ON product_translations FOR EACH ROW EXECUTE FUNCTION translations_search_mark();
