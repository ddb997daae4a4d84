-- Bulk actions: a member's action on many objects of one cloud account at
-- once (power off every dev server, snapshot a set before a release). Each
-- item that runs is a change in the account's queue, sent, checked and
-- audited one by one; the run keeps the plan (what was chosen, what was
-- skipped and why, the estimate) and which change is whose.
CREATE TABLE bulk_runs (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    cloud_account_id INTEGER NOT NULL REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    -- The family's URL word (`servers`) and the action's key (`power_off`).
    family TEXT NOT NULL,
    action TEXT NOT NULL,
    requester_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    requester_label TEXT NOT NULL,
    -- What was chosen, as JSON: the rows ticked, or the filter.
    selection TEXT NOT NULL,
    -- The schedule that ran it, if one did.
    schedule_id INTEGER,
    -- The dry run's estimate when it started, in seconds.
    estimate_secs INTEGER NOT NULL,
    -- cancelled by a member, or not: whether it has finished is its
    -- items' changes' states (none waiting or being sent).
    state TEXT NOT NULL CHECK (state IN ('running', 'cancelled')),
    created_at INTEGER NOT NULL,
    cancelled_at INTEGER
);
CREATE INDEX bulk_runs_org ON bulk_runs(org_id, id);

CREATE TABLE bulk_items (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES bulk_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    target_id TEXT NOT NULL,
    target_name TEXT NOT NULL,
    -- Why it was left out (wrong state, outside the scope); NULL when it runs.
    skipped TEXT,
    -- Its change in the account's queue: the outcome is that row's.
    queue_id INTEGER
);
CREATE INDEX bulk_items_run ON bulk_items(run_id, position);
