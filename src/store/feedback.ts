/**
 * Feedback that tunes (SPEC §7, docs/detection.md "Feedback from Slack"): *Noise* on an alert widens
 * that log's band one step (log_settings.sensitivity, the per-log override detection and `backtest --db`
 * already read); *Useful* confirms the alert and, when earlier *Noise* had widened the band, takes one
 * step back. The override stays within [base, base + FEEDBACK_MAX_STEPS steps], where base is the
 * global sensitivity (settings key `sensitivity`, else 1). Every click is an audit row (`feedback`,
 * target the log id, details: verdict, alertId, sensitivity before and after), written in the same
 * transaction as the change, so the history is the audit log and every step can be undone by *Useful*.
 */
import { recordAudit, type Who } from './controls.js';
import type { Db } from './db.js';
import { readGlobalSensitivity } from './detection-settings.js';

export type FeedbackVerdict = 'useful' | 'noise';

/**
 * One step of the band multiplier. The multiplier scales the statistical line and the materiality share
 * (detect/log-baseline.ts), so at the defaults a step moves the line from 5 to 6.25 robust deviations and a
 * 10 GB/day log's floor from +32 % to +40 % (docs/detection.md "Feedback from Slack").
 */
export const FEEDBACK_STEP = 0.25;
/** Most steps feedback may widen a log's band above the base (×1 → ×2 at the defaults). */
export const FEEDBACK_MAX_STEPS = 4;

/**
 * The sensitivity after one click (pure): Noise widens one step up to base + FEEDBACK_MAX_STEPS steps;
 * Useful narrows one step while feedback had widened it above the base, never below the base (a band set
 * narrower by hand stays as it was).
 */
export function nextSensitivity(current: number, base: number, verdict: FeedbackVerdict): number {
  const max = base + FEEDBACK_MAX_STEPS * FEEDBACK_STEP;
  // Rounded to the step grid so repeated clicks never drift (0.1 + 0.2 …).
  const snap = (x: number) => Math.round(x * 1000) / 1000;
  if (verdict === 'noise') return current >= max ? current : Math.min(max, snap(current + FEEDBACK_STEP));
  return current > base ? Math.max(base, snap(current - FEEDBACK_STEP)) : current;
}

export interface FeedbackResult {
  before: number;
  after: number;
  /** The base the bounds are counted from (global sensitivity, else 1). */
  base: number;
  /** True when the click moved the sensitivity (false: confirmed only, or already at a bound). */
  changed: boolean;
}

/** The log's sensitivity in force: its override, else the global one, else 1. */
export function logSensitivity(db: Db, logId: string): { value: number; base: number; overridden: boolean } {
  const base = readGlobalSensitivity(db) ?? 1;
  const r = db.prepare('SELECT sensitivity FROM log_settings WHERE log_id = ?').get(logId) as { sensitivity: number | null } | undefined;
  const v = r?.sensitivity;
  return typeof v === 'number' && v > 0 ? { value: v, base, overridden: true } : { value: base, base, overridden: false };
}

/** Records one click of Useful / Noise on alert `alertId` about `logId` (see the file comment). */
export function recordFeedback(db: Db, f: { logId: string; alertId: number | null; verdict: FeedbackVerdict }, who: Who): FeedbackResult {
  return db
    .transaction((): FeedbackResult => {
      const s = logSensitivity(db, f.logId);
      const after = nextSensitivity(s.value, s.base, f.verdict);
      const changed = after !== s.value;
      if (changed) {
        db.prepare(
          `INSERT INTO log_settings (log_id, sensitivity, updated_at, updated_by) VALUES (?, ?, ?, ?)
           ON CONFLICT(log_id) DO UPDATE SET sensitivity = excluded.sensitivity, updated_at = excluded.updated_at,
             updated_by = excluded.updated_by`,
        ).run(f.logId, after, who.at, who.actor);
      }
      recordAudit(db, who, 'feedback', f.logId, {
        verdict: f.verdict,
        alertId: f.alertId,
        sensitivityBefore: s.value,
        sensitivityAfter: after,
        via: 'button',
      });
      return { before: s.value, after, base: s.base, changed };
    })
    .immediate();
}

export interface FeedbackRecord {
  at: string;
  actor: string;
  verdict: FeedbackVerdict;
  sensitivityBefore: number;
  sensitivityAfter: number;
  alertId: number | null;
}

/** The feedback given on a log's alerts, newest first (from the audit log). */
export function listFeedback(db: Db, logId: string, limit = 20): FeedbackRecord[] {
  const rows = db
    .prepare("SELECT at, actor, details FROM audit WHERE action = 'feedback' AND target = ? ORDER BY id DESC LIMIT ?")
    .all(logId, limit) as Array<{ at: string; actor: string; details: string | null }>;
  return rows.flatMap((r) => {
    try {
      const d = JSON.parse(r.details ?? '{}') as Record<string, unknown>;
      const verdict = d.verdict === 'noise' || d.verdict === 'useful' ? d.verdict : null;
      if (!verdict) return [];
      return [
        {
          at: r.at,
          actor: r.actor,
          verdict,
          sensitivityBefore: Number(d.sensitivityBefore),
          sensitivityAfter: Number(d.sensitivityAfter),
          alertId: typeof d.alertId === 'number' ? d.alertId : null,
        },
      ];
    } catch {
      return [];
    }
  });
}
