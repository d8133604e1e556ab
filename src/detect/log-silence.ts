/**
 * The silence rule of one log's day (SPEC §6.5): a "reliable" log (silences begin on ≤ reliableHazard of its
 * usual reporting days) is silent on the first zero day that falls on a weekday it usually reports; other logs
 * when the probability of the zero run under their own zero rate drops below intermittentP. A silence is told
 * until it lasted persistDays usual reporting days (then it is the new normal), and only when what it takes
 * away, the usual bytes of the weekday, reaches the absolute floor. Pure; reads only indices ≤ t.
 */
import { median } from '../stats.js';
import type { Activity } from './log-activity.js';
import type { LogBaseline } from './log-baseline.js';
import { type LogDayResult, NONE, type SilenceState, weekday } from './log-types.js';
import type { DetectParams } from './params.js';

/**
 * Calendar days a silence is traced back. A longer silence has long been accepted as the new normal
 * (persistDays usual reporting days); bounding the scan keeps a windowed read (detectForDay) equal to
 * a replay over the full history.
 */
export const MAX_SILENCE_SCAN = 56;

export class SilenceRule {
  /** The zero run of the day walked last: its first index, its observed days, its usual reporting days since it alerted. */
  runStart = 0;
  runDays = 0;
  activeSince = 0;
  /** ln of the run's probability under the log's zero rate (intermittent logs). */
  cum = 0;
  private readonly logP: number;
  /** Calendar days a count of established days looks back (as the cold start). */
  private readonly horizon: number;

  constructor(
    private readonly p: DetectParams,
    private readonly b: LogBaseline,
    private readonly act: Activity,
  ) {
    this.logP = Math.log(p.intermittentP);
    this.horizon = Math.max(p.activityDays, p.coldStartDays);
  }

  /**
   * Walks the zero run that ends on day t (observed days; gaps neither break nor extend it) and the log's
   * activity before it; false when the silence cannot alert (a quiet weekday, a long accepted silence, a log
   * not established before it). Needs no model: most zero days end here.
   */
  walk(values: Float64Array, t: number, dow0: number, shapeStart: number, resetAt: number): boolean {
    const { p, b } = this;
    let lastActive = t;
    let runStart = t;
    let runDays = 0;
    const scanTo = Math.max(shapeStart, t - MAX_SILENCE_SCAN);
    for (; lastActive >= scanTo; lastActive--) {
      const v = values[b.reach(lastActive)]!;
      if (Number.isNaN(v)) continue;
      if (v > 0) break;
      runDays++;
      runStart = lastActive;
    }
    this.runStart = runStart;
    this.runDays = runDays;
    // No data since the log began, or a silence older than the scan: long accepted (or never judged).
    if (lastActive < scanTo) return false;
    // "Mark as expected" on a day inside this silence accepts it.
    if (resetAt > lastActive) return false;
    // Statistics from before the run; the log must have been established before it.
    let before = 0;
    for (let i = runStart - 1; i >= Math.max(shapeStart, runStart - this.horizon) && before < p.coldStartDays; i--) {
      if (!Number.isNaN(values[b.reach(i)]!)) before++;
    }
    if (before < p.coldStartDays) return false;
    const from = b.reach(Math.max(shapeStart, runStart - p.activityDays));
    const a = this.act.measure(values, dow0, from, runStart);
    if (!a.any) return false;
    // Walk the run: the first alerting day, then the usual reporting days since it.
    let alertAt = -1;
    let activeSince = 0;
    let cum = 0;
    for (let i = runStart; i <= t; i++) {
      if (Number.isNaN(values[i]!)) continue;
      const w = weekday(dow0, i);
      if (alertAt < 0) {
        if (a.reliable) {
          if (a.active[w]) alertAt = i;
        } else {
          cum += Math.log(a.zeroRate[w]!);
          if (cum <= this.logP && a.active[w]) alertAt = i;
        }
      }
      if (alertAt >= 0 && a.active[w]) activeSince++;
    }
    this.activeSince = activeSince;
    this.cum = cum;
    return alertAt >= 0 && activeSince <= p.persistDays;
  }

  /**
   * The day's result for the run walked last, once the baseline is known (`level`: log scale, NaN when the
   * log has none; the window's median is then the usual day). `profile`: the log has a weekday profile.
   */
  verdict(wt: number, level: number, profile: boolean): LogDayResult {
    const { p, b, act: a } = this;
    // What the silence takes away: the usual bytes of this weekday (the absolute floor applies).
    const expected = Number.isNaN(level)
      ? Math.exp(median(b.y.subarray(0, b.n)) + (b.known[wt] ? b.factor[wt]! : 0))
      : Math.exp(level + b.factor[wt]!);
    if (!(expected >= b.minBytes)) return NONE;
    const silence: SilenceState = { since: this.runStart, silentDays: this.runDays };
    const activeSince = this.activeSince;
    if (!a.active[wt]) return { verdict: null, silence: activeSince < p.persistDays ? silence : null };
    const sigma = b.sigma;
    const downLine = Number.isNaN(sigma) ? b.downMat(expected) : Math.max(b.lineOf(sigma), b.downMat(expected));
    const upLine = Number.isNaN(sigma) ? b.upMat(expected) : Math.max(b.lineOf(sigma), b.upMat(expected));
    const low = Math.max(0, Math.min(expected * Math.exp(-downLine), expected - b.minBytes));
    const high = Math.max(expected * Math.exp(upLine), expected + b.minBytes);
    const levelShift = activeSince === p.persistDays;
    return {
      verdict: {
        kind: 'silent',
        value: 0,
        expected,
        low,
        high,
        score: a.reliable ? activeSince : Math.max(1, this.cum / this.logP),
        weekdayProfile: profile,
        levelShift,
        silentDays: this.runDays,
        silentSince: this.runStart,
        silentBasis: a.reliable ? 'reliable' : 'intermittent',
      },
      silence: levelShift ? null : silence,
    };
  }
}
