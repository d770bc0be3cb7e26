-- The first answer of each idempotency key, sent again on a retry.
ALTER TABLE idempotency_keys ADD COLUMN response TEXT;
