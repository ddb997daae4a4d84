-- Scoped roles: an Owner may limit a member's role to some cloud accounts,
-- to objects whose names start with a prefix, and to a datacenter. Stored
-- as one JSON object ({"accounts": [ids], "name_prefix": "...",
-- "datacenter": "..."}); NULL, the default, is the whole organisation. A
-- scope the panel cannot read opens nothing (the door refuses the
-- membership rather than guess at it).
ALTER TABLE memberships ADD COLUMN scope TEXT;
