/**
 * What `/logusage log` shows beyond the log's usage (SPEC §9): its sensitivity and the feedback on its
 * alerts (src/store/feedback.ts), read into the plain view the builder takes.
 */
import type { Db } from '../store/db.js';
import { FEEDBACK_STEP, listFeedback, logSensitivity } from '../store/feedback.js';
import type { LogDetailView } from './blocks/log-detail.js';

export function logSensitivityView(db: Db, logId: string): NonNullable<LogDetailView['sensitivity']> {
  const s = logSensitivity(db, logId);
  return {
    value: s.value,
    base: s.base,
    steps: Math.round((s.value - s.base) / FEEDBACK_STEP),
    feedback: listFeedback(db, logId, 10).map((f) => ({ at: f.at, actor: f.actor, verdict: f.verdict, after: f.sensitivityAfter })),
  };
}
