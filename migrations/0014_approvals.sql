-- Two-person approval: an Owner chooses which kinds of change need a second
-- member's approval; such a change is kept as a request (its API call
-- sealed, as the change queue keeps one) until another member approves,
-- rejects it, or it expires.

-- The kinds of change that need approval in an organisation
-- ('delete', 'reinstall', 'snapshot_restore', 'firewall_open').
CREATE TABLE approval_kinds (
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE approval_requests (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    cloud_account_id INTEGER NOT NULL REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- Who asked: the change runs as them, checked again when it runs.
    requester_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    requester_label TEXT NOT NULL,
    -- The change as its audit events name it.
    permission TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target_name TEXT NOT NULL,
    details TEXT NOT NULL,
    -- The API call, sealed (a body may hold a password) like a queued one.
    request_ciphertext BLOB NOT NULL,
    request_nonce BLOB NOT NULL,
    key_id TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    -- draft: kept, the requester has not said why yet; pending: asked;
    -- then approved (in the change queue), rejected, expired or cancelled.
    state TEXT NOT NULL CHECK (state IN
        ('draft', 'pending', 'approved', 'rejected', 'expired', 'cancelled')),
    decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    decided_label TEXT,
    decided_at INTEGER,
    note TEXT NOT NULL DEFAULT '',
    -- The change queue's row of an approved request.
    queue_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX approval_requests_open ON approval_requests(org_id, state);
CREATE INDEX approval_requests_expiry ON approval_requests(expires_at)
    WHERE state IN ('draft', 'pending');
