/**
 * The shared baseline of the per-log rules (log-rules.ts): one log's window of non-zero days, the shape fitted
 * on it (weekday factors, noise, trend), its level and the noise a day is judged in, and the bars a change must
 * clear (material and clear, SPEC §6.2) at the log's sensitivity. Pure; one instance per detector owns the
 * scratch buffers, so judging a day allocates nothing. Reads only indices before the judged day.
 *
 * Method (docs/detection.md has the reasons):
 * - Values are judged in log scale against the log's own history of non-zero days over `windowDays`.
 * - Weekly profile: each day's residual from the median of its 7-day block; the weekday factor is the
 *   median residual of that weekday. Logs that only report on some weekdays get factors only for those.
 * - Noise: the larger of the robust standard deviation of day-to-day differences of the weekday-adjusted
 *   series (immune to one level step, to trends and to isolated outliers) and of the level's one-step
 *   errors over the window (how far the log strays from its baseline), one standard error above its
 *   estimate; their ratio is the log's memory ρ.
 * - Level: median of the adjusted values over `levelDays`, excluding a trailing run of days that
 *   deviate in one direction (so a spike does not raise the baseline of the days after it).
 */
import { Extremes, MAD_SCALE, medianInPlace as medianOf, sortedInsert, sortedMedian, sortedRemove } from '../stats.js';
import { type LogModel, type LogSeries, weekday } from './log-types.js';
import type { DetectParams } from './params.js';

const SIGMA_FROM_DIFF_MAD = MAD_SCALE / Math.SQRT2;
const MIN_SIGMA = 0.01;
/** Log-scale spread between weekday factors that makes the profile worth naming (25 %). */
const PROFILE_SPREAD = Math.log(1.25);
/** A weekday profile is used when the spread of its factors exceeds this many standard errors. */
const PROFILE_SE = 4;
/** A trend is used when it exceeds this many standard errors. */
const TREND_SE = 3;
/** Steepest trend followed (log scale per day): ×4 in 60 days; faster changes are shifts. */
const MAX_TREND = Math.log(4) / 60;
/** Calendar days of a log's life during which its shape is re-estimated every day (two weeks: every weekday twice). */
const YOUNG_DAYS = 14;
/** Fewest non-zero observations the value window is widened to hold. */
export const MIN_WINDOW_VALUES = 8;
/** Fewest observations the level is the median of (when the level window holds fewer). */
const MIN_LEVEL_VALUES = 8;
/** Share of the days since a change that must deviate in its direction for the change to persist. */
const SHIFT_SHARE = 0.7;

/** A model's storage (the daily, unmemoized one is reused; a memo gets a fresh one per fortnight). */
function newModel(): LogModel {
  return {
    at: -1,
    factor: new Float64Array(7),
    known: new Uint8Array(7),
    profile: false,
    sigma: 0,
    slope: 0,
    minB: 0,
    maxB: 0,
    plain: false,
  };
}

/**
 * The scale is estimated from m values: judged one standard error above (that of a MAD-based scale is
 * ≈ 1.17·σ/√m), so a young or sparse log's few values cannot make ordinary days look clear.
 */
export function inflation(m: number): number {
  return 1 + 1.166 / Math.sqrt(Math.max(2, m));
}

