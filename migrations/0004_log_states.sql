-- logusage schema, version 4: the three states of a log, internal logs, grouped alert messages (SPEC §4, §7).

-- 1 once a /management/logs answer listed the log. With in_management it gives the three states:
-- listed (in_management = 1); never listed (ever_listed = 0: known from an import or the usage API only,
-- never called deleted); no longer listed (ever_listed = 1, in_management = 0: deleted, last name kept).
ALTER TABLE logs ADD COLUMN ever_listed INTEGER NOT NULL DEFAULT 0;
-- Facts from /management/logs (NULL when never listed). Tokens themselves are never stored, only their number.
ALTER TABLE logs ADD COLUMN source_type TEXT;                             -- 'token', 'agent', 'internal', …
ALTER TABLE logs ADD COLUMN platform_managed INTEGER NOT NULL DEFAULT 0;  -- user_data.platform_managed = "true"
ALTER TABLE logs ADD COLUMN retention_period TEXT;                        -- 'default' or what Rapid7 says
ALTER TABLE logs ADD COLUMN token_count INTEGER;

-- Existing rows: listed now, or carrying log sets (only /management/logs gives log sets), or named while no
-- import ever ran (only /management/logs gives names then) → it was listed. Otherwise it stays "never listed":
-- a log that cannot be proven deleted is shown by its name, never called deleted.
UPDATE logs SET ever_listed = 1
 WHERE in_management = 1
    OR logsets <> '[]'
    OR (name IS NOT NULL AND NOT EXISTS (SELECT 1 FROM runs WHERE job = 'import'));

-- Past a few alerts in one channel on one day, their episodes share ONE grouped message (SPEC §7).
-- Each episode stays its own row in `alerts` (group_id set); the group's message is the outbox post
-- 'group:<id>:post', rebuilt ('group:<id>:update:<day>') when one of its episodes changes.
CREATE TABLE alert_groups (
  id         INTEGER PRIMARY KEY,
  channel    TEXT NOT NULL,
  day        TEXT NOT NULL,                 -- UTC day of the findings it lists
  notices    TEXT NOT NULL DEFAULT '[]',    -- JSON Finding[]: one-off notices listed in it (no episode)
  created_at TEXT NOT NULL,
  UNIQUE (channel, day)
) STRICT;
ALTER TABLE alerts ADD COLUMN group_id INTEGER REFERENCES alert_groups(id);
CREATE INDEX alerts_by_group ON alerts(group_id) WHERE group_id IS NOT NULL;
