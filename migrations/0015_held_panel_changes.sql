-- Changes to the panel's own tables may be held for approval too (who has
-- access, a cloud account's token): such a request concerns no cloud
-- account, or one it does not send anything to. SQLite cannot loosen a
-- column's NOT NULL in place, so the table is copied.
CREATE TABLE approval_requests_new (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- The account a held API call goes to, or a held token is for; NULL
    -- for a change of access.
    cloud_account_id INTEGER REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    requester_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    requester_label TEXT NOT NULL,
    permission TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_name TEXT NOT NULL,
    details TEXT NOT NULL,
    -- What it would do, sealed: the API call, or the panel's own change
    -- (which may hold an invitation's token or an account's credentials).
    request_ciphertext BLOB NOT NULL,
    request_nonce BLOB NOT NULL,
    key_id TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN
        ('draft', 'pending', 'approved', 'rejected', 'expired', 'cancelled')),
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_label TEXT,
    decided_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    queue_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
INSERT INTO approval_requests_new SELECT
    id, org_id, cloud_account_id, kind, requester_id, requester_label, permission, action,
    target_kind, target_id, target_name, details, request_ciphertext, request_nonce, key_id,
    reason, state, decided_by, decided_label, decided_at, note, queue_id, created_at, expires_at
FROM approval_requests;
DROP TABLE approval_requests;
ALTER TABLE approval_requests_new RENAME TO approval_requests;
CREATE INDEX approval_requests_open ON approval_requests(org_id, state);
CREATE INDEX approval_requests_expiry ON approval_requests(expires_at)
    WHERE state IN ('draft', 'pending');
