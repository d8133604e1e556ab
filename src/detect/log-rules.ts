/**
 * Per-log statistical rules for one day: spike, drop, silent, new. Pure: no clock, no I/O.
 *
 * Input is one log's calendar-aligned history (bytes per UTC day; NaN = day never observed, a gap;
 * 0 = observed without data). The verdict for index `t` reads only indices ≤ t, so a longer array
 * can never change it (no look-ahead by construction; test/unit/detect/no-look-ahead.test.ts).
 *
 * One day of one log, in order (docs/detection.md has the reasons):
 * - new: the first day with bytes of a log first seen after the history began;
 * - cold start: nothing statistical before coldStartDays observed days;
 * - a zero day walks its silence first (log-silence.ts): most end there;
 * - the log's shape (log-baseline.ts: weekday factors, noise, trend) is fitted every other Monday on the data
 *   before it (every day while the log is young), its window of non-zero days adjusted to the day;
 * - a day with bytes is judged for a change (log-change.ts), a zero day gets its silence verdict against the
 *   baseline's level.
 * Organisation-wide days (org-days.ts) arrive as gaps in `values`.
 */
import { Activity } from './log-activity.js';
import { LogBaseline } from './log-baseline.js';
import { ChangeRule } from './log-change.js';
import { SilenceRule } from './log-silence.js';
import { type LogDayResult, type LogDetector, type LogModel, type LogSeries, NO_RESET, NONE, weekday } from './log-types.js';
import type { DetectParams } from './params.js';

export { MAX_SILENCE_SCAN } from './log-silence.js';
export * from './log-types.js';

const INCOMPLETE: LogDayResult = { incomplete: true, verdict: null, silence: null };

export function createLogDetector(p: DetectParams): LogDetector {
  /** Calendar days a cold-start count looks back: every read of the rules stays within a fixed reach. */
  const horizon = Math.max(p.activityDays, p.coldStartDays);
  const b = new LogBaseline(p);
  const act = new Activity(p);
  const change = new ChangeRule(p, b, act);
  const silence = new SilenceRule(p, b, act);

  /** The rules for day t of one log (see evaluate). */
  function judgeDay(s: LogSeries, t: number, day0: number, firstObserved: number): LogDayResult {
    // 1970-01-01 was a Thursday (4).
    const dow0 = (((day0 + 4) % 7) + 7) % 7;
    const values = s.values;
    const x = values[t]!;
    if (Number.isNaN(x)) return NONE;
    if (s.firstSeen > t) return NONE;
    if (s.firstSeen === t) {
      if (t <= firstObserved || !(x > 0)) return NONE;
      return {
        verdict: { kind: 'new', value: x, expected: 0, low: 0, high: 0, score: 1, weekdayProfile: false, levelShift: false },
        silence: null,
      };
    }
    const shapeStart = Math.max(s.firstSeen, 0);
    // A reset dated after t does not exist yet for day t.
    const resetAt = s.baselineFrom <= t ? s.baselineFrom : NO_RESET;
    const levelStart = Math.max(shapeStart, resetAt);

    // Cold start: nothing statistical before coldStartDays observed days of history (counted within a
    // bounded horizon; a silence needs them before it began, which implies this).
    let seen = 0;
    for (let i = t - 1; i >= Math.max(shapeStart, t - horizon) && seen < p.coldStartDays; i--)
      if (!Number.isNaN(values[b.reach(i)]!)) seen++;
    if (seen < p.coldStartDays) return NONE;
    const wt = weekday(dow0, t);
    b.forLog(s);
    if (x === 0 && !silence.walk(values, t, dow0, shapeStart, resetAt)) return NONE;

    // Shape (weekday factors, noise, trend): re-estimated every other Monday from the data before it,
    // every day while the log is young or when that data is too sparse.
    // Monday of the current fortnight, counted on absolute days (weeks since the Monday 1970-01-05, epoch
    // day 4) so that a window cut anywhere refreshes on the same days as the whole history.
    const weekMonday = t - ((wt + 6) % 7);
    const monday = weekMonday - (((Math.floor((day0 + weekMonday - 4) / 7) % 2) + 2) % 2) * 7;
    let model: LogModel | null = b.fortnightModel(s, dow0, shapeStart, monday);
    if (model?.plain && x > 0 && change.quietAgainst(model, s, t, monday, dow0, wt, x)) return NONE;
    if (!model) model = b.dayModel(s, dow0, shapeStart, t);
    b.useModel(model);
    // Today's window, adjusted and projected to day t along the trend (a growing log's median must not lag).
    b.tNow = t;
    b.adjustedWindow(values, s.lnValues, dow0, shapeStart, t, levelStart);
    if (x > 0) return change.judge(s, t, x, wt, dow0, shapeStart, resetAt, model.profile);
    b.judgedNoise();
    const relearning = resetAt > shapeStart && b.n - b.first < p.relearnValues;
    return silence.verdict(wt, b.level(t, relearning), model.profile);
  }

  return {
    evaluate(s, t, day0, firstObserved) {
      b.knownFrom = s.knownFrom ?? Number.NEGATIVE_INFINITY;
      b.incomplete = false;
      const r = judgeDay(s, t, day0, firstObserved);
      return b.incomplete ? INCOMPLETE : r;
    },
  };
}
