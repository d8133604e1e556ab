/**
 * Grouped alert messages (migrations/0004_log_states.sql, SPEC §7): past a few new alerts in one channel on
 * one day, their episodes share one message. All SQL of `alert_groups` and `alerts.group_id` lives here.
 */
import type { Finding } from '../detect/types.js';
import { type AlertRecord, toAlertRecord } from './alerts.js';
import type { Db } from './db.js';

export interface AlertGroup {
  id: number;
  channel: string;
  /** UTC day of the findings the group lists. */
  day: string;
  /** One-off notices listed in the group (new logs, new normals): no episode of their own. */
  notices: Finding[];
}

export function insertAlertGroup(db: Db, g: { channel: string; day: string; notices: Finding[]; now: string }): number {
  const r = db
    .prepare('INSERT INTO alert_groups (channel, day, notices, created_at) VALUES (?, ?, ?, ?)')
    .run(g.channel, g.day, JSON.stringify(g.notices), g.now);
  return Number(r.lastInsertRowid);
}

export function setAlertGroup(db: Db, alertId: number, groupId: number): void {
  db.prepare('UPDATE alerts SET group_id = ? WHERE id = ?').run(groupId, alertId);
}

export function getAlertGroup(db: Db, id: number): AlertGroup | undefined {
  const r = db.prepare('SELECT id, channel, day, notices FROM alert_groups WHERE id = ?').get(id) as
    | { id: number; channel: string; day: string; notices: string }
    | undefined;
  return r ? { id: r.id, channel: r.channel, day: r.day, notices: JSON.parse(r.notices) as Finding[] } : undefined;
}

/** Group id of each of these alerts that belongs to one. */
export function groupsOfAlerts(db: Db, alertIds: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  if (alertIds.length === 0) return out;
  const rows = db
    .prepare('SELECT id, group_id FROM alerts WHERE group_id IS NOT NULL AND id IN (SELECT value FROM json_each(?))')
    .raw(true)
    .all(JSON.stringify(alertIds)) as Array<[number, number]>;
  for (const [id, g] of rows) out.set(id, g);
  return out;
}

/** The episodes a group lists, in the order they were opened. */
export function alertsOfGroup(db: Db, groupId: number): AlertRecord[] {
  return (db.prepare('SELECT * FROM alerts WHERE group_id = ? ORDER BY id').all(groupId) as Parameters<typeof toAlertRecord>[0][]).map(
    toAlertRecord,
  );
}
