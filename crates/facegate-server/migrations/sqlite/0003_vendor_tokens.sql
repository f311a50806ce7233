-- Vendor access tokens, shared by every replica; the token is encrypted like PII.
CREATE TABLE vendor_tokens (
    key         TEXT PRIMARY KEY NOT NULL,
    token       BLOB NOT NULL,
    expires_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
