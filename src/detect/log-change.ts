/**
 * The change rule of one log's day: spike or drop (SPEC §6.2, §6.3). A finding must be clear and material:
 * clear = |ln value − ln expected| ≥ the clear line s·min(zAlert·σ, max(ln unmistakableRatio, tailZ·σ)) on the
 * day, or a run of up to evidenceDays consecutive observations each ≥ evidenceDayZ·s·σ away whose summed
 * deviation reaches evidenceZ·s·σ·s(k) (s(k): the spread of a sum of k days, √k without memory); material = the
 * change is ≥ s·min(cap, √(materialBytes / expected)) of the expected bytes and ≥ minBytes (every day of a run).
 * A fall on its own day must also pass materialCapDown (partial ingestion). A run that lasts persistDays
 * observations is a level shift: its last day is reported once with `levelShift`, later days are judged against
 * the new level. Settling (SPEC §6.1): in a log's first settleDays a fall is not a drop. Recurring bursts: a
 * rise matched in RECURRING_BURSTS earlier bursts of activityDays (each against the level it rose from) is usual
 * for the log.
 *
 * Most days are ordinary: exact pre-checks (they never hide a finding) end them before the costly steps.
 * Pure; reads only indices < t besides the day itself.
 */
import { medianInPlace as medianOf, sortedInsert, sortedMedian, sortedRemove } from '../stats.js';
import type { Activity } from './log-activity.js';
import { inflation, type LogBaseline } from './log-baseline.js';
import { type LogDayResult, type LogKind, type LogModel, type LogSeries, NONE, weekday } from './log-types.js';
import type { DetectParams } from './params.js';

/** Separate earlier bursts (in activityDays) as high as today that make today's rise usual for a log. */
const RECURRING_BURSTS = 3;

export class ChangeRule {
  constructor(
    private readonly p: DetectParams,
    private readonly b: LogBaseline,
    private readonly act: Activity,
  ) {}

  /**
   * Quick check before today's window is built: today's window lies within the model's window plus the days
   * since its Monday, and every adjusted value is b + slope·t; when today (x bytes, weekday wt) is within the
   * relative floors of that wider range, no spike or drop is possible (the full pre-check would say so too).
   * (Second extremes: the model's window keeps only those; adding values can only widen them.)
   */
  quietAgainst(model: LogModel, s: LogSeries, t: number, monday: number, dow0: number, wt: number, x: number): boolean {
    const b = this.b;
    const ext = b.ext;
    ext.min1 = Number.NEGATIVE_INFINITY;
    ext.min2 = model.minB;
    ext.max1 = Number.POSITIVE_INFINITY;
    ext.max2 = model.maxB;
    const values = s.values;
    const ln = s.lnValues;
    for (let i = b.reach(monday), w = weekday(dow0, monday); i < t; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (v > 0) ext.add((ln ? ln[i]! : Math.log(v)) - model.factor[w]! - model.slope * i);
    }
    const today = Math.log(x) - model.factor[wt]!;
    const ms = model.sigma * b.leastInflation;
    const hiB = ext.max2 + model.slope * t;
    return (
      !Number.isNaN(ms) &&
      today - (ext.min2 + model.slope * t) < b.leastUp(ms, x) &&
      hiB - today < b.leastDown(ms, Math.exp(hiB + model.factor[wt]!))
    );
  }

