/**
 * What `/logusage log`, `status` and the Home tab show beyond usage (SPEC §9): a log's sensitivity and the
 * feedback on its alerts (src/store/feedback.ts), and the planned changes in force (src/store/planned.ts),
 * read into the plain views the builders take.
 */
import type { Day } from '../days.js';
import type { Db } from '../store/db.js';
import { FEEDBACK_STEP, listFeedback, logSensitivity } from '../store/feedback.js';
import { activePlans, plansForLog } from '../store/planned.js';
import { displayName, type LogInfo, listLogs } from '../store/usage.js';
import type { LogDetailView } from './blocks/log-detail.js';
import { describePlan } from './commands/expect.js';

export function logSensitivityView(db: Db, logId: string): NonNullable<LogDetailView['sensitivity']> {
  const s = logSensitivity(db, logId);
  return {
    value: s.value,
    base: s.base,
    steps: Math.round((s.value - s.base) / FEEDBACK_STEP),
    feedback: listFeedback(db, logId, 10).map((f) => ({ at: f.at, actor: f.actor, verdict: f.verdict, after: f.sensitivityAfter })),
  };
}

/** The planned changes in force on `day` for a log (its own and its log sets'), as plain lines. */
export function logPlanLines(db: Db, log: LogInfo, day: Day): string[] {
  return plansForLog(
    db,
    log.id,
    log.logsets.map((s) => s.name),
    day,
  ).map((p) => describePlan(p, () => displayName(log)));
}

/** Every planned change in force on `day`, as plain lines (status, App Home). */
export function planLines(db: Db, day: Day): string[] {
  const plans = activePlans(db, day);
  if (plans.length === 0) return [];
  const logs = new Map(listLogs(db).map((l) => [l.id, l]));
  return plans.map((p) =>
    describePlan(p, (id) => {
      const l = logs.get(id);
      return l ? displayName(l) : id;
    }),
  );
}
