/**
 * Log-set owners (migrations/0006_slack_ui.sql): a Slack user (U…/W…) or user group (S…) mentioned in the
 * alerts of the log set's logs. Every change writes its audit row in the same transaction
 * (`owner.set` / `owner.remove`, target the log set name).
 */
import type { Who } from './audit.js';
import type { Db } from './db.js';
import { firstByLogset, type LogsetValueRecord, logsetValues } from './logset-values.js';

/** A Slack user id (U…, W…) or user group id (S…): the only owners stored or mentioned. */
export const OWNER_ID = /^[UWS][A-Z0-9]{2,30}$/;

export type OwnerRecord = LogsetValueRecord<'owner'>;

const owners = logsetValues('logset_owners', 'owner', 'owner');

export function listOwners(db: Db): OwnerRecord[] {
  return owners.list(db);
}

/** Sets the owner of a log set; returns the previous owner or null. */
export function setOwner(db: Db, logset: string, owner: string, who: Who): string | null {
  if (!OWNER_ID.test(owner)) throw new RangeError('an owner is a Slack user or user group id');
  return owners.set(db, logset, owner, who);
}

export function removeOwner(db: Db, logset: string, who: Who): boolean {
  return owners.remove(db, logset, who);
}

/** The owner for a log with these log sets: the first owned log set (by name), else undefined. */
export function ownerFor(list: readonly OwnerRecord[], logsetNames: readonly string[]): string | undefined {
  return firstByLogset(new Map(list.map((o) => [o.logset, o.owner])), logsetNames);
}
