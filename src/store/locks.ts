/**
 * Named leases in the `locks` table (migrations/0001_init.sql): a second process on the same database
 * never runs the same job at the same time. A lease expires at `expires_at` unless its owner renews it,
 * so a crashed owner blocks the job for at most one lease period. Times are passed in by the caller.
 */
import type { Db } from './db.js';
import { camelRow, type Snake } from './rows.js';

export interface LockRecord {
  name: string;
  owner: string;
  acquiredAt: string;
  expiresAt: string;
}

/**
 * Takes the lease `name` for `owner` until now + ttlMs when it is free, expired, or already `owner`'s.
 * Atomic (one statement under SQLite's write lock). Returns whether `owner` holds it now.
 */
export function acquireLock(db: Db, name: string, owner: string, now: Date, ttlMs: number): boolean {
  const at = now.toISOString();
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  const r = db
    .prepare(
      `INSERT INTO locks (name, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE locks.expires_at <= excluded.acquired_at OR locks.owner = excluded.owner`,
    )
    .run(name, owner, at, expires);
  return r.changes > 0;
}

/** Extends a lease held by `owner`; false when it was lost (expired and taken by another owner). */
export function renewLock(db: Db, name: string, owner: string, now: Date, ttlMs: number): boolean {
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  return db.prepare('UPDATE locks SET expires_at = ? WHERE name = ? AND owner = ?').run(expires, name, owner).changes > 0;
}

export function releaseLock(db: Db, name: string, owner: string): void {
  db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
}

export function readLock(db: Db, name: string): LockRecord | undefined {
  const r = db.prepare('SELECT * FROM locks WHERE name = ?').get(name) as Snake<LockRecord> | undefined;
  return r && camelRow(r);
}

/**
 * Marks runs of `job` still 'running' as failed: called by the holder of the job's lease, so any such
 * row was left by a process that died (killed, crashed) before it could finish. Returns how many.
 */
export function closeAbandonedRuns(db: Db, job: string, at: Date): number {
  return db
    .prepare(
      `UPDATE runs SET status = 'failed', error_code = 'INTERRUPTED', finished_at = ?,
         error = 'The process stopped before the run finished (killed or crashed); a later run redid its work.'
       WHERE job = ? AND status = 'running'`,
    )
    .run(at.toISOString(), job).changes;
}
