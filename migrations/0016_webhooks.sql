-- Signed webhooks: an organisation's endpoints, one delivery per (endpoint,
-- audit event) it subscribes to, and each delivery's attempts. A worker
-- reads the audit log after a cursor, so no page's write path changes.

CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- 1 when an instance admin saved a URL outside
    -- TEAMPANEL_ALLOWED_WEBHOOK_URLS: their call, so it is still sent.
    url_set_by_admin INTEGER NOT NULL DEFAULT 0,
    -- JSON arrays: family keys (["all"] for every family) and outcomes.
    families TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- The signing secret, sealed: it is needed in clear to sign, so it
    -- cannot be a hash.
    secret_ciphertext BLOB NOT NULL,
    secret_nonce BLOB NOT NULL,
    key_id TEXT NOT NULL,
    -- Only audit events after this one are delivered: an endpoint does not
    -- receive the history from before it was made.
    after_event_id INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_label TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_org ON webhook_endpoints(org_id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    -- The audit event delivered (no foreign key: the log is append-only).
    event_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    -- What a receiver sees (X-Teampanel-Delivery), the same on every
    -- attempt so it can drop a repeat; random, so it tells nothing of
    -- other organisations.
    public_id TEXT NOT NULL UNIQUE,
    -- pending: waits for its next attempt; sending: an attempt is under way
    -- (found so at start-up: the panel stopped mid-call); delivered; failed:
    -- no 2xx within a day of its first attempt.
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds: the backoff's base may be shorter than a second.
    next_attempt_at INTEGER NOT NULL,
    first_attempt_at INTEGER,
    -- 1 while a redelivery asked by hand is due: one attempt, no retries.
    by_hand INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    -- A restart, or a panel killed mid-routing, never makes a second one.
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    -- Unix milliseconds.
    at INTEGER NOT NULL,
    -- delivered (2xx), failed (another answer, or none), refused (the URL
    -- is no longer allowed: nothing was sent).
    result TEXT NOT NULL CHECK (result IN ('delivered', 'failed', 'refused')),
    http_status INTEGER,
    -- In plain words; never the answer's body.
    error TEXT,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    by_hand INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);

-- How far the worker has read the audit log: one row. It starts at the
-- log's end, so upgrading delivers nothing old.
CREATE TABLE webhook_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO webhook_cursor (id, last_event_id)
    SELECT 1, COALESCE(MAX(id), 0) FROM audit_events;
