-- Merchant API keys: the key is `fg_live_<id>_<secret>`; only SHA-256 of the whole key is
-- stored, looked up by id and compared in constant time. Times are unix milliseconds.
CREATE TABLE api_keys (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    label         TEXT,
    key_hash      BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
