-- Name search without reading every product: a trigram index (pg_trgm) on
-- the lower-cased name, which `LOWER(name) LIKE '%…%'` uses for a search of
-- 3 characters or more. (SQLite: an FTS5 trigram table, same migration name.)
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_name_trgm_idx ON products USING gin (LOWER(name) gin_trgm_ops);
