-- Admin sessions ended by "Log out" before their cookie expires: the SHA-256 of the cookie's
-- value, kept until that expiry, so a copied cookie stops working on every replica at once.
CREATE TABLE admin_logouts (
    session    BLOB PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
