-- TOTP two-factor sign-in: one second factor per user, its recovery codes,
-- and the organisations that require it of their members.

CREATE TABLE user_two_factor (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    -- The TOTP secret, sealed under the master key like a cloud account's
    -- token; the associated data binds it to the user.
    secret_ciphertext BLOB NOT NULL,
    secret_nonce BLOB NOT NULL,
    key_id TEXT NOT NULL,
    -- NULL while the enrolment awaits its first code: such a row signs nobody in.
    enabled_at INTEGER,
    -- The last time step whose code was accepted; a code of that step or an
    -- earlier one is refused, so a code works once.
    last_step INTEGER,
    created_at INTEGER NOT NULL
);

-- One-time recovery codes. Only a SHA-256 of each is stored.
CREATE TABLE two_factor_recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    UNIQUE (user_id, code_hash)
);

ALTER TABLE organisations ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0
    CHECK (require_two_factor IN (0, 1));
