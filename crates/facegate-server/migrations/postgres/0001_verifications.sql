-- Sessions: one row per verification. Times are unix milliseconds (BIGINT), as on SQLite.
-- Ids compare bytewise (COLLATE "C"), as SQLite does: list pages break created_at ties by id.
CREATE TABLE verifications (
    id                        TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    provider                  TEXT NOT NULL,
    status                    TEXT NOT NULL,
    reference                 TEXT,
    client_secret_hash        BYTEA NOT NULL,
    -- The secret itself, encrypted: an idempotent replay of a create returns it again.
    client_secret_sealed      BYTEA NOT NULL,
    -- AES-256-GCM ciphertexts (see pii.rs) and their masked forms for output.
    subject_name              BYTEA,
    subject_id_number         BYTEA,
    subject_name_masked       TEXT,
    subject_id_number_masked  TEXT,
    return_url                TEXT NOT NULL,
    vendor_ref                TEXT,
    next_action               TEXT,
    result                    TEXT,
    vendor_state              TEXT,
    api_key_id                TEXT,
    idempotency_key           TEXT,
    version                   BIGINT NOT NULL DEFAULT 0,
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL,
    expires_at                BIGINT NOT NULL,
    completed_at              BIGINT,
    last_checked_at           BIGINT
);

CREATE INDEX verifications_newest ON verifications (created_at DESC, id DESC);
CREATE INDEX verifications_reference ON verifications (reference, created_at DESC, id DESC);
CREATE INDEX verifications_status ON verifications (status, created_at DESC, id DESC);
CREATE INDEX verifications_open ON verifications (expires_at)
    WHERE status IN ('pending', 'processing');
CREATE UNIQUE INDEX verifications_vendor_ref ON verifications (provider, vendor_ref)
    WHERE vendor_ref IS NOT NULL;
CREATE UNIQUE INDEX verifications_idempotency ON verifications (api_key_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- The webhook outbox: written in the same transaction as the state change it reports.
CREATE TABLE events (
    id               TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    verification_id  TEXT NOT NULL REFERENCES verifications (id),
    type             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    payload          TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    delivered_at     BIGINT,
    last_error       TEXT
);

CREATE INDEX events_undelivered ON events (next_attempt_at) WHERE delivered_at IS NULL;
CREATE UNIQUE INDEX events_one_final_per_session ON events (verification_id, type);
