-- Evidence a front end or a vendor push handed over (WeChat's verify_result), by its SHA-256:
-- each piece decides at most one session (session::observe spends it before asking the vendor).
CREATE TABLE spent_evidence (
    provider         TEXT NOT NULL,
    digest           BYTEA NOT NULL,
    verification_id  TEXT NOT NULL REFERENCES verifications (id),
    spent_at         BIGINT NOT NULL,
    PRIMARY KEY (provider, digest)
);
