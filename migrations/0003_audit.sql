-- The audit log: append-only, each row chained to the one before by a SHA-256 hash.
--
-- No foreign keys on purpose: the record of an organisation, user or cloud
-- account outlives it, and a cascade must never try to delete history.

CREATE TABLE audit_events (
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
    outcome TEXT NOT NULL CHECK (outcome IN ('requested', 'succeeded', 'failed', 'denied')),
    upstream_status INTEGER,
    error TEXT,
    -- Shared by the `requested` event of a remote change and its outcome.
    correlation_id TEXT,
    -- Hex SHA-256 of the previous row (64 zeros for the first row).
    prev_hash TEXT NOT NULL,
    -- Hex SHA-256(prev_hash || canonical serialization of this row).
    hash TEXT NOT NULL UNIQUE
);

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
