-- logusage schema, version 2: detection.
-- "Mark as expected" (accept new normal): detection ignores a log's level history before this UTC day
-- ('YYYY-MM-DD'); NULL = no reset. See docs/detection.md ("Mark as expected and re-learning").
ALTER TABLE log_settings ADD COLUMN baseline_from TEXT;
