/**
 * The alert stage's reading of planned changes (src/store/planned.ts) for one day, applied to the day's
 * findings by the pure rule in planned.ts. Called by the runner inside its transaction.
 */
import type { Day } from '../days.js';
import type { Finding } from '../detect/types.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { activePlans } from '../store/planned.js';
import { bytesOnDay } from '../store/slack-reads.js';
import { listLogs } from '../store/usage.js';
import { keyOf } from './lifecycle.js';
import { applyPlannedChanges } from './planned.js';

/** `openKeys`: episode keys open before the day (their findings within a plan keep the episode going). */
export function withPlannedChanges(db: Db, day: Day, findings: Finding[], openKeys: ReadonlySet<string>, logger: Logger): Finding[] {
  const plans = activePlans(db, day);
  if (plans.length === 0) return findings;
  const setTotal = (name: string): number => {
    const ids = listLogs(db)
      .filter((l) => l.logsets.some((s) => s.name === name))
      .map((l) => l.id);
    let sum = 0;
    for (const v of bytesOnDay(db, day, ids).values()) sum += v;
    return sum;
  };
  const r = applyPlannedChanges(findings, plans, setTotal, (f) => openKeys.has(keyOf(f).key));
  for (const c of r.covered) {
    logger.info({ day, kind: c.finding.kind, logId: c.finding.logId, plan: c.planId }, 'within a planned change: no new alert');
  }
  return r.findings;
}
