-- The change queue (issue 22): a change that finds its cloud account's
-- request budget spent waits here and is sent when the budget allows,
-- instead of being turned away.
--
-- 1. The audit log learns the queue's outcomes: `queued` (the change waits),
--    `cancelled` (a member took it out before it ran) and `abandoned` (the
--    panel stopped while sending it; it is never sent again). SQLite cannot
--    change a CHECK constraint in place, so the table is rebuilt: the rows
--    are copied unchanged (the hash chain still verifies), then the indexes
--    and the append-only triggers are created again exactly as in 0003.

DROP TRIGGER audit_events_no_update;
DROP TRIGGER audit_events_no_delete;

CREATE TABLE audit_events_rebuilt (
    id INTEGER PRIMARY KEY,
    -- UTC, fixed width (2024-05-01T12:00:00.000Z) so text order is time order.
    at TEXT NOT NULL,
    -- NULL: an installation-wide event (sign-ins, users, organisations).
    org_id INTEGER,
    actor_id INTEGER,
    actor_label TEXT NOT NULL DEFAULT '',
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    -- e.g. server.power_off, member.invite, auth.sign_in
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    target_name TEXT NOT NULL DEFAULT '',
    cloud_account_id INTEGER,
    -- Redacted JSON, stored exactly as it was hashed.
    details TEXT NOT NULL DEFAULT 'null',
    outcome TEXT NOT NULL CHECK (outcome IN (
        'requested', 'succeeded', 'failed', 'denied', 'queued', 'cancelled', 'abandoned'
    )),
    upstream_status INTEGER,
    error TEXT,
    -- Shared by the `requested` event of a remote change and its outcome.
    correlation_id TEXT,
    -- Hex SHA-256 of the previous row (64 zeros for the first row).
    prev_hash TEXT NOT NULL,
    -- Hex SHA-256(prev_hash || canonical serialization of this row).
    hash TEXT NOT NULL UNIQUE
);

INSERT INTO audit_events_rebuilt (
    id, at, org_id, actor_id, actor_label, ip, user_agent, request_id, action,
    target_kind, target_id, target_name, cloud_account_id, details, outcome,
    upstream_status, error, correlation_id, prev_hash, hash
)
SELECT
    id, at, org_id, actor_id, actor_label, ip, user_agent, request_id, action,
    target_kind, target_id, target_name, cloud_account_id, details, outcome,
    upstream_status, error, correlation_id, prev_hash, hash
FROM audit_events;

DROP TABLE audit_events;
ALTER TABLE audit_events_rebuilt RENAME TO audit_events;

CREATE INDEX audit_events_org ON audit_events(org_id, id);
CREATE INDEX audit_events_org_at ON audit_events(org_id, at);
CREATE INDEX audit_events_correlation ON audit_events(correlation_id) WHERE correlation_id IS NOT NULL;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused');
END;

-- 2. The queue itself, one row per waiting (or finished) change.
--
-- No foreign keys on purpose: a change queued for an account, member or
-- organisation that is later removed must stay on record until the worker
-- has dropped it with its audit event, never vanish in a cascade.
--
-- The request as it goes over the wire (method, path, query, body) can hold
-- a password, so it is sealed under the master key like the tokens; the
-- associated data names (org_id, id, key_id), so a ciphertext moved to
-- another row or organisation does not open. `details` is the audit log's
-- redacted description of the change, never the request.

CREATE TABLE change_queue (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    cloud_account_id INTEGER NOT NULL,
    -- The member who asked, and their audit context when they did.
    user_id INTEGER,
    actor_label TEXT NOT NULL DEFAULT '',
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    -- The permission the change was checked with (e.g. servers.shutdown);
    -- checked again before it is sent.
    permission TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id TEXT NOT NULL DEFAULT '',
    target_name TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT 'null',
    -- Shared with the change's audit events.
    correlation_id TEXT NOT NULL,
    request_ciphertext BLOB NOT NULL,
    request_nonce BLOB NOT NULL,
    -- Which master key sealed it (MasterKey::id).
    key_id TEXT NOT NULL,
    -- queued: waits; running: being sent (left so only if the panel stopped
    -- meanwhile, then `abandoned` at the next start, never sent twice);
    -- dropped: the member lost the permission or the account is gone.
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN (
        'queued', 'running', 'succeeded', 'failed', 'cancelled', 'abandoned', 'dropped'
    )),
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    upstream_status INTEGER,
    error TEXT
);

CREATE INDEX change_queue_account ON change_queue(cloud_account_id, state, id);
CREATE INDEX change_queue_org ON change_queue(org_id, state, id);
