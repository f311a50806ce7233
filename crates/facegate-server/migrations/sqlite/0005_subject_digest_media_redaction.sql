-- Equality on a person without the plaintext: HMAC-SHA256 of the normalised ID number under
-- a key derived from the PII key (subject_digest_key names it, so keys can rotate).
ALTER TABLE verifications ADD COLUMN subject_digest BLOB;
ALTER TABLE verifications ADD COLUMN subject_digest_key TEXT;
-- Set when the session's personal data was dropped (by the API or the retention job).
ALTER TABLE verifications ADD COLUMN redacted_at INTEGER;

CREATE INDEX verifications_subject_digest ON verifications (subject_digest, created_at DESC)
    WHERE subject_digest IS NOT NULL;
CREATE INDEX verifications_unredacted ON verifications (created_at)
    WHERE redacted_at IS NULL;

-- Vendor images kept only when media_retention_days > 0; sealed like PII, the associated data
-- binding each to its row ("<media id>/<verification id>").
CREATE TABLE media (
    id               TEXT PRIMARY KEY NOT NULL,
    verification_id  TEXT NOT NULL REFERENCES verifications (id),
    kind             TEXT NOT NULL,
    content_type     TEXT NOT NULL,
    sealed           BLOB NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE INDEX media_verification ON media (verification_id);
CREATE INDEX media_created ON media (created_at);
