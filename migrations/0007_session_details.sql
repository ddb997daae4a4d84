-- What the account page shows of each session: a public reference to end it
-- by (the id hash never leaves the server) and when the user signed in,
-- which survives the id renewal of a password change.

ALTER TABLE sessions ADD COLUMN public_id TEXT;
ALTER TABLE sessions ADD COLUMN signed_in_at INTEGER;
UPDATE sessions SET public_id = lower(hex(randomblob(12))), signed_in_at = created_at
    WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX sessions_public_id ON sessions(public_id);
