-- logusage schema, version 1.
-- Days are UTC calendar days 'YYYY-MM-DD'; bytes are whole bytes; timestamps are ISO-8601 UTC strings.

-- Every log id ever seen (in usage or in /management/logs). Names are the last known ones.
CREATE TABLE logs (
  id            TEXT PRIMARY KEY,
  name          TEXT,                            -- NULL when the management API never named it
  logsets       TEXT NOT NULL DEFAULT '[]',      -- JSON [{"id":…,"name":…}], last known
  in_management INTEGER NOT NULL DEFAULT 0,      -- 1 when the last /management/logs answer listed it
  first_seen    TEXT,                            -- first day with bytes > 0
  last_seen     TEXT,                            -- last day with bytes > 0
  updated_at    TEXT NOT NULL
) STRICT;

-- Bytes a log ingested on a day. On an observed day a log without a row used 0 bytes;
-- on a day that is not in observed_days nothing is known (a gap, never a zero).
CREATE TABLE usage (
  log_id TEXT NOT NULL REFERENCES logs(id),
  day    TEXT NOT NULL,
  bytes  INTEGER NOT NULL CHECK (bytes >= 0),
  PRIMARY KEY (log_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX usage_by_day ON usage(day);

-- Days for which a per-log fetch (or an import) covering them succeeded.
CREATE TABLE observed_days (
  day         TEXT PRIMARY KEY,
  source      TEXT NOT NULL CHECK (source IN ('api', 'import')),
  observed_at TEXT NOT NULL
) STRICT;

-- Organisation daily totals from /usage/organizations (includes logs deleted since).
CREATE TABLE org_usage (
  day        TEXT PRIMARY KEY,
  bytes      INTEGER NOT NULL CHECK (bytes >= 0),
  fetched_at TEXT NOT NULL
) STRICT;

-- One row per job run (collect, import, detect, run-daily, digest …).
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  job         TEXT NOT NULL,
  day         TEXT,
  window_from TEXT,
  window_to   TEXT,
  status      TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  error_code  TEXT,
  error       TEXT,
  details     TEXT,                               -- JSON, job-specific counts
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  duration_ms INTEGER
) STRICT;
CREATE INDEX runs_by_job ON runs(job, started_at);

-- Key/value settings changed at run time (budget, global sensitivity …); value is JSON.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT
) STRICT;

-- Per-log detection overrides and mutes.
CREATE TABLE log_settings (
  log_id      TEXT PRIMARY KEY,
  sensitivity REAL,                                -- multiplier of the band width; NULL = global
  min_bytes   INTEGER,                             -- absolute floor override, bytes/day
  muted       INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL,
  updated_by  TEXT
) STRICT;

-- Snoozes: no alert for the log until `until` (ISO timestamp).
CREATE TABLE snoozes (
  log_id     TEXT PRIMARY KEY,
  until      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT
) STRICT;

-- Absolute thresholds in bytes per day.
CREATE TABLE thresholds (
  id            INTEGER PRIMARY KEY,
  scope         TEXT NOT NULL CHECK (scope IN ('log', 'logset', 'org')),
  target        TEXT NOT NULL DEFAULT '',          -- log id, log set name, or '' for org
  bytes_per_day INTEGER NOT NULL CHECK (bytes_per_day > 0),
  created_at    TEXT NOT NULL,
  created_by    TEXT,
  UNIQUE (scope, target)
) STRICT;

-- Log set name → Slack channel id for its alerts.
CREATE TABLE routes (
  logset     TEXT PRIMARY KEY,
  channel    TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT
) STRICT;

-- Every change made from Slack or the CLI: who, what, when.
CREATE TABLE audit (
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  actor   TEXT NOT NULL,                           -- Slack user id or 'cli'
  action  TEXT NOT NULL,
  target  TEXT,
  details TEXT                                     -- JSON
) STRICT;

-- Named leases so two processes on one database never run the same job at once.
CREATE TABLE locks (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;
