-- Webhook delivery claims: a replica leases an event while it delivers it; a lease that runs
-- out (the replica died) makes the event claimable again. next_attempt_at of NULL: given up.
ALTER TABLE events ADD COLUMN lease_until INTEGER;
ALTER TABLE events ADD COLUMN gave_up_at INTEGER;
