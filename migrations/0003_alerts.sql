-- Alert episodes and the durable Slack outbox.

-- One row per alert episode. An episode is one Slack message: later days of the same episode
-- update it; it ends resolved (back to normal), accepted (new normal / marked as expected) or expired.
CREATE TABLE alerts (
  id           INTEGER PRIMARY KEY,
  episode_key  TEXT NOT NULL,                 -- 'log:<id>' | 'threshold:<id>' | 'budget:<YYYY-MM>:<level>' …
  scope        TEXT NOT NULL CHECK (scope IN ('log', 'logset', 'org')),
  log_id       TEXT,                          -- for scope 'log'
  target       TEXT,                          -- log set name / threshold id, for other scopes
  kind         TEXT NOT NULL,                 -- kind of the latest finding of the episode
  status       TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'accepted')),
  first_day    TEXT NOT NULL,                 -- first day with a finding
  last_day     TEXT NOT NULL,                 -- latest day with a finding
  finding_days INTEGER NOT NULL DEFAULT 1,    -- days with a finding in this episode
  normal_days  INTEGER NOT NULL DEFAULT 0,    -- consecutive normal days since last_day
  resolved_day TEXT,
  channel      TEXT,                          -- where its message lives (after routing)
  ts           TEXT,                          -- Slack ts of its message, once Slack accepted it
  last_finding TEXT NOT NULL,                 -- JSON of the latest Finding (src/detect/types.ts)
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX alerts_one_open_per_key ON alerts(episode_key) WHERE status = 'open';
CREATE INDEX alerts_by_status ON alerts(status, last_day);

-- Messages to Slack, written in the same transaction as the state change that caused them and
-- removed from the pending set only when Slack accepted them.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  idem_key        TEXT NOT NULL UNIQUE,       -- stable key of the intent (e.g. 'alert:12:post')
  channel         TEXT NOT NULL,
  method          TEXT NOT NULL,              -- 'post' | 'update' | 'reply' | 'upload'
  payload         TEXT NOT NULL,              -- JSON: text, blocks, …
  alert_id        INTEGER REFERENCES alerts(id),
  thread_outbox_id INTEGER REFERENCES outbox(id), -- reply/upload in the thread of another outbox message
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  result_ts       TEXT,                       -- ts Slack returned
  created_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(status, channel, id);

-- Notices sent at most once per period (budget levels per month, run-failure notices …).
CREATE TABLE notices (
  key        TEXT PRIMARY KEY,                -- e.g. 'budget:2026-11:projected-80'
  created_at TEXT NOT NULL
) STRICT;