  /**
   * Spike, drop or nothing for day t (x > 0 bytes, weekday wt) once today's adjusted window is built.
   * `levelStart`: first index of the level (the log's first day or its reset); `profile`: the model's.
   */
  judge(s: LogSeries, t: number, x: number, wt: number, dow0: number, shapeStart: number, resetAt: number, profile: boolean): LogDayResult {
    const { p, b } = this;
    const { n, first, factor } = b;
    const levelStart = Math.max(shapeStart, resetAt);
    {
      // Every level below is the median of at least 3 of the entries [first, n), so it lies between their
      // second smallest and second largest: when today is less than the relative floor away from both,
      // no spike or drop is possible. The judged noise is at least the model's times inflation(n − first).
      const today = Math.log(x) - factor[wt]!;
      const lo = b.rangeLo;
      const hi = b.rangeHi;
      const s0 = b.sigma * inflation(n - first);
      if (Number.isNaN(b.sigma) || (today - lo < b.leastUp(s0, x) && hi - today < b.leastDown(s0, Math.exp(hi + factor[wt]!)))) return NONE;
    }
    const relearning = resetAt > shapeStart && n - first < p.relearnValues;
    if (relearning || n - first < 3) return NONE;
    {
      // Exact pre-check with the level: the judged noise is at least s0 (the spread against the baseline
      // only raises it), and with s0 no trailing run deviates, so none does with the judged noise either
      // (every bar of `deviates` grows with it): the level is levelOf's and the day must clear its bars.
      const s0 = b.sigma * inflation(n - first);
      b.line = b.lineOf(s0);
      const L = b.levelOf(first, n, t - p.levelDays);
      b.trailingShift(L);
      if (b.segDev === 0) {
        const expected = Math.exp(L + factor[wt]!);
        const e = Math.log(x) - L - factor[wt]!;
        const dist = Math.abs(e);
        if (
          dist < (e > 0 ? b.upMat(expected) : b.downMat(expected)) ||
          Math.abs(x - expected) < b.minBytes ||
          dist < Math.min(b.line, b.dayBarOf(s0))
        )
          return NONE;
      }
    }
    b.judgedNoise();
    const level = b.level(t, false);
    if (Number.isNaN(level)) return NONE;
    const { adj, wd, idx, raw, tmp, sigma, line, minBytes, slope } = b;
    let L = level;
    let levelShift = false;
    const f = factor[wt]!;
    const dirOld = Math.log(x) - f - level > 0 ? 1 : -1;
    if (b.segDev >= p.persistDays) {
      // Accepted new normal: the shifted segment itself is the baseline.
      let m = 0;
      for (let q = b.segStart; q < n; q++) tmp[m++] = adj[q]!;
      L = medianOf(tmp, m);
    } else if (b.segDev === p.persistDays - 1 && b.segSign === dirOld) {
      // Today makes it persistDays: judged once more against the old level, flagged as the new normal.
      levelShift = true;
    }
    const expected = Math.exp(L + f);
    const e = Math.log(x) - L - f;
    const high = Math.max(expected * Math.exp(Math.max(line, b.upMat(expected))), expected + minBytes);
    const low = Math.max(0, Math.min(expected * Math.exp(-Math.max(line, b.downMat(expected))), expected - minBytes));
    const kind: LogKind = e > 0 ? 'spike' : 'drop';
    const sign = e > 0 ? 1 : -1;
    const mat = e > 0 ? b.upMat(expected) : b.downMat(expected);
    const dist = sign * e;
    const bytes = sign * (x - expected);
    // Material (a share of the usual day and minBytes) and clear on the day alone (a fall on its own day
    // only when it takes more than partial ingestion does: late data and agent restarts routinely take
    // up to half of one day, so a smaller fall is told once a second day confirms it) …
    const material = Math.min(dist / mat, bytes / minBytes);
    let score = Math.min(dist / line, material);
    if (sign < 0) score = Math.min(score, dist / b.partialDay);
    let evidence = 1;
    // … or clear together with the observations just before it, each of them material and well away.
    const dayBar = b.dayBarOf(sigma);
    if (score < 1 && material >= 1 && dist >= dayBar) {
      let sum = dist;
      for (let q = n - 1, k = 2; q >= first && k <= p.evidenceDays; q--, k++) {
        const eq = sign * (adj[q]! - L);
        const expq = Math.exp(L + factor[wd[q]!]! - slope * (t - idx[q]!));
        if (eq < dayBar || eq < (sign > 0 ? b.upMat(expq) : b.downMat(expq)) || sign * (raw[q]! - expq) < minBytes) break;
        sum += eq;
        const sk = Math.min(sum / (b.evidenceScale(k) * p.evidenceZ * b.sens * sigma), material);
        if (sk > score) {
          score = sk;
          evidence = k;
        }
      }
    }
    if (!(score >= 1)) return NONE;
    // Settling: a young log's fall is its level finding its feet, not a drop (SPEC §6.1).
    if (kind === 'drop' && t - shapeStart < p.settleDays) return NONE;
    const values = s.values;
    // Intermittent logs are bursty: the day must also leave the range of their own recent values.
    const a = this.act.measure(values, dow0, b.reach(Math.max(shapeStart, t - p.activityDays)), t);
    if (!a.reliable) {
      let mn = Number.POSITIVE_INFINITY;
      let mx = 0;
      for (let i = b.reach(Math.max(levelStart, t - p.activityDays)); i < t; i++) {
        const v = values[i]!;
        if (!(v > 0)) continue;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      // Beyond the range by half the alerting distance: a new maximum by noise alone is common.
      if (kind === 'spike' ? x < mx * Math.exp(0.5 * Math.max(line, mat)) : x > mn * Math.exp(-0.5 * Math.max(line, mat))) return NONE;
    }
    // Recurring bursts are how this log behaves: a rise it has matched or exceeded in RECURRING_BURSTS
    // separate bursts of the last activityDays is usual for it; a larger one is told.
    if (kind === 'spike' && this.burstsAsHigh(s, t, dow0, levelStart, L, e) >= RECURRING_BURSTS) return NONE;
    return {
      verdict: {
        kind,
        value: x,
        expected,
        low,
        high,
        score,
        weekdayProfile: profile,
        levelShift,
        runDays: b.segDev,
        z: e / sigma,
        evidenceDays: evidence,
      },
      silence: null,
    };
  }

  /**
   * Separate bursts of the activityDays before t that rose at least `e` (log scale) above the level they rose
   * from: the median of the weekday-adjusted values of the levelDays before the burst's day (projected to it
   * along the trend), as today's rise is measured against today's level. A habit is a ratio (a page that gets
   * ×5 its views every few weeks), so a log whose level has fallen since does not make its old ordinary days
   * bursts, and one that has grown keeps its habit. A day with fewer than 3 values before it is measured
   * against today's level `L` along the trend. Consecutive high days are one burst.
   */
  private burstsAsHigh(s: LogSeries, t: number, dow0: number, levelStart: number, L: number, e: number): number {
    const { p, b } = this;
    const { factor, slope, tmp } = b;
    const values = s.values;
    const ln = s.lnValues;
    const from = Math.max(levelStart, t - p.activityDays);
    const lo = b.reach(Math.max(levelStart, from - p.levelDays));
    // tmp[0, k) holds, sorted, u = ln value − weekday factor − slope·day of the non-zero days in
    // [max(lo, i − levelDays), i): the level a day i rose from is their median + slope·i.
    let k = 0;
    for (let j = lo, w = weekday(dow0, j); j < from; j++, w = w === 6 ? 0 : w + 1) {
      const v = values[j]!;
      if (v > 0) k = sortedInsert(tmp, k, (ln ? ln[j]! : Math.log(v)) - factor[w]! - slope * j);
    }
    let bursts = 0;
    let inBurst = false;
    for (let i = from, w = weekday(dow0, i); i < t; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      const u = v > 0 ? (ln ? ln[i]! : Math.log(v)) - factor[w]! - slope * i : Number.NaN;
      const isHigh = v > 0 && (k >= 3 ? u - sortedMedian(tmp, k) >= e : u + slope * t - L >= e);
      if (isHigh && !inBurst) bursts++;
      inBurst = isHigh;
      // Slide to day i + 1: day i enters, day i − levelDays leaves.
      if (v > 0) k = sortedInsert(tmp, k, u);
      const out = i - p.levelDays;
      if (out >= lo) {
        const vo = values[out]!;
        if (vo > 0) k = sortedRemove(tmp, k, (ln ? ln[out]! : Math.log(vo)) - factor[weekday(dow0, out)]! - slope * out);
      }
    }
    return bursts;
  }
}
