/**
 * Planned changes (`/logusage expect`, migrations/0006_slack_ui.sql): a log or a log set is expected to
 * grow by +N % or up to a size per day until a UTC day (inclusive); the alert stage does not alert within
 * it (src/alerts/planned.ts). Every change writes its audit row in the same transaction (`expect.set`,
 * `expect.end`; target the log id or log set name, details with the plan id), so `/logusage log` and
 * `status` list who planned what. A plan ends by itself after its last day; `expect remove` ends it early.
 */
import type { Day } from '../days.js';
import { recordAudit, type Who } from './controls.js';
import type { Db } from './db.js';
import { camelRow, type Snake } from './rows.js';

export interface PlanRecord {
  id: number;
  scope: 'log' | 'logset';
  /** Log id or log set name. */
  target: string;
  /** pct: up to +amount % over the expected day; bytes: up to amount bytes per day. */
  kind: 'pct' | 'bytes';
  amount: number;
  /** Last UTC day it covers (inclusive). */
  untilDay: Day;
  why: string | null;
  createdAt: string;
  createdBy: string | null;
  endedAt: string | null;
}

type Row = Snake<PlanRecord>;

const toPlan = (r: Row): PlanRecord => camelRow(r);

export function addPlan(
  db: Db,
  p: { scope: 'log' | 'logset'; target: string; kind: 'pct' | 'bytes'; amount: number; untilDay: Day; why: string | null },
  who: Who,
): PlanRecord {
  if (!(p.amount > 0) || !Number.isFinite(p.amount)) throw new RangeError('a planned change must be larger than zero');
  return db
    .transaction(() => {
      const r = db
        .prepare(
          'INSERT INTO planned_changes (scope, target, kind, amount, until_day, why, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(p.scope, p.target, p.kind, p.amount, p.untilDay, p.why, who.at, who.actor);
      const id = Number(r.lastInsertRowid);
      recordAudit(db, who, 'expect.set', p.target, {
        planId: id,
        scope: p.scope,
        kind: p.kind,
        amount: p.amount,
        untilDay: p.untilDay,
        why: p.why,
      });
      return toPlan(db.prepare('SELECT * FROM planned_changes WHERE id = ?').get(id) as Row);
    })
    .immediate();
}

export function getPlan(db: Db, id: number): PlanRecord | undefined {
  const r = db.prepare('SELECT * FROM planned_changes WHERE id = ?').get(id) as Row | undefined;
  return r ? toPlan(r) : undefined;
}

/** Ends a plan before its last day; undefined when there is no such plan in force on `day`. */
export function endPlan(db: Db, id: number, day: Day, who: Who): PlanRecord | undefined {
  return db
    .transaction(() => {
      const p = getPlan(db, id);
      if (!p || p.endedAt !== null || p.untilDay < day) return undefined;
      db.prepare('UPDATE planned_changes SET ended_at = ? WHERE id = ?').run(who.at, id);
      recordAudit(db, who, 'expect.end', p.target, { planId: id, scope: p.scope, untilDay: p.untilDay });
      return { ...p, endedAt: who.at };
    })
    .immediate();
}

/** Plans in force on `day` (not ended, last day on or after it), oldest first. */
export function activePlans(db: Db, day: Day): PlanRecord[] {
  return (db.prepare('SELECT * FROM planned_changes WHERE ended_at IS NULL AND until_day >= ? ORDER BY id').all(day) as Row[]).map(toPlan);
}

/** Plans in force on `day` for a log: its own and its log sets'. */
export function plansForLog(db: Db, logId: string, logsets: string[], day: Day): PlanRecord[] {
  return activePlans(db, day).filter((p) => (p.scope === 'log' ? p.target === logId : logsets.includes(p.target)));
}
