-- Organisations (tenants), their roles, their members and pending invitations.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    -- The address segment: /o/{slug}/
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    -- Which built-in role this is (owner, admin, operator, viewer), NULL for a custom role.
    builtin TEXT CHECK (builtin IS NULL OR builtin IN ('owner', 'admin', 'operator', 'viewer')),
    -- The Cloud Panel's Permissions object: {"servers": {"show": true, ...}, ...}
    permissions TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (org_id, name),
    -- Lets memberships and invitations require a role of their own organisation.
    UNIQUE (id, org_id)
);
CREATE UNIQUE INDEX roles_one_builtin_each ON roles(org_id, builtin) WHERE builtin IS NOT NULL;

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (user_id, org_id),
    -- A member's role is always one of the same organisation; a held role cannot be deleted.
    FOREIGN KEY (role_id, org_id) REFERENCES roles(id, org_id)
);
CREATE INDEX memberships_org ON memberships(org_id, role_id);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email TEXT NOT NULL COLLATE NOCASE,
    role_id INTEGER NOT NULL,
    -- SHA-256 (hex) of the one-time token; the token itself is shown once to the inviter.
    token_hash TEXT NOT NULL UNIQUE,
    -- Unix seconds.
    expires_at INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    revoked_at INTEGER,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    FOREIGN KEY (role_id, org_id) REFERENCES roles(id, org_id) ON DELETE CASCADE
);
CREATE INDEX invitations_org ON invitations(org_id);
