-- The cause inside a log (SPEC §6.6): the grouping key chosen per log from its top keys (cached), and each
-- explanation made (or the reason it could not be), one per log and day.
CREATE TABLE topkeys_cache (
  log_id TEXT PRIMARY KEY,
  -- chosen key, or NULL when the log has no host-like key
  group_key TEXT,
  -- JSON array of {key, weight} as Log Search listed them (first 50)
  topkeys TEXT NOT NULL,
  fetched_at TEXT NOT NULL
);

CREATE TABLE explanations (
  log_id TEXT NOT NULL,
  day TEXT NOT NULL,
  -- 'ok' | 'none' (nothing to tell) | 'failed'
  status TEXT NOT NULL,
  -- plain-text statement, or the failure's cause
  text TEXT NOT NULL,
  -- JSON: the analysis (key, contributors, shares, approximate) or {code}
  details TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (log_id, day)
);
