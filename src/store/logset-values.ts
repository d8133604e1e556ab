/**
 * Tables that give a log set one value — `routes` (its alert channel) and `logset_owners` (its owner) — with who
 * set it and when. Every change writes its audit row in the same transaction: `<audit>.set` with the value and the
 * one it replaced (`{ channel, previousChannel }`, `{ owner, previousOwner }`), `<audit>.remove`; target the log set.
 */
import { recordAudit, type Who } from './audit.js';
import type { Db } from './db.js';
import { camelRow, type Snake } from './rows.js';

export type LogsetValueRecord<C extends string> = { logset: string; createdAt: string; createdBy: string | null } & Record<C, string>;

export interface LogsetValues<C extends string> {
  list(db: Db): LogsetValueRecord<C>[];
  /** Sets the value of a log set; returns the one it replaced, or null. */
  set(db: Db, logset: string, value: string, who: Who): string | null;
  /** Removes the value of a log set; false when it had none. */
  remove(db: Db, logset: string, who: Who): boolean;
}

/** The reads and audited writes of one such table: its name, its value column and its audit action prefix. */
export function logsetValues<C extends 'channel' | 'owner'>(
  table: 'routes' | 'logset_owners',
  column: C,
  audit: 'route' | 'owner',
): LogsetValues<C> {
  const previous = `previous${column.charAt(0).toUpperCase()}${column.slice(1)}`;
  return {
    list: (db) =>
      (db.prepare(`SELECT * FROM ${table} ORDER BY logset`).all() as Snake<LogsetValueRecord<C>>[]).map(
        (r) => camelRow(r) as LogsetValueRecord<C>,
      ),
    set: (db, logset, value, who) =>
      db
        .transaction(() => {
          const before = (db.prepare(`SELECT ${column} FROM ${table} WHERE logset = ?`).pluck().get(logset) as string | undefined) ?? null;
          db.prepare(
            `INSERT INTO ${table} (logset, ${column}, created_at, created_by) VALUES (?, ?, ?, ?)
             ON CONFLICT(logset) DO UPDATE SET ${column} = excluded.${column}, created_at = excluded.created_at, created_by = excluded.created_by`,
          ).run(logset, value, who.at, who.actor);
          recordAudit(db, who, `${audit}.set`, logset, { [column]: value, [previous]: before });
          return before;
        })
        .immediate(),
    remove: (db, logset, who) =>
      db
        .transaction(() => {
          if (db.prepare(`DELETE FROM ${table} WHERE logset = ?`).run(logset).changes === 0) return false;
          recordAudit(db, who, `${audit}.remove`, logset);
          return true;
        })
        .immediate(),
  };
}

/** The value for a log with these log sets: that of the first log set (by name) that has one, else undefined. */
export function firstByLogset(values: ReadonlyMap<string, string>, logsetNames: readonly string[]): string | undefined {
  for (const n of [...logsetNames].sort()) {
    const v = values.get(n);
    if (v) return v;
  }
  return undefined;
}
