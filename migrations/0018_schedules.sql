-- Schedules: a bulk action at set times (weekdays at 20:00), in the
-- organisation's time zone, run with the permissions of the member who
-- made it, checked at each run.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    cloud_account_id INTEGER NOT NULL REFERENCES cloud_accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- A bulk action's key and its filter (JSON), as a bulk run stores them.
    action TEXT NOT NULL,
    selection TEXT NOT NULL,
    -- Days of the week as a bit mask (Monday = 1, Sunday = 64) and the
    -- minute of the day, in the organisation's time zone.
    days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    minute_of_day INTEGER NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    -- active, or paused (by a member, or because the author lost the
    -- permission: `paused_reason` says which).
    state TEXT NOT NULL CHECK (state IN ('active', 'paused')),
    paused_reason TEXT NOT NULL DEFAULT '',
    -- The next planned run (Unix seconds, UTC); a run claims it by moving
    -- it on, so a run is never started twice.
    next_run_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules(next_run_at) WHERE state = 'active';
CREATE INDEX schedules_org ON schedules(org_id, id);

CREATE TABLE schedule_runs (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL,
    -- When it was planned for, and what came of it: started (then ran,
    -- or failed), missed (the panel was down past the grace period),
    -- skipped (the previous run was still going), paused.
    planned_at INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN
        ('started', 'ran', 'failed', 'missed', 'skipped', 'paused')),
    note TEXT NOT NULL DEFAULT '',
    bulk_run_id INTEGER,
    at INTEGER NOT NULL
);
CREATE INDEX schedule_runs_schedule ON schedule_runs(schedule_id, id);
