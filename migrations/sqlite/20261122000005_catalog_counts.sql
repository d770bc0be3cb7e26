-- A brand's page lists its newest products straight from one index,
-- however few the brand has (the old brand index served counts only).
CREATE INDEX products_brand_created_idx ON products (brand, created_at);
DROP INDEX products_brand_idx;

-- The catalog's size, kept by triggers, so an unfiltered listing does not
-- count every product on every page. (Postgres: statement triggers.)
CREATE TABLE catalog_counts (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    products INTEGER NOT NULL CHECK (products >= 0)
);
INSERT INTO catalog_counts (id, products) SELECT 1, COUNT(*) FROM products;
CREATE TRIGGER products_count_insert AFTER INSERT ON products BEGIN
    UPDATE catalog_counts SET products = products + 1 WHERE id = 1;
END;
CREATE TRIGGER products_count_delete AFTER DELETE ON products BEGIN
    UPDATE catalog_counts SET products = products - 1 WHERE id = 1;
END;
