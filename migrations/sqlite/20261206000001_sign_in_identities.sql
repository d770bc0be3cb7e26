-- Sign-in with OpenID Connect providers (Kakao, Google, ...). An account
-- is found by the provider's (issuer, subject), never by email.
-- (PostgreSQL: same migration name.)

-- An account a provider made has a login id the shop generated, which its
-- owner may change once (1 until then), and no password ('') until they
-- set one: no password verifies against ''.
ALTER TABLE users ADD COLUMN login_id_generated INTEGER NOT NULL DEFAULT 0
    CHECK (login_id_generated IN (0, 1));

CREATE TABLE user_identities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    provider   TEXT    NOT NULL,   -- the configured name (OIDC_PROVIDERS)
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,   -- unix ms
    UNIQUE (issuer, subject),      -- one account per outside identity
    UNIQUE (user_id, provider)     -- one identity per provider per account
);
