/**
 * The audit log's writer (its reads are in controls.ts): who changed what, when. Every mutating store function
 * takes `who` and calls `recordAudit` inside the transaction of its change (controls.ts, "Contract").
 */
import type { Db } from './db.js';

export interface Who {
  /** Slack user id (U…/W…) or 'cli'. */
  actor: string;
  /** ISO-8601 UTC timestamp of the change. */
  at: string;
}

/** Appends one audit row. Mutations call it inside their transaction. */
export function recordAudit(db: Db, who: Who, action: string, target: string | null, details?: Record<string, unknown>): number {
  const r = db
    .prepare('INSERT INTO audit (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)')
    .run(who.at, who.actor, action, target, details === undefined ? null : JSON.stringify(details));
  return Number(r.lastInsertRowid);
}