export class LogBaseline {
  /** Largest value window: windowDays, widened up to activityDays for sparse logs. */
  readonly W: number;
  // The window: entries [0, n) are the non-zero observed days, chronological.
  readonly idx: Int32Array;
  readonly y: Float64Array;
  /** ln value − weekday factor + slope·(judged day − day). */
  readonly adj: Float64Array;
  readonly wd: Uint8Array;
  readonly raw: Float64Array;
  readonly tmp: Float64Array;
  private readonly win: Float64Array;
  private readonly errs: Float64Array;
  private readonly posOf: Int32Array;
  private readonly cnt = new Int32Array(7);
  private readonly start7 = new Int32Array(7);
  private readonly fill7 = new Int32Array(7);
  private readonly daily = newModel();
  n = 0;
  /** First entry at or after the level's start (the log's first day or its reset). */
  first = 0;
  widened = false;
  /** Second smallest / largest of adj over [first, n) (set by adjustedWindow). */
  rangeLo = 0;
  rangeHi = 0;
  /** Extremes of the values of the current pass (fit, window or quick check). */
  readonly ext = new Extremes();
  // The model in use.
  factor: Float64Array;
  known: Uint8Array;
  /** Noise a day is judged in (log scale): the model's, then judgedNoise's. */
  sigma = Number.NaN;
  slope = 0;
  /** The judged day (adj is projected to it). */
  tNow = 0;
  /** Noise measured by the profile gate of the current fit (NaN when the profile was not kept). */
  private gateNoise = Number.NaN;
  // The bars at the log's sensitivity.
  sens = 1;
  minBytes = 0;
  /** Single-day clear line (log scale) for the current sigma. */
  line = 0;
  /** Log distance of a fall a single day may show from partial ingestion alone (materialCapDown). */
  partialDay = 0;
  /** Lag-one correlation of the log's deviations from its level, 0…1 (0 = days independent). */
  rho = 0;
  // The trailing shift against the level (trailingShift).
  segStart = 0;
  segDev = 0;
  segSign = 0;
  /** First loaded index of the log being judged, and whether a read went before it. */
  knownFrom = Number.NEGATIVE_INFINITY;
  incomplete = false;
  private readonly lnUnmistakable: number;
  /** inflation() of the fullest window: no judged noise is below the model's times this. */
  readonly leastInflation: number;

  constructor(readonly p: DetectParams) {
    this.W = Math.max(p.windowDays, p.activityDays);
    const W = this.W;
    this.idx = new Int32Array(W);
    this.y = new Float64Array(W);
    this.adj = new Float64Array(W);
    this.wd = new Uint8Array(W);
    this.raw = new Float64Array(W);
    this.tmp = new Float64Array(W);
    this.win = new Float64Array(W);
    this.errs = new Float64Array(W);
    this.posOf = new Int32Array(W + 1);
    this.factor = this.daily.factor;
    this.known = this.daily.known;
    this.lnUnmistakable = Math.log(p.unmistakableRatio);
    // A window holds at most max(windowDays, MIN_WINDOW_VALUES) values.
    this.leastInflation = inflation(Math.max(p.windowDays, MIN_WINDOW_VALUES));
  }

  /** Marks the evaluation incomplete when index i is before the loaded history; returns i. */
  reach(i: number): number {
    if (i < this.knownFrom) this.incomplete = true;
    return i;
  }

  /** Sets the bars of one log (its sensitivity and absolute floor). */
  forLog(s: LogSeries): void {
    this.sens = s.sensitivity;
    this.minBytes = s.minBytes;
    this.partialDay = -Math.log1p(-Math.min(0.95, this.sens * this.p.materialCapDown));
  }

  /** Log-scale distance of a material rise from expected bytes E (see DetectParams.materialBytes). */
  upMat(E: number): number {
    return Math.log1p(this.sens * Math.min(this.p.materialCapUp, Math.sqrt(this.p.materialBytes / E)));
  }

  /** Log-scale distance of a material fall from expected bytes E. */
  downMat(E: number): number {
    return -Math.log1p(-Math.min(0.95, this.sens * Math.min(this.p.materialCapDown, Math.sqrt(this.p.materialBytes / E))));
  }

  /** The single-day clear line for noise s (log scale), at the log's sensitivity. */
  lineOf(s: number): number {
    return this.sens * Math.min(this.p.zAlert * s, Math.max(this.lnUnmistakable, this.p.tailZ * s));
  }

  /** Per-day bar of a run of evidence (log scale), or Infinity when runs are off. */
  dayBarOf(s: number): number {
    return this.p.evidenceDays >= 2 ? this.sens * Math.min(this.p.evidenceDayZ, this.p.tailZ) * s : Number.POSITIVE_INFINITY;
  }

  /**
   * Smallest log distance any spike (up) or drop (down) needs with noise s: below it, nothing is possible.
   * (A rise's expectation is below the day's bytes, a fall's below the largest level: the material share
   * only grows as the expectation falls, so it is bounded at those.)
   */
  leastUp(s: number, x: number): number {
    return Math.max(this.upMat(x), Math.min(this.lineOf(s), this.dayBarOf(s)));
  }

