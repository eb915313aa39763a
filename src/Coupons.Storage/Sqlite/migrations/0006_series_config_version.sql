-- Bumped with every change of a series' config: the customer listing reads the config (kilobytes of JSON per series,
-- up to a thousand series per listing) only for a series whose version it has not parsed yet.
ALTER TABLE series ADD COLUMN config_version INTEGER NOT NULL DEFAULT 1;
