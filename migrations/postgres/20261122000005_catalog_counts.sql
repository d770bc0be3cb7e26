-- A brand's page lists its newest products straight from one index,
-- however few the brand has (the old brand index served counts only).
CREATE INDEX products_brand_created_idx ON products (brand, created_at);
DROP INDEX products_brand_idx;

-- The catalog's size, kept by triggers, so an unfiltered listing does not
-- count every product on every page. One update per statement, however
-- many rows it inserts or deletes. (SQLite: row triggers.)
CREATE TABLE catalog_counts (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    products BIGINT NOT NULL CHECK (products >= 0)
);
INSERT INTO catalog_counts (id, products) SELECT 1, COUNT(*) FROM products;

CREATE FUNCTION catalog_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET products = products + (SELECT COUNT(*) FROM added) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE FUNCTION catalog_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET products = products - (SELECT COUNT(*) FROM removed) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_count_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION catalog_count_added();
CREATE TRIGGER products_count_delete AFTER DELETE ON products
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION catalog_count_removed();
