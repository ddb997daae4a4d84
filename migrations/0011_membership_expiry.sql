-- Access that expires: a membership may end at a set time (Unix seconds;
-- NULL, the default, never). From that time the door no longer finds the
-- membership (every page, form and API token of the member in that
-- organisation is refused at once); the panel's sweep then removes it and
-- cancels the member's waiting changes, each step audited.
ALTER TABLE memberships ADD COLUMN expires_at INTEGER;
CREATE INDEX memberships_expiry ON memberships(expires_at) WHERE expires_at IS NOT NULL;
