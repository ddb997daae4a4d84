-- Which API a cloud account speaks. Only the IONOS Cloud Panel today; the
-- panel refuses to open an account whose provider it does not know.
ALTER TABLE cloud_accounts ADD COLUMN provider TEXT NOT NULL DEFAULT 'cloudpanel';
