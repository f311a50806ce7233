-- Vendor access tokens, shared by every replica; the token is encrypted like PII.
CREATE TABLE vendor_tokens (
    key         TEXT PRIMARY KEY NOT NULL,
    token       BYTEA NOT NULL,
    expires_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
