-- App Home, planned changes and log-set owners (SPEC §7, §9).
-- Days are UTC 'YYYY-MM-DD'; timestamps are ISO-8601 UTC strings; bytes are whole bytes.

-- Users who opened the bot's Home tab: their home view is published again after each daily run.
CREATE TABLE home_viewers (
  user_id   TEXT PRIMARY KEY,                  -- Slack user id (U…/W…)
  opened_at TEXT NOT NULL                      -- last app_home_opened
) STRICT;

-- Planned changes (`/logusage expect`): while one lasts, its log (or every log of its log set) is not
-- alerted for a spike whose day stays within the planned size; above it, the alert says so.
CREATE TABLE planned_changes (
  id         INTEGER PRIMARY KEY,
  scope      TEXT NOT NULL CHECK (scope IN ('log', 'logset')),
  target     TEXT NOT NULL,                    -- log id or log set name
  kind       TEXT NOT NULL CHECK (kind IN ('pct', 'bytes')),
  amount     REAL NOT NULL CHECK (amount > 0), -- pct: +N % over the expected day; bytes: bytes per day
  until_day  TEXT NOT NULL,                    -- last UTC day it covers (inclusive)
  why        TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT,
  ended_at   TEXT                              -- set when removed before its end
) STRICT;
CREATE INDEX planned_changes_by_end ON planned_changes(until_day);

-- Owner of a log set (a Slack user U…/W… or user group S…), mentioned in its alerts.
CREATE TABLE logset_owners (
  logset     TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT
) STRICT;
