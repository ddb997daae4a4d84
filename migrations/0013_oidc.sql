-- Sign-in with the organisation's identity provider (OpenID Connect).

-- Which provider account is which panel user: the provider's (issuer,
-- subject) pair is the only key a sign-in is matched on once linked.
CREATE TABLE oidc_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Unix seconds.
    linked_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities(user_id);

-- A membership granted by a group claim (`teampanel:<org slug>:<role>`) at
-- sign-in. Only these are removed when the group disappears at the
-- provider; one an Owner made by hand is never touched by a sign-in.
ALTER TABLE memberships ADD COLUMN granted_by_group INTEGER NOT NULL DEFAULT 0
    CHECK (granted_by_group IN (0, 1));
