-- Webhook delivery claims: a replica leases an event while it delivers it (FOR UPDATE SKIP
-- LOCKED picks rows no other replica is claiming); a lease that runs out (the replica died)
-- makes the event claimable again. gave_up_at set: no more attempts.
ALTER TABLE events ADD COLUMN lease_until BIGINT;
ALTER TABLE events ADD COLUMN gave_up_at BIGINT;
