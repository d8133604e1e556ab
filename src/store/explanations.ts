/**
 * Root-cause storage (migration 0005): the grouping key chosen per log from its top keys, and one explanation
 * per log and UTC day. Explanations hold no secret: a statement in words, or the failure's cause.
 */
import type { Db } from './db.js';

export interface CachedTopKeys {
  logId: string;
  /** Chosen key, or null when the log has no host-like key. */
  groupKey: string | null;
  topkeys: Array<{ key: string; weight: number }>;
  fetchedAt: string;
}

export function getTopKeys(db: Db, logId: string): CachedTopKeys | undefined {
  const r = db.prepare('SELECT log_id, group_key, topkeys, fetched_at FROM topkeys_cache WHERE log_id = ?').get(logId) as
    | { log_id: string; group_key: string | null; topkeys: string; fetched_at: string }
    | undefined;
  if (!r) return undefined;
  return { logId: r.log_id, groupKey: r.group_key, topkeys: JSON.parse(r.topkeys) as CachedTopKeys['topkeys'], fetchedAt: r.fetched_at };
}

export function putTopKeys(db: Db, c: CachedTopKeys): void {
  db.prepare(
    `INSERT INTO topkeys_cache (log_id, group_key, topkeys, fetched_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(log_id) DO UPDATE SET group_key = excluded.group_key, topkeys = excluded.topkeys, fetched_at = excluded.fetched_at`,
  ).run(c.logId, c.groupKey, JSON.stringify(c.topkeys.slice(0, 50)), c.fetchedAt);
}

export type ExplanationStatus = 'ok' | 'none' | 'failed';

export interface ExplanationRecord {
  logId: string;
  day: string;
  status: ExplanationStatus;
  text: string;
  details: Record<string, unknown> | null;
  createdAt: string;
}

export function getExplanation(db: Db, logId: string, day: string): ExplanationRecord | undefined {
  const r = db.prepare('SELECT * FROM explanations WHERE log_id = ? AND day = ?').get(logId, day) as
    | { log_id: string; day: string; status: ExplanationStatus; text: string; details: string | null; created_at: string }
    | undefined;
  if (!r) return undefined;
  return {
    logId: r.log_id,
    day: r.day,
    status: r.status,
    text: r.text,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    createdAt: r.created_at,
  };
}

export function putExplanation(db: Db, e: ExplanationRecord): void {
  db.prepare(
    `INSERT INTO explanations (log_id, day, status, text, details, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(log_id, day) DO UPDATE SET status = excluded.status, text = excluded.text, details = excluded.details,
       created_at = excluded.created_at`,
  ).run(e.logId, e.day, e.status, e.text, e.details ? JSON.stringify(e.details) : null, e.createdAt);
}
