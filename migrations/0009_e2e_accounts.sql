-- E2E Networks accounts: the project and location every request names.
-- Their bearer token and API key are sealed together in token_ciphertext.
ALTER TABLE cloud_accounts ADD COLUMN project_id TEXT NOT NULL DEFAULT '';
ALTER TABLE cloud_accounts ADD COLUMN location TEXT NOT NULL DEFAULT '';
