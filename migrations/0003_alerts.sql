-- Alert episodes, the durable Slack outbox and once-per-period notices.
-- Days are UTC 'YYYY-MM-DD'; timestamps are ISO-8601 UTC strings.

-- One row per alert episode. An episode is one Slack message: later days of the same episode
-- update it; it ends resolved (back to normal) or accepted (new normal / marked as expected / muted).
CREATE TABLE alerts (
  id            INTEGER PRIMARY KEY,
  episode_key   TEXT NOT NULL,                 -- 'log:<id>' | 'threshold:<id>' | 'new:<log id>' …
  scope         TEXT NOT NULL CHECK (scope IN ('log', 'logset', 'org')),
  log_id        TEXT,                          -- for scope 'log'
  target        TEXT,                          -- log set name / threshold id, for other scopes
  kind          TEXT NOT NULL,                 -- kind of the latest finding of the episode
  status        TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'accepted')),
  first_day     TEXT NOT NULL,                 -- first day with a finding
  last_day      TEXT NOT NULL,                 -- latest day with a finding
  evaluated_day TEXT NOT NULL,                 -- latest day the lifecycle judged this episode (idempotence)
  finding_days  INTEGER NOT NULL DEFAULT 1,    -- days with a finding in this episode
  normal_days   INTEGER NOT NULL DEFAULT 0,    -- consecutive normal days since last_day
  resolved_day  TEXT,                          -- day it was resolved or accepted
  end_reason    TEXT,                          -- 'normal' | 'level-shift' | 'marked-expected' | 'muted' | 'one-off'
  channel       TEXT,                          -- where its message lives (after routing)
  ts            TEXT,                          -- Slack ts of its message, once Slack accepted it
  last_finding  TEXT NOT NULL,                 -- JSON of the latest Finding (src/detect/types.ts)
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX alerts_one_open_per_key ON alerts(episode_key) WHERE status = 'open';
CREATE INDEX alerts_by_status ON alerts(status, last_day);
CREATE INDEX alerts_by_log ON alerts(log_id, id);

-- Days the alert lifecycle has processed: a day is processed once, atomically with every alert
-- change and outbox message it caused, so running a day again changes nothing.
CREATE TABLE alert_days (
  day          TEXT PRIMARY KEY,
  findings     INTEGER NOT NULL,
  processed_at TEXT NOT NULL
) STRICT;

-- Messages to Slack, written in the same transaction as the state change that caused them and
-- marked sent only when Slack accepted them. Sent in id order per channel.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  idem_key         TEXT NOT NULL UNIQUE,       -- stable key of the intent (e.g. 'alert:12:post'); also in the message metadata
  channel          TEXT NOT NULL,
  method           TEXT NOT NULL CHECK (method IN ('post', 'update', 'reply', 'upload')),
  payload          TEXT NOT NULL,              -- JSON: text, blocks, … (upload: filename, title, base64 PNG)
  alert_id         INTEGER REFERENCES alerts(id),
  parent_outbox_id INTEGER REFERENCES outbox(id), -- update: the post it edits; reply/upload: the post whose thread it joins
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  inflight_at      TEXT,                       -- set before a send, cleared when its outcome is recorded: non-NULL on a pending row = outcome unknown
  last_error       TEXT,
  result_ts        TEXT,                       -- ts Slack returned (post/reply), or the file id (upload)
  created_at       TEXT NOT NULL,
  sent_at          TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(status, channel, id);
CREATE INDEX outbox_by_alert ON outbox(alert_id);

-- Notices sent at most once per period (budget levels per month, run-failure notices, new logs …).
CREATE TABLE notices (
  key        TEXT PRIMARY KEY,                -- e.g. 'budget:2026-11:projected-80', 'run-failed:run-daily'
  details    TEXT,                            -- JSON: what the notice said (status shows it)
  created_at TEXT NOT NULL
) STRICT;
