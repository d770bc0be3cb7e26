-- The brands on sale and how many products each has, kept by triggers: the
-- brand filter lists them without walking the products (a catalog of
-- 100,000 products from 200 makers took a 200-step walk per page), and the
-- home page shows the brands with the most products. A brand whose last
-- product leaves the shelf stays with 0 and is not listed. (SQLite: same
-- migration name.)
CREATE TABLE brand_counts (
    brand    TEXT   PRIMARY KEY,
    products BIGINT NOT NULL CHECK (products >= 0)
);
CREATE INDEX brand_counts_rank_idx ON brand_counts (products DESC, brand);
INSERT INTO brand_counts (brand, products)
    SELECT brand, COUNT(*) FROM products WHERE on_sale = 1 GROUP BY brand;

CREATE FUNCTION brand_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.on_sale = 1 THEN
        UPDATE brand_counts SET products = products - 1 WHERE brand = OLD.brand;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.on_sale = 1 THEN
        INSERT INTO brand_counts (brand, products) VALUES (NEW.brand, 1)
            ON CONFLICT (brand) DO UPDATE SET products = brand_counts.products + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER brand_counts_follow AFTER INSERT OR DELETE OR UPDATE OF brand, on_sale
    ON products FOR EACH ROW EXECUTE FUNCTION brand_counts_follow();
