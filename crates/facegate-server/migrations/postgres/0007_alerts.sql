-- Alert rules' state, one row per rule and provider, shared by every replica: a transition
-- (resolved -> firing, firing -> resolved) is one conditional write, so one replica wins it
-- and one notification is queued per episode. notify_after is the delivery lease or retry time.
CREATE TABLE alerts (
    key              TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    rule             TEXT NOT NULL,
    provider         TEXT NOT NULL,
    status           TEXT NOT NULL,
    episode          BIGINT NOT NULL,
    value            DOUBLE PRECISION NOT NULL,
    threshold        DOUBLE PRECISION NOT NULL,
    sample           BIGINT NOT NULL,
    fired_at         BIGINT NOT NULL,
    resolved_at      BIGINT,
    notify_pending   BIGINT NOT NULL,
    notify_after     BIGINT NOT NULL DEFAULT 0,
    notify_attempts  BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    updated_at       BIGINT NOT NULL
);

-- The admin statistics and the alert windows read sessions by completion time.
CREATE INDEX verifications_completed ON verifications (completed_at)
    WHERE completed_at IS NOT NULL;
