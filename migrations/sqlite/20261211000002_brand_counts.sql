-- The brands on sale and how many products each has, kept by triggers: the
-- brand filter lists them without walking the products (a catalog of
-- 100,000 products from 200 makers took a 200-step walk per page), and the
-- home page shows the brands with the most products. A brand whose last
-- product leaves the shelf stays with 0 and is not listed. (Postgres: same
-- migration name.)
CREATE TABLE brand_counts (
    brand    TEXT    PRIMARY KEY,
    products INTEGER NOT NULL CHECK (products >= 0)
);
CREATE INDEX brand_counts_rank_idx ON brand_counts (products DESC, brand);
INSERT INTO brand_counts (brand, products)
    SELECT brand, COUNT(*) FROM products WHERE on_sale = 1 GROUP BY brand;

CREATE TRIGGER brand_counts_insert AFTER INSERT ON products WHEN new.on_sale = 1 BEGIN
    INSERT INTO brand_counts (brand, products) VALUES (new.brand, 1)
        ON CONFLICT (brand) DO UPDATE SET products = products + 1;
END;
CREATE TRIGGER brand_counts_delete AFTER DELETE ON products WHEN old.on_sale = 1 BEGIN
    UPDATE brand_counts SET products = products - 1 WHERE brand = old.brand;
END;
CREATE TRIGGER brand_counts_update AFTER UPDATE OF brand, on_sale ON products BEGIN
    UPDATE brand_counts SET products = products - 1 WHERE brand = old.brand AND old.on_sale = 1;
    INSERT INTO brand_counts (brand, products) SELECT new.brand, 1 WHERE new.on_sale = 1
        ON CONFLICT (brand) DO UPDATE SET products = products + 1;
END;
