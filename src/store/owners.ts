/**
 * Log-set owners (migrations/0006_slack_ui.sql): a Slack user (U…/W…) or user group (S…) mentioned in the
 * alerts of the log set's logs. Every change writes its audit row in the same transaction
 * (`owner.set` / `owner.remove`, target the log set name).
 */
import { recordAudit, type Who } from './controls.js';
import type { Db } from './db.js';

/** A Slack user id (U…, W…) or user group id (S…): the only owners stored or mentioned. */
export const OWNER_ID = /^[UWS][A-Z0-9]{2,30}$/;

export interface OwnerRecord {
  logset: string;
  owner: string;
  createdAt: string;
  createdBy: string | null;
}

export function listOwners(db: Db): OwnerRecord[] {
  return (
    db.prepare('SELECT * FROM logset_owners ORDER BY logset').all() as Array<{
      logset: string;
      owner: string;
      created_at: string;
      created_by: string | null;
    }>
  ).map((r) => ({ logset: r.logset, owner: r.owner, createdAt: r.created_at, createdBy: r.created_by }));
}

/** Sets the owner of a log set; returns the previous owner or null. */
export function setOwner(db: Db, logset: string, owner: string, who: Who): string | null {
  if (!OWNER_ID.test(owner)) throw new RangeError('an owner is a Slack user or user group id');
  return db
    .transaction(() => {
      const before = db.prepare('SELECT owner FROM logset_owners WHERE logset = ?').get(logset) as { owner: string } | undefined;
      db.prepare(
        `INSERT INTO logset_owners (logset, owner, created_at, created_by) VALUES (?, ?, ?, ?)
         ON CONFLICT(logset) DO UPDATE SET owner = excluded.owner, created_at = excluded.created_at, created_by = excluded.created_by`,
      ).run(logset, owner, who.at, who.actor);
      recordAudit(db, who, 'owner.set', logset, { owner, previousOwner: before?.owner ?? null });
      return before?.owner ?? null;
    })
    .immediate();
}

export function removeOwner(db: Db, logset: string, who: Who): boolean {
  return db
    .transaction(() => {
      const r = db.prepare('DELETE FROM logset_owners WHERE logset = ?').run(logset);
      if (r.changes === 0) return false;
      recordAudit(db, who, 'owner.remove', logset);
      return true;
    })
    .immediate();
}

/** The owner for a log with these log sets: the first owned log set (by name), else undefined. */
export function ownerFor(owners: readonly OwnerRecord[], logsetNames: readonly string[]): string | undefined {
  const byName = new Map(owners.map((o) => [o.logset, o.owner]));
  for (const n of [...logsetNames].sort()) {
    const o = byName.get(n);
    if (o) return o;
  }
  return undefined;
}
