-- Merchant API keys: the key is `fg_live_<id>_<secret>`; only SHA-256 of the whole key is
-- stored, looked up by id and compared in constant time. Times are unix milliseconds.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY NOT NULL,
    label         TEXT,
    key_hash      BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);
