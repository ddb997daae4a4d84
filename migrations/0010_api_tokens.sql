-- Personal access tokens for the JSON API (/api/v1/o/{slug}/...): each one
-- belongs to one member of one organisation and acts as that member, with
-- either the role's `show` flags only ('read') or the whole role ('role').
--
-- A token is `tp_` and 40 random url-safe characters (240 bits). Only its
-- SHA-256 is stored, as with invitation links. A slow password hash
-- (argon2) exists to make guessing a *chosen* secret expensive; a random
-- 240-bit value cannot be guessed whatever the hash, while every API request
-- looks its token up, so the hash must be fast and indexable: one SHA-256
-- and a lookup on the unique index below.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- The first characters after `tp_`, shown in lists so a member can
    -- recognise a token; too short to be of use to anyone else.
    prefix TEXT NOT NULL,
    -- SHA-256 (hex) of the whole token.
    hash TEXT NOT NULL UNIQUE,
    access TEXT NOT NULL CHECK (access IN ('read', 'role')),
    -- Unix seconds.
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    -- Written at most once a minute per token.
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_org_user ON api_tokens(org_id, user_id);
