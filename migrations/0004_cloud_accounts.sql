-- Cloud Panel API tokens, one row per cloud account of an organisation.
--
-- The token is sealed (XChaCha20-Poly1305) under the master key; the
-- associated data names (org_id, id, key_id), so a ciphertext copied to
-- another row does not open. Only its last four characters are kept in clear.

CREATE TABLE cloud_accounts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    base_url TEXT NOT NULL,
    token_ciphertext BLOB NOT NULL,
    token_nonce BLOB NOT NULL,
    -- Which master key sealed it (MasterKey::id), so a rotation can hold two keys at once.
    key_id TEXT NOT NULL,
    token_last4 TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    -- When ping_auth last accepted the token.
    verified_at TEXT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (org_id, name),
    UNIQUE (id, org_id)
);

-- At most one default per organisation.
CREATE UNIQUE INDEX cloud_accounts_one_default ON cloud_accounts(org_id) WHERE is_default = 1;