  leastDown(s: number, eHigh: number): number {
    return Math.max(this.downMat(eHigh), Math.min(this.lineOf(s), this.dayBarOf(s)));
  }

  /**
   * Standard deviation of the sum of k consecutive deviations, in units of sigma: √k for independent
   * days, up to k when every day repeats the one before.
   */
  evidenceScale(k: number): number {
    let v = k;
    let r = 1;
    for (let j = 1; j < k; j++) {
      r *= this.rho;
      v += 2 * (k - j) * r;
    }
    return Math.sqrt(v);
  }

  /**
   * The model of the fortnight starting on `monday` (fitted on the data before it; memoized in s.memo), or
   * null while the log is young or that data too sparse.
   */
  fortnightModel(s: LogSeries, dow0: number, shapeStart: number, monday: number): LogModel | null {
    if (monday - shapeStart < YOUNG_DAYS) return null;
    const memo = s.memo;
    if (memo?.model && memo.model.at === monday) return memo.model;
    this.collectWindow(s.values, s.lnValues, dow0, shapeStart, monday, this.p.windowDays);
    if (this.n < MIN_WINDOW_VALUES) return null;
    const model = this.fitModel(monday, memo ? newModel() : this.daily);
    if (memo) memo.model = model;
    return model;
  }

  /** The model fitted on the data before day t itself (a young or sparse log). */
  dayModel(s: LogSeries, dow0: number, shapeStart: number, t: number): LogModel {
    this.collectWindow(s.values, s.lnValues, dow0, shapeStart, t, this.p.windowDays);
    return this.fitModel(t, this.daily);
  }

  /** Judges with `model` from now on (weekday factors, noise, trend). */
  useModel(model: LogModel): void {
    this.factor = model.factor;
    this.known = model.known;
    this.sigma = model.sigma;
    this.slope = model.slope;
  }

  /**
   * Noise against the baseline: how far the log strayed from the baseline these rules would have given it
   * (each past day against the median of the level window before it). A log that wanders strays further than
   * its day-to-day changes say; the larger of the two robust scales is the one a day is judged in. Their ratio
   * is the log's memory: for an AR(1)-like log σ_diff² = σ_level²·(1 − ρ), and days that follow each other
   * carry less independent evidence (evidenceScale). Sets sigma (one standard error above), rho and line.
   */
  judgedNoise(): void {
    const { n, first } = this;
    this.rho = 0;
    let scaleValues = n - first;
    if (!Number.isNaN(this.sigma) && n - first >= 2 * MIN_LEVEL_VALUES) {
      const spread = this.predictionSpread(first, n);
      scaleValues = n - first - MIN_LEVEL_VALUES;
      if (spread > this.sigma) {
        this.rho = 1 - (this.sigma / spread) ** 2;
        this.sigma = spread;
      }
    }
    if (!Number.isNaN(this.sigma)) this.sigma *= inflation(scaleValues);
    this.line = Number.isNaN(this.sigma) ? Number.POSITIVE_INFINITY : this.lineOf(this.sigma);
  }

  /**
   * The level of day t (log scale, before the weekday factor; NaN without enough values or while relearning):
   * the one before a trailing shift, re-estimated without it until stable. Sets segStart, segDev, segSign.
   */
  level(t: number, relearning: boolean): number {
    let level = Number.NaN;
    this.segDev = 0;
    this.segSign = 0;
    this.segStart = this.n;
    if (Number.isNaN(this.sigma) || this.n - this.first < 3 || relearning) return level;
    level = this.levelOf(this.first, this.n, t - this.p.levelDays);
    this.trailingShift(level);
    for (let iter = 0; iter < 3 && this.segDev > 0; iter++) {
      const start = this.segStart;
      const before = this.levelOf(this.first, start, this.idx[start]! - this.p.levelDays);
      if (Number.isNaN(before)) break;
      const prev = this.segStart;
      const prevSign = this.segSign;
      level = before;
      this.trailingShift(before);
      if (this.segStart === prev && this.segSign === prevSign) break;
    }
    return level;
  }

