-- Alert rules' state, one row per rule and provider, shared by every replica: a transition
-- (resolved -> firing, firing -> resolved) is one conditional write, so one replica wins it
-- and one notification is queued per episode. notify_after is the delivery lease or retry time.
CREATE TABLE alerts (
    key              TEXT PRIMARY KEY NOT NULL,
    rule             TEXT NOT NULL,
    provider         TEXT NOT NULL,
    status           TEXT NOT NULL,
    episode          INTEGER NOT NULL,
    value            REAL NOT NULL,
    threshold        REAL NOT NULL,
    sample           INTEGER NOT NULL,
    fired_at         INTEGER NOT NULL,
    resolved_at      INTEGER,
    notify_pending   INTEGER NOT NULL,
    notify_after     INTEGER NOT NULL DEFAULT 0,
    notify_attempts  INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    updated_at       INTEGER NOT NULL
);

-- The admin statistics and the alert windows read sessions by completion time.
CREATE INDEX verifications_completed ON verifications (completed_at)
    WHERE completed_at IS NOT NULL;