  /**
   * Weekday factors from the window entries [0, n); returns true when the profile is worth naming.
   * Factors are kept only when their spread is clearly larger than their own estimation error (a log
   * without a weekly pattern must not fit seven factors to its noise).
   */
  weekdayFactors(t: number): boolean {
    const { adj, idx, tmp, y, cnt, wd, start7, fill7 } = this;
    const n = this.n;
    const { factor, known } = this;
    // Residual of every entry from the median of its 7-day block (blocks aligned to end at t − 1).
    const res = adj; // scratch here; refilled with adjusted values by the caller
    let j = 0;
    while (j < n) {
      const b = Math.floor((t - 1 - idx[j]!) / 7);
      let e = j;
      let m = 0;
      while (e < n && Math.floor((t - 1 - idx[e]!) / 7) === b) tmp[m++] = y[e++]!;
      const med = medianOf(tmp, m);
      for (let q = j; q < e; q++) res[q] = y[q]! - med;
      j = e;
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let present = 0;
    let fewest = Number.POSITIVE_INFINITY;
    // Residuals grouped by weekday into consecutive parts of tmp (counting sort).
    cnt.fill(0);
    for (let q = 0; q < n; q++) cnt[wd[q]!]!++;
    let off = 0;
    for (let w = 0; w < 7; w++) {
      start7[w] = off;
      fill7[w] = off;
      off += cnt[w]!;
    }
    for (let q = 0; q < n; q++) tmp[fill7[wd[q]!]!++] = res[q]!;
    for (let w = 0; w < 7; w++) {
      const m = cnt[w]!;
      if (m > 0) present++;
      if (m >= 2) {
        const f = medianOf(tmp, m, start7[w]!);
        factor[w] = f;
        known[w] = 1;
        if (f < lo) lo = f;
        if (f > hi) hi = f;
        if (m < fewest) fewest = m;
      } else {
        factor[w] = 0;
        known[w] = 0;
      }
    }
    const periodic = present > 0 && present < 7 && n >= 14;
    if (hi > lo && n >= 5) {
      // Noise left once the candidate profile is removed (raw differences would count the weekly
      // pattern itself as noise), and the standard error of a median of `fewest` values.
      for (let q = 1; q < n; q++) tmp[q - 1] = Math.abs(y[q]! - factor[wd[q]!]! - y[q - 1]! + factor[wd[q - 1]!]!);
      const noise = SIGMA_FROM_DIFF_MAD * medianOf(tmp, n - 1);
      const se = (1.2533 * noise) / Math.sqrt(fewest);
      if (hi - lo < PROFILE_SE * se) {
        factor.fill(0);
        return periodic;
      }
      // The noise of the adjusted series: fitModel's sigma, already measured.
      this.gateNoise = noise;
    }
    return hi - lo >= PROFILE_SPREAD || periodic;
  }

  /**
   * Robust trend (log bytes per day) of the window: the median of week-over-week differences of the
   * same weekday (the weekly profile cancels; a shift or an event touches few pairs). 0 unless it is
   * clearly non-zero (TREND_SE standard errors, from the day-to-day `noise`); capped at ±MAX_TREND.
   */
  trendOf(t: number, noise: number): number {
    const { posOf, idx, tmp, y } = this;
    const n = this.n;
    posOf.fill(-1);
    for (let q = 0; q < n; q++) posOf[t - idx[q]!] = q;
    let m = 0;
    for (let q = 0; q < n; q++) {
      const off = t - idx[q]! + 7;
      if (off > this.W) continue;
      const prev = posOf[off]!;
      if (prev >= 0) tmp[m++] = (y[q]! - y[prev]!) / 7;
    }
    if (m < 8 || Number.isNaN(noise)) return 0;
    const med = medianOf(tmp, m);
    // A week-over-week difference of one day's noise has sd √2·noise/7; its median's error is 1.25× that / √m.
    const se = (1.2533 * Math.SQRT2 * noise) / 7 / Math.sqrt(m);
    if (Math.abs(med) < TREND_SE * se) return 0;
    return Math.max(-MAX_TREND, Math.min(MAX_TREND, med));
  }

  /**
   * Median of the adjusted entries in [from, to) whose day index is ≥ minDay, widened to the last
   * MIN_LEVEL_VALUES entries when fewer (a weekly log has 4 values in 28 days); NaN below 3 entries.
   */
  levelOf(from: number, to: number, minDay: number): number {
    const { idx, tmp, adj } = this;
    if (to - from < 3) return Number.NaN;
    let lo = to;
    while (lo > from && idx[lo - 1]! >= minDay) lo--;
    lo = Math.min(lo, Math.max(from, to - MIN_LEVEL_VALUES));
    let m = 0;
    for (let q = lo; q < to; q++) tmp[m++] = adj[q]!;
    return medianOf(tmp, m);
  }

  /**
   * Robust standard deviation (1.4826·MAD) of the one-step errors of the level over the adjusted entries
   * [from, to): each entry from the MIN_LEVEL_VALUES-th on against the median of the entries of the
   * levelDays before it (at least MIN_LEVEL_VALUES of them), as levelOf would have judged it.
   */
  predictionSpread(from: number, to: number): number {
    const { win, adj, idx, errs } = this;
    // win[0, k) holds adj[lo, q) sorted: the level window slides one entry at a time.
    let m = 0;
    let lo = from;
    let k = 0;
    for (let r = from; r < from + MIN_LEVEL_VALUES; r++) k = sortedInsert(win, k, adj[r]!);
    for (let q = from + MIN_LEVEL_VALUES; q < to; q++) {
      while (lo < q - MIN_LEVEL_VALUES && idx[lo]! < idx[q]! - this.p.levelDays) k = sortedRemove(win, k, adj[lo++]!);
      errs[m++] = Math.abs(adj[q]! - sortedMedian(win, k));
      k = sortedInsert(win, k, adj[q]!);
    }
    return MAD_SCALE * medianOf(errs, m);
  }

  /** +1 / −1 when entry q is at least half the alerting distance above / below level L, else 0. */
  deviates(q: number, L: number): number {
    const { adj, wd, idx, raw } = this;
    // adj[q] is projected to the judged day along the trend; its own day's expectation is not.
    const e = adj[q]! - L;
    if (Math.abs(e) < 0.5 * this.line) return 0;
    const exp = Math.exp(L + this.factor[wd[q]!]! - this.slope * (this.tNow - idx[q]!));
    if (e > 0) return e >= 0.5 * this.upMat(exp) && raw[q]! - exp >= 0.5 * this.minBytes ? 1 : 0;
    return -e >= 0.5 * this.downMat(exp) && exp - raw[q]! >= 0.5 * this.minBytes ? -1 : 0;
  }

  /**
   * The trailing segment [segStart, n) of a level shift against level L: it starts with a deviating
   * entry, and at least SHIFT_SHARE of its entries deviate in one direction (so a shift interrupted by a
   * short event still counts). Sets segStart, segDev (deviating entries; 0 when none) and segSign.
   */
  trailingShift(L: number): void {
    const n = this.n;
    this.segDev = 0;
    this.segSign = 0;
    this.segStart = n;
    for (let sign = -1; sign <= 1; sign += 2) {
      let total = 0;
      let count = 0;
      let best = -1;
      let bestCount = 0;
      for (let q = n - 1; q >= this.first; q--) {
        total++;
        if (this.deviates(q, L) === sign) {
          count++;
          if (count >= SHIFT_SHARE * total) {
            best = q;
            bestCount = count;
          }
        } else if (count < SHIFT_SHARE * total - 2) break;
      }
      if (best >= 0 && bestCount > this.segDev) {
        this.segDev = bestCount;
        this.segSign = sign;
        this.segStart = best;
      }
    }
  }

  /**
   * Fills the window arrays with the non-zero observed values before `end`, chronological: `days`
   * calendar days, widened (up to W) until it holds MIN_WINDOW_VALUES of them, so that weekly jobs
   * and logs back from a silence can be judged.
   */
  collectWindow(values: Float64Array, ln: Float64Array | undefined, dow0: number, shapeStart: number, end: number, days: number): void {
    const { idx, raw, y, wd } = this;
    let lo = this.reach(Math.max(shapeStart, end - days));
    const plainLo = lo;
    let have = 0;
    for (let i = lo; i < end; i++) if (values[i]! > 0) have++;
    for (const floor = Math.max(shapeStart, end - this.W); lo > floor && have < MIN_WINDOW_VALUES; )
      if (values[this.reach(--lo)]! > 0) have++;
    this.widened = lo < plainLo;
    let n = 0;
    let w = weekday(dow0, lo);
    for (let i = lo; i < end; i++) {
      const v = values[i]!;
      if (v > 0) {
        idx[n] = i;
        raw[n] = v;
        y[n] = ln ? ln[i]! : Math.log(v);
        wd[n] = w;
        n++;
      }
      if (++w === 7) w = 0;
    }
    this.n = n;
  }

  /**
   * The window before t (as collectWindow) with adj = ln value − weekday factor + slope·(t − day),
   * `first` (first entry at or after levelStart) and the range of adj over [first, n), in one pass
   * in the common case. Needs factor and slope set.
   */
  adjustedWindow(
    values: Float64Array,
    ln: Float64Array | undefined,
    dow0: number,
    shapeStart: number,
    t: number,
    levelStart: number,
  ): void {
    const { idx, raw, y, wd, adj, factor } = this;
    const slope = this.slope;
    const lo = this.reach(Math.max(shapeStart, t - this.p.windowDays));
    let n = 0;
    this.first = -1;
    this.ext.reset();
    let w = weekday(dow0, lo);
    for (let i = lo; i < t; i++) {
      const v = values[i]!;
      if (v > 0) {
        const l = ln ? ln[i]! : Math.log(v);
        const a = l - factor[w]! + slope * (t - i);
        idx[n] = i;
        raw[n] = v;
        y[n] = l;
        wd[n] = w;
        adj[n] = a;
        if (i >= levelStart) {
          if (this.first < 0) this.first = n;
          this.ext.add(a);
        }
        n++;
      }
      if (++w === 7) w = 0;
    }
    if (n < MIN_WINDOW_VALUES && lo > Math.max(shapeStart, t - this.W)) {
      // Sparse: widen (rare path).
      this.collectWindow(values, ln, dow0, shapeStart, t, this.p.windowDays);
      n = this.n;
      this.first = -1;
      this.ext.reset();
      for (let q = 0; q < n; q++) {
        const a = y[q]! - factor[wd[q]!]! + slope * (t - idx[q]!);
        adj[q] = a;
        if (idx[q]! >= levelStart) {
          if (this.first < 0) this.first = q;
          this.ext.add(a);
        }
      }
    }
    this.n = n;
    if (this.first < 0) this.first = n;
    this.rangeLo = this.ext.min2;
    this.rangeHi = this.ext.max2;
  }

  /** Fits the shape of the current window (ending before `end`) into `out`. */
  fitModel(end: number, out: LogModel): LogModel {
    const { adj, y, wd, tmp, idx } = this;
    const n = this.n;
    const factor = out.factor;
    const known = out.known;
    this.factor = factor;
    this.known = known;
    out.at = end;
    out.profile = false;
    this.gateNoise = Number.NaN;
    if (n >= 2) out.profile = this.weekdayFactors(end);
    else {
      factor.fill(0);
      known.fill(0);
    }
    for (let q = 0; q < n; q++) adj[q] = y[q]! - factor[wd[q]!]!;
    out.sigma = Number.NaN;
    if (n >= 5) {
      let noise = this.gateNoise;
      if (Number.isNaN(noise)) {
        for (let q = 1; q < n; q++) tmp[q - 1] = Math.abs(adj[q]! - adj[q - 1]!);
        noise = SIGMA_FROM_DIFF_MAD * medianOf(tmp, n - 1);
      }
      out.sigma = Math.max(MIN_SIGMA, noise);
    }
    out.slope = this.trendOf(end, out.sigma);
    this.ext.reset();
    for (let q = 0; q < n; q++) this.ext.add(adj[q]! - out.slope * idx[q]!);
    out.minB = this.ext.min2;
    out.maxB = this.ext.max2;
    out.plain = !this.widened && n >= 2 * MIN_WINDOW_VALUES - 2;
    return out;
  }
}
