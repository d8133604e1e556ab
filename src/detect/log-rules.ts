/**
 * Per-log statistical rules for one day: spike, drop, silent, new. Pure: no clock, no I/O.
 *
 * Input is one log's calendar-aligned history (bytes per UTC day; NaN = day never observed, a gap;
 * 0 = observed without data). The verdict for index `t` reads only indices ≤ t, so a longer array
 * can never change it (no look-ahead by construction; test/unit/detect/no-look-ahead.test.ts).
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
 * - A run that lasts `persistDays` observations is a level shift: its last day is reported once with
 *   `levelShift`, later days are judged against the new level.
 * - A finding must be clear and material (SPEC §6.2): clear = |ln value − ln expected| ≥ the clear line
 *   s·min(zAlert·σ, max(ln unmistakableRatio, tailZ·σ)) on the day, or a run of up to evidenceDays consecutive
 *   observations each ≥ evidenceDayZ·s·σ away whose summed deviation reaches evidenceZ·s·σ·s(k) (s(k): the
 *   spread of a sum of k days, √k without memory); material = the change is ≥ s·min(cap, √(materialBytes /
 *   expected)) of the expected bytes and ≥ minBytes (every day of a run). A fall on its own day must also
 *   pass materialCapDown (partial ingestion). Recurring bursts: a rise matched in RECURRING_BURSTS earlier
 *   bursts of activityDays is usual for the log.
 * - Organisation-wide days (org-days.ts) arrive as gaps in `values`.
 * - Settling (SPEC §6.1): in a log's first settleDays a fall is not a drop (onboarding bursts, backfills).
 * - Silence: a "reliable" log (silences begin on ≤ reliableHazard of its usual reporting days) is
 *   silent on the first zero day that falls on a weekday it usually reports; other logs when the
 *   probability of the zero run under their own per-weekday zero rate drops below intermittentP.
 */
import { MAD_SCALE, medianInPlace as medianOf, sortedInsert, sortedMedian, sortedRemove } from '../stats.js';
import type { DetectParams } from './params.js';

/** Index marker: the log never sent data (firstSeen) / no baseline reset (baselineFrom). */
export const NEVER = Number.POSITIVE_INFINITY;
export const NO_RESET = Number.NEGATIVE_INFINITY;

export interface LogSeries {
  /** Bytes per day, calendar aligned with the day array of the caller; NaN = not observed. */
  values: Float64Array;
  /** Index of the log's first day with bytes > 0 (may be < 0: before the array); NEVER when none. */
  firstSeen: number;
  /** Index of the "Mark as expected" day (log_settings.baseline_from); NO_RESET when none. */
  baselineFrom: number;
  /** Band multiplier for this log (global sensitivity unless overridden). */
  sensitivity: number;
  /** Absolute floor for this log, bytes/day. */
  minBytes: number;
  /** Optional ln(values) (same length; any value where values ≤ 0): saves the logarithms when a log is judged on many days. */
  lnValues?: Float64Array;
  /** Optional memo of the fortnight's model (a replay passes one per log); absent = estimated on each call. */
  memo?: LogMemo;
  /**
   * Index of the first day actually loaded (earlier entries are placeholders): when the rules would read
   * before it, the result says `incomplete` and must be recomputed with more history. Default: all loaded.
   */
  knownFrom?: number;
}

/** Shape of a log estimated from its data before day `at`: weekday factors, noise and trend. */
export interface LogModel {
  at: number;
  /** Log-scale factor per weekday (0 = Sunday); 0 where unknown or when the log has no weekly pattern. */
  factor: Float64Array;
  known: Uint8Array;
  profile: boolean;
  /** Robust day-to-day noise, log scale; NaN with too few values. */
  sigma: number;
  /** Trend, log scale per day. */
  slope: number;
  /**
   * For a quick check on the days of the fortnight: the second smallest and second largest of
   * ln value − factor − slope·day over the window the model was fitted on, and whether that window was
   * plain (not widened, ≥ 14 values).
   */
  minB: number;
  maxB: number;
  plain: boolean;
}

/** Per-log memo owned by the detector (the fortnight's model); results never depend on it. */
export interface LogMemo {
  model: LogModel | null;
}

export type LogKind = 'spike' | 'drop' | 'silent' | 'new';

export interface LogVerdict {
  kind: LogKind;
  /** Bytes of the day. */
  value: number;
  /** Expected bytes for this weekday (0 for `new`). */
  expected: number;
  /** Band of normal values, bytes. */
  low: number;
  high: number;
  /** ≥ 1: past the alerting line. */
  score: number;
  /** True when the log's weekdays differ (the expectation is "for a Tuesday"). */
  weekdayProfile: boolean;
  /** The change persisted `persistDays` observations: from tomorrow it is the new normal. */
  levelShift: boolean;
  /** For `silent`: observed zero days in a row, today included. */
  silentDays?: number;
  /** For `silent`: index of the first day of the zero run. */
  silentSince?: number;
  /** For `silent`: the log usually reports every such weekday ('reliable') or only sometimes ('intermittent'). */
  silentBasis?: 'reliable' | 'intermittent';
  /** Observations in the deviating run before today (spike/drop). */
  runDays?: number;
  /** Robust z of today against the baseline (log scale). */
  z?: number;
  /** Consecutive observations whose evidence together made the finding (1 = the day alone). */
  evidenceDays?: number;
}

/** State of a silence episode in progress (also on quiet weekdays that produce no finding). */
export interface SilenceState {
  since: number;
  silentDays: number;
}

export interface LogDayResult {
  /** The rules needed history before `knownFrom`: recompute with more (verdict and silence are then void). */
  incomplete?: boolean;
  verdict: LogVerdict | null;
  /** Set while the log is in an alerting silence that is not yet accepted as the new normal. */
  silence: SilenceState | null;
}

const NONE: LogDayResult = { verdict: null, silence: null };
const INCOMPLETE: LogDayResult = { incomplete: true, verdict: null, silence: null };
const SIGMA_FROM_DIFF_MAD = MAD_SCALE / Math.SQRT2;
const MIN_SIGMA = 0.01;
/** Log-scale spread between weekday factors that makes the profile worth naming (25 %). */
const PROFILE_SPREAD = Math.log(1.25);
/** A weekday profile is used when the spread of its factors exceeds this many standard errors. */
const PROFILE_SE = 4;
/** Observations of a weekday needed before it can count as a quiet (non-reporting) weekday. */
const QUIET_WEEKDAY_MIN = 4;
/** A trend is used when it exceeds this many standard errors. */
const TREND_SE = 3;
/** Steepest trend followed (log scale per day): ×4 in 60 days; faster changes are shifts. */
const MAX_TREND = Math.log(4) / 60;
/** Calendar days of a log's life during which its shape is re-estimated every day (two weeks: every weekday twice). */
const YOUNG_DAYS = 14;
/** Fewest non-zero observations the value window is widened to hold. */
const MIN_WINDOW_VALUES = 8;
/** Largest share of its usual reporting days on which a reliable log may begin a silence. */
const RELIABLE_CAP = 0.15;
/** Fewest observations the level is the median of (when the level window holds fewer). */
const MIN_LEVEL_VALUES = 8;
/** A weekday is not a usual reporting day when the log reports on at most this share of them (smoothed). */
const QUIET_WEEKDAY_SHARE = 0.2;
/** Separate earlier bursts (in activityDays) as high as today that make today's rise usual for a log. */
const RECURRING_BURSTS = 3;
/** Share of the days since a change that must deviate in its direction for the change to persist. */
const SHIFT_SHARE = 0.7;
/**
 * Calendar days a silence is traced back. A longer silence has long been accepted as the new normal
 * (persistDays usual reporting days); bounding the scan keeps a windowed read (detectForDay) equal to
 * a replay over the full history.
 */
export const MAX_SILENCE_SCAN = 56;

export interface LogDetector {
  /**
   * Judges day `t` of one log. `day0` is the epoch day (days since 1970-01-01, UTC) of index 0;
   * `firstObserved` the index of the first observed day of the whole history (a log first seen after
   * it is `new`).
   */
  evaluate(s: LogSeries, t: number, day0: number, firstObserved: number): LogDayResult;
}

function weekday(dow0: number, i: number): number {
  return (((dow0 + i) % 7) + 7) % 7;
}

/** How reliably a log reports, from the observed days of [from, to). */
interface Activity {
  /** Usual reporting weekdays (0 = the log (almost) never reports on that weekday). */
  active: Uint8Array;
  /** Zero rate per weekday: that of the usual reporting days for them, 1 for the others. */
  zeroRate: Float64Array;
  /** Silences begin on at most `reliableHazard` of the usual reporting days. */
  reliable: boolean;
  /** At least one non-zero observed day in the range. */
  any: boolean;
}

export function createLogDetector(p: DetectParams): LogDetector {
  /** Largest value window: windowDays, widened up to activityDays for sparse logs. */
  const W = Math.max(p.windowDays, p.activityDays);
  /** Calendar days a cold-start count looks back: every read of the rules stays within a fixed reach. */
  const horizon = Math.max(p.activityDays, p.coldStartDays);
  const idx = new Int32Array(W);
  const y = new Float64Array(W);
  const adj = new Float64Array(W);
  const wd = new Uint8Array(W);
  const raw = new Float64Array(W);
  const tmp = new Float64Array(W);
  const win = new Float64Array(W);
  const errs = new Float64Array(W);
  /** The daily (unmemoized) model's storage; `factor` / `known` point at the model in use. */
  const newModel = (): LogModel => ({
    at: -1,
    factor: new Float64Array(7),
    known: new Uint8Array(7),
    profile: false,
    sigma: 0,
    slope: 0,
    minB: 0,
    maxB: 0,
    plain: false,
  });
  const daily = newModel();
  let factor = daily.factor;
  let known = daily.known;
  const nW = new Int32Array(7);
  const kW = new Int32Array(7);
  const act: Activity = { active: new Uint8Array(7), zeroRate: new Float64Array(7), reliable: false, any: false };

  // Per-evaluation state shared by the helpers below (set at the start of `evaluate`).
  let n = 0;
  let first = 0;
  let sigma = Number.NaN;
  let sens = 1;
  /** Log-scale distance of a material rise / fall from expected bytes E (see DetectParams.materialBytes). */
  const upMat = (E: number): number => Math.log1p(sens * Math.min(p.materialCapUp, Math.sqrt(p.materialBytes / E)));
  const downMat = (E: number): number => -Math.log1p(-Math.min(0.95, sens * Math.min(p.materialCapDown, Math.sqrt(p.materialBytes / E))));
  /** Single-day clear line (log scale) for the current sigma. */
  let line = 0;
  /** Lag-one correlation of the log's deviations from its level, 0…1 (0 = days independent). */
  let rho = 0;
  /**
   * Standard deviation of the sum of k consecutive deviations, in units of sigma: √k for independent
   * days, up to k when every day repeats the one before.
   */
  const evidenceScale = (k: number): number => {
    let v = k;
    let r = 1;
    for (let j = 1; j < k; j++) {
      r *= rho;
      v += 2 * (k - j) * r;
    }
    return Math.sqrt(v);
  };
  let minBytes = 0;
  let segStart = 0;
  let segDev = 0;
  let slope = 0;
  let tNow = 0;
  let rangeLo = 0;
  let rangeHi = 0;
  // The two smallest and two largest values seen (min1 ≤ min2, max1 ≥ max2).
  let min1 = 0;
  let min2 = 0;
  let max1 = 0;
  let max2 = 0;
  const resetExtremes = () => {
    min1 = min2 = Number.POSITIVE_INFINITY;
    max1 = max2 = Number.NEGATIVE_INFINITY;
  };
  const addExtreme = (v: number) => {
    if (v < min2) {
      if (v < min1) {
        min2 = min1;
        min1 = v;
      } else min2 = v;
    }
    if (v > max2) {
      if (v > max1) {
        max2 = max1;
        max1 = v;
      } else max2 = v;
    }
  };
  let widened = false;
  /** First loaded index of the log being judged, and whether a read went before it. */
  let knownFrom = Number.NEGATIVE_INFINITY;
  let incomplete = false;
  /** Marks the evaluation incomplete when index i is before the loaded history; returns i. */
  const reach = (i: number): number => {
    if (i < knownFrom) incomplete = true;
    return i;
  };
  /** Noise measured by the profile gate of the current fit (NaN when the profile was not kept). */
  let gateNoise = Number.NaN;
  const lnUnmistakable = Math.log(p.unmistakableRatio);
  const logP = Math.log(p.intermittentP);
  /** The single-day clear line for noise s (log scale), at the log's sensitivity. */
  /** Log distance of a fall a single day may show from partial ingestion alone (materialCapDown). */
  let partialDay = 0;
  const lineOf = (s: number): number => sens * Math.min(p.zAlert * s, Math.max(lnUnmistakable, p.tailZ * s));
  /** Per-day bar of a run of evidence (log scale), or Infinity when runs are off. */
  const dayBarOf = (s: number): number => (p.evidenceDays >= 2 ? sens * Math.min(p.evidenceDayZ, p.tailZ) * s : Number.POSITIVE_INFINITY);
  /** Smallest log distance any spike (up) or drop (down) needs with noise s: below it, nothing is possible. */
  // (A rise's expectation is below the day's bytes, a fall's below the largest level: the material share
  // only grows as the expectation falls, so it is bounded at those.)
  const leastUp = (s: number, x: number): number => Math.max(upMat(x), Math.min(lineOf(s), dayBarOf(s)));
  const leastDown = (s: number, eHigh: number): number => Math.max(downMat(eHigh), Math.min(lineOf(s), dayBarOf(s)));
  /**
   * The scale is estimated from m values: judged one standard error above (that of a MAD-based scale is
   * ≈ 1.17·σ/√m). The judged noise is at least the model's times inflation(values in the window), and a
   * window holds at most max(windowDays, MIN_WINDOW_VALUES) values: the pre-checks use these lower bounds.
   */
  const inflation = (m: number): number => 1 + 1.166 / Math.sqrt(Math.max(2, m));
  const leastInflation = inflation(Math.max(p.windowDays, MIN_WINDOW_VALUES));
  const posOf = new Int32Array(W + 1);
  const cnt = new Int32Array(7);
  const start7 = new Int32Array(7);
  const fill7 = new Int32Array(7);
  let segSign = 0;

  /**
   * Weekday factors from the window entries [0, n); returns true when the profile is worth naming.
   * Factors are kept only when their spread is clearly larger than their own estimation error (a log
   * without a weekly pattern must not fit seven factors to its noise).
   */
  function weekdayFactors(t: number): boolean {
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
      gateNoise = noise;
    }
    return hi - lo >= PROFILE_SPREAD || periodic;
  }

  /**
   * Robust trend (log bytes per day) of the window: the median of week-over-week differences of the
   * same weekday (the weekly profile cancels; a shift or an event touches few pairs). 0 unless it is
   * clearly non-zero (TREND_SE standard errors, from the day-to-day `noise`); capped at ±MAX_TREND.
   */
  function trendOf(t: number, noise: number): number {
    posOf.fill(-1);
    for (let q = 0; q < n; q++) posOf[t - idx[q]!] = q;
    let m = 0;
    for (let q = 0; q < n; q++) {
      const off = t - idx[q]! + 7;
      if (off > W) continue;
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
  function levelOf(from: number, to: number, minDay: number): number {
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
  function predictionSpread(from: number, to: number): number {
    // win[0, k) holds adj[lo, q) sorted: the level window slides one entry at a time.
    let m = 0;
    let lo = from;
    let k = 0;
    for (let r = from; r < from + MIN_LEVEL_VALUES; r++) k = sortedInsert(win, k, adj[r]!);
    for (let q = from + MIN_LEVEL_VALUES; q < to; q++) {
      while (lo < q - MIN_LEVEL_VALUES && idx[lo]! < idx[q]! - p.levelDays) k = sortedRemove(win, k, adj[lo++]!);
      errs[m++] = Math.abs(adj[q]! - sortedMedian(win, k));
      k = sortedInsert(win, k, adj[q]!);
    }
    return MAD_SCALE * medianOf(errs, m);
  }

  /** +1 / −1 when entry q is at least half the alerting distance above / below level L, else 0. */
  function deviates(q: number, L: number): number {
    // adj[q] is projected to the judged day along the trend; its own day's expectation is not.
    const e = adj[q]! - L;
    if (Math.abs(e) < 0.5 * line) return 0;
    const exp = Math.exp(L + factor[wd[q]!]! - slope * (tNow - idx[q]!));
    if (e > 0) return e >= 0.5 * upMat(exp) && raw[q]! - exp >= 0.5 * minBytes ? 1 : 0;
    return -e >= 0.5 * downMat(exp) && exp - raw[q]! >= 0.5 * minBytes ? -1 : 0;
  }

  /**
   * The trailing segment [segStart, n) of a level shift against level L: it starts with a deviating
   * entry, and at least SHIFT_SHARE of its entries deviate in one direction (so a shift interrupted by a
   * short event still counts). Sets segStart, segDev (deviating entries; 0 when none) and segSign.
   */
  function trailingShift(L: number): void {
    segDev = 0;
    segSign = 0;
    segStart = n;
    for (let sign = -1; sign <= 1; sign += 2) {
      let total = 0;
      let count = 0;
      let best = -1;
      let bestCount = 0;
      for (let q = n - 1; q >= first; q--) {
        total++;
        if (deviates(q, L) === sign) {
          count++;
          if (count >= SHIFT_SHARE * total) {
            best = q;
            bestCount = count;
          }
        } else if (count < SHIFT_SHARE * total - 2) break;
      }
      if (best >= 0 && bestCount > segDev) {
        segDev = bestCount;
        segSign = sign;
        segStart = best;
      }
    }
  }

  /** Activity statistics over the observed days of [from, to). */
  function activity(values: Float64Array, dow0: number, from: number, to: number): Activity {
    reach(from);
    nW.fill(0);
    kW.fill(0);
    let N = 0;
    let K = 0;
    for (let i = from, w = weekday(dow0, from); i < to; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      nW[w]!++;
      N++;
      if (v > 0) {
        kW[w]!++;
        K++;
      }
    }
    act.any = K > 0;
    // Quiet weekdays need clear evidence: a weekly job's other six days, a weekday log's weekend. Random
    // zeros of an intermittent log clustering on one weekday must not make that weekday "quiet".
    for (let w = 0; w < 7; w++) act.active[w] = nW[w]! < QUIET_WEEKDAY_MIN || (kW[w]! + 0.5) / (nW[w]! + 1) > QUIET_WEEKDAY_SHARE ? 1 : 0;
    // Silences (zero runs) among the usual reporting days, and how many such days there were.
    let episodes = 0;
    let opportunities = 0;
    let zeros = 0;
    let prevZero = false;
    for (let i = from, w = weekday(dow0, from); i < to; i++, w = w === 6 ? 0 : w + 1) {
      const v = values[i]!;
      if (Number.isNaN(v) || !act.active[w]) continue;
      opportunities++;
      const zero = v === 0;
      if (zero) zeros++;
      if (zero && !prevZero) episodes++;
      prevZero = zero;
    }
    // Alerts cost per calendar day: a weekly job may miss a larger share of its (seven times rarer)
    // reporting days for the same expected number of needless alerts, up to RELIABLE_CAP.
    const allowed = opportunities > 0 ? Math.min(RELIABLE_CAP, (p.reliableHazard * N) / opportunities) : 0;
    act.reliable = (episodes + 0.5) / (opportunities + 1) <= allowed;
    // Zero rate of the usual reporting days as a whole (per-weekday rates from 13 samples are mostly
    // noise), taken at its upper 90 % bound: a rate from two weeks of history must not make a short
    // gap look improbable.
    const qHat = (zeros + 0.5) / (opportunities + 1);
    const q0 = Math.min(0.99, qHat + 1.2816 * Math.sqrt((qHat * (1 - qHat)) / (opportunities + 1)));
    for (let w = 0; w < 7; w++) act.zeroRate[w] = act.active[w] ? q0 : 1;
    return act;
  }

  /**
   * Fills the window arrays with the non-zero observed values before `end`, chronological: `days`
   * calendar days, widened (up to W) until it holds MIN_WINDOW_VALUES of them, so that weekly jobs
   * and logs back from a silence can be judged.
   */
  function collectWindow(
    values: Float64Array,
    ln: Float64Array | undefined,
    dow0: number,
    shapeStart: number,
    end: number,
    days: number,
  ): void {
    let lo = reach(Math.max(shapeStart, end - days));
    const plainLo = lo;
    let have = 0;
    for (let i = lo; i < end; i++) if (values[i]! > 0) have++;
    for (const floor = Math.max(shapeStart, end - W); lo > floor && have < MIN_WINDOW_VALUES; ) if (values[reach(--lo)]! > 0) have++;
    widened = lo < plainLo;
    n = 0;
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
  }

  /**
   * The window before t (as collectWindow) with adj = ln value − weekday factor + slope·(t − day),
   * `first` (first entry at or after levelStart) and the range of adj over [first, n), in one pass
   * in the common case. Needs factor and slope set.
   */
  function adjustedWindow(
    values: Float64Array,
    ln: Float64Array | undefined,
    dow0: number,
    shapeStart: number,
    t: number,
    levelStart: number,
  ): void {
    const lo = reach(Math.max(shapeStart, t - p.windowDays));
    n = 0;
    first = -1;
    resetExtremes();
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
          if (first < 0) first = n;
          addExtreme(a);
        }
        n++;
      }
      if (++w === 7) w = 0;
    }
    if (n < MIN_WINDOW_VALUES && lo > Math.max(shapeStart, t - W)) {
      // Sparse: widen (rare path).
      collectWindow(values, ln, dow0, shapeStart, t, p.windowDays);
      first = -1;
      resetExtremes();
      for (let q = 0; q < n; q++) {
        const a = y[q]! - factor[wd[q]!]! + slope * (t - idx[q]!);
        adj[q] = a;
        if (idx[q]! >= levelStart) {
          if (first < 0) first = q;
          addExtreme(a);
        }
      }
    }
    if (first < 0) first = n;
    rangeLo = min2;
    rangeHi = max2;
  }

  /** Fits the shape of the current window (ending before `end`) into `out`. */
  function fitModel(end: number, out: LogModel): LogModel {
    factor = out.factor;
    known = out.known;
    out.at = end;
    out.profile = false;
    gateNoise = Number.NaN;
    if (n >= 2) out.profile = weekdayFactors(end);
    else {
      factor.fill(0);
      known.fill(0);
    }
    for (let q = 0; q < n; q++) adj[q] = y[q]! - factor[wd[q]!]!;
    out.sigma = Number.NaN;
    if (n >= 5) {
      let noise = gateNoise;
      if (Number.isNaN(noise)) {
        for (let q = 1; q < n; q++) tmp[q - 1] = Math.abs(adj[q]! - adj[q - 1]!);
        noise = SIGMA_FROM_DIFF_MAD * medianOf(tmp, n - 1);
      }
      out.sigma = Math.max(MIN_SIGMA, noise);
    }
    out.slope = trendOf(end, out.sigma);
    resetExtremes();
    for (let q = 0; q < n; q++) addExtreme(adj[q]! - out.slope * idx[q]!);
    out.minB = min2;
    out.maxB = max2;
    out.plain = !widened && n >= 2 * MIN_WINDOW_VALUES - 2;
    return out;
  }

  /** The rules for day t of one log (see evaluate). */
  function judgeDay(s: LogSeries, t: number, day0: number, firstObserved: number): LogDayResult {
    {
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
        if (!Number.isNaN(values[reach(i)]!)) seen++;
      if (seen < p.coldStartDays) return NONE;
      const wt = weekday(dow0, t);
      sens = s.sensitivity;
      minBytes = s.minBytes;
      partialDay = -Math.log1p(-Math.min(0.95, sens * p.materialCapDown));
      // x === 0: silence.
      let lastActive = t;
      let runDays = 0;
      let runStart = t;
      let alertAt = -1;
      let activeSince = 0;
      let cum = 0;
      let a = act;
      if (x === 0) {
        // The current zero run (observed days; gaps neither break nor extend it). Walked before any model
        // is fitted: most zero days end here (a quiet weekday, a long accepted silence).
        lastActive = t;
        runDays = 0;
        runStart = t;
        const scanTo = Math.max(shapeStart, t - MAX_SILENCE_SCAN);
        for (; lastActive >= scanTo; lastActive--) {
          const v = values[reach(lastActive)]!;
          if (Number.isNaN(v)) continue;
          if (v > 0) break;
          runDays++;
          runStart = lastActive;
        }
        // No data since the log began, or a silence older than the scan: long accepted (or never judged).
        if (lastActive < scanTo) return NONE;
        // "Mark as expected" on a day inside this silence accepts it.
        if (resetAt > lastActive) return NONE;
        // Statistics from before the run; the log must have been established before it.
        let before = 0;
        for (let i = runStart - 1; i >= Math.max(shapeStart, runStart - horizon) && before < p.coldStartDays; i--) {
          if (!Number.isNaN(values[reach(i)]!)) before++;
        }
        if (before < p.coldStartDays) return NONE;
        a = activity(values, dow0, Math.max(shapeStart, runStart - p.activityDays), runStart);
        if (!a.any) return NONE;
        // Walk the run: the first alerting day, then the usual reporting days since it.
        alertAt = -1;
        activeSince = 0;
        cum = 0;
        for (let i = runStart; i <= t; i++) {
          if (Number.isNaN(values[i]!)) continue;
          const w = weekday(dow0, i);
          if (alertAt < 0) {
            if (a.reliable) {
              if (a.active[w]) alertAt = i;
            } else {
              cum += Math.log(a.zeroRate[w]!);
              if (cum <= logP && a.active[w]) alertAt = i;
            }
          }
          if (alertAt >= 0 && a.active[w]) activeSince++;
        }
        if (alertAt < 0 || activeSince > p.persistDays) return NONE;
      }

      // Shape (weekday factors, noise, trend): re-estimated every other Monday from the data before it,
      // every day while the log is young or when that data is too sparse.
      // Monday of the current fortnight, counted on absolute days (weeks since the Monday 1970-01-05, epoch
      // day 4) so that a window cut anywhere refreshes on the same days as the whole history.
      const weekMonday = t - ((wt + 6) % 7);
      const monday = weekMonday - (((Math.floor((day0 + weekMonday - 4) / 7) % 2) + 2) % 2) * 7;
      let model: LogModel | null = null;
      if (monday - shapeStart >= YOUNG_DAYS) {
        const memo = s.memo;
        if (memo?.model && memo.model.at === monday) model = memo.model;
        else {
          collectWindow(values, s.lnValues, dow0, shapeStart, monday, p.windowDays);
          if (n >= MIN_WINDOW_VALUES) {
            model = fitModel(monday, memo ? newModel() : daily);
            if (memo) memo.model = model;
          }
        }
      }
      if (model?.plain && x > 0) {
        // Quick check: today's window lies within the model's window plus the days since its Monday, and
        // every adjusted value is b + slope·t; when today is within the relative floors of that wider
        // range, no spike or drop is possible (the full pre-check below would say so too).
        // (Second extremes: the model's window keeps only those; adding values can only widen them.)
        min1 = Number.NEGATIVE_INFINITY;
        min2 = model.minB;
        max1 = Number.POSITIVE_INFINITY;
        max2 = model.maxB;
        const ln = s.lnValues;
        for (let i = reach(monday), w = weekday(dow0, monday); i < t; i++, w = w === 6 ? 0 : w + 1) {
          const v = values[i]!;
          if (v > 0) addExtreme((ln ? ln[i]! : Math.log(v)) - model.factor[w]! - model.slope * i);
        }
        const today = Math.log(x) - model.factor[wt]!;
        const ms = model.sigma;
        const hiB = max2 + model.slope * t;
        if (
          !Number.isNaN(ms) &&
          today - (min2 + model.slope * t) < leastUp(ms * leastInflation, x) &&
          hiB - today < leastDown(ms * leastInflation, Math.exp(hiB + model.factor[wt]!))
        )
          return NONE;
      }
      if (!model) {
        collectWindow(values, s.lnValues, dow0, shapeStart, t, p.windowDays);
        model = fitModel(t, daily);
      }
      factor = model.factor;
      known = model.known;
      sigma = model.sigma;
      slope = model.slope;
      const profile = model.profile;
      // Today's window, adjusted and projected to day t along the trend (a growing log's median must not lag).
      tNow = t;
      adjustedWindow(values, s.lnValues, dow0, shapeStart, t, levelStart);
      if (x > 0) {
        // Every level below is the median of at least 3 of the entries [first, n), so it lies between their
        // second smallest and second largest: when today is less than the relative floor away from both,
        // no spike or drop is possible.
        const today = Math.log(x) - factor[wt]!;
        const lo = rangeLo;
        const hi = rangeHi;
        const s0 = sigma * inflation(n - first);
        if (Number.isNaN(sigma) || (today - lo < leastUp(s0, x) && hi - today < leastDown(s0, Math.exp(hi + factor[wt]!)))) return NONE;
      }

      const relearning = resetAt > shapeStart && n - first < p.relearnValues;
      if (x > 0 && (relearning || n - first < 3)) return NONE;
      if (x > 0) {
        // Exact pre-check with the level: the judged noise is at least s0 (the spread against the baseline
        // only raises it), and with s0 no trailing run deviates, so none does with the judged noise either
        // (every bar of `deviates` grows with it): the level is levelOf's and the day must clear its bars.
        const s0 = sigma * inflation(n - first);
        line = lineOf(s0);
        const L = levelOf(first, n, t - p.levelDays);
        trailingShift(L);
        if (segDev === 0) {
          const expected = Math.exp(L + factor[wt]!);
          const e = Math.log(x) - L - factor[wt]!;
          const dist = Math.abs(e);
          if (
            dist < (e > 0 ? upMat(expected) : downMat(expected)) ||
            Math.abs(x - expected) < minBytes ||
            dist < Math.min(line, dayBarOf(s0))
          ) {
            return NONE;
          }
        }
      }
      let level = Number.NaN;
      segDev = 0;
      segSign = 0;
      segStart = n;
      // Noise against the baseline: how far the log strayed from the baseline these rules would have given
      // it (each past day against the median of the level window before it). A log that wanders strays
      // further than its day-to-day changes say; the larger of the two robust scales is the one a day is
      // judged in. Their ratio is the log's memory: for an AR(1)-like log σ_diff² = σ_level²·(1 − ρ), and
      // days that follow each other carry less independent evidence (evidenceScale).
      rho = 0;
      let scaleValues = n - first;
      if (!Number.isNaN(sigma) && n - first >= 2 * MIN_LEVEL_VALUES) {
        const spread = predictionSpread(first, n);
        scaleValues = n - first - MIN_LEVEL_VALUES;
        if (spread > sigma) {
          rho = 1 - (sigma / spread) ** 2;
          sigma = spread;
        }
      }
      // The scale is estimated from m values: judged one standard error above (that of a MAD-based scale is
      // ≈ 1.17·σ/√m), so a young or sparse log's few values cannot make ordinary days look clear.
      if (!Number.isNaN(sigma)) sigma *= inflation(scaleValues);
      line = Number.isNaN(sigma) ? Number.POSITIVE_INFINITY : lineOf(sigma);
      if (!Number.isNaN(sigma) && n - first >= 3 && !relearning) {
        level = levelOf(first, n, t - p.levelDays);
        trailingShift(level);
        // The level is the one before a trailing shift: re-estimate without it until stable.
        for (let iter = 0; iter < 3 && segDev > 0; iter++) {
          const start = segStart;
          const before = levelOf(first, start, idx[start]! - p.levelDays);
          if (Number.isNaN(before)) break;
          const prev = segStart;
          const prevSign = segSign;
          level = before;
          trailingShift(before);
          if (segStart === prev && segSign === prevSign) break;
        }
      }

      if (x > 0) {
        if (Number.isNaN(level)) return NONE;
        let L = level;
        let levelShift = false;
        const f = factor[wt]!;
        const dirOld = Math.log(x) - f - level > 0 ? 1 : -1;
        if (segDev >= p.persistDays) {
          // Accepted new normal: the shifted segment itself is the baseline.
          let m = 0;
          for (let q = segStart; q < n; q++) tmp[m++] = adj[q]!;
          L = medianOf(tmp, m);
        } else if (segDev === p.persistDays - 1 && segSign === dirOld) {
          // Today makes it persistDays: judged once more against the old level, flagged as the new normal.
          levelShift = true;
        }
        const expected = Math.exp(L + f);
        const e = Math.log(x) - L - f;
        const high = Math.max(expected * Math.exp(Math.max(line, upMat(expected))), expected + minBytes);
        const low = Math.max(0, Math.min(expected * Math.exp(-Math.max(line, downMat(expected))), expected - minBytes));
        const kind: LogKind = e > 0 ? 'spike' : 'drop';
        const sign = e > 0 ? 1 : -1;
        const mat = e > 0 ? upMat(expected) : downMat(expected);
        const dist = sign * e;
        const bytes = sign * (x - expected);
        // Material (a share of the usual day and minBytes) and clear on the day alone (a fall on its own day
        // only when it takes more than partial ingestion does: late data and agent restarts routinely take
        // up to half of one day, so a smaller fall is told once a second day confirms it) …
        const material = Math.min(dist / mat, bytes / minBytes);
        let score = Math.min(dist / line, material);
        if (sign < 0) score = Math.min(score, dist / partialDay);
        let evidence = 1;
        // … or clear together with the observations just before it, each of them material and well away.
        const dayBar = dayBarOf(sigma);
        if (score < 1 && material >= 1 && dist >= dayBar) {
          let sum = dist;
          for (let q = n - 1, k = 2; q >= first && k <= p.evidenceDays; q--, k++) {
            const eq = sign * (adj[q]! - L);
            const expq = Math.exp(L + factor[wd[q]!]! - slope * (t - idx[q]!));
            if (eq < dayBar || eq < (sign > 0 ? upMat(expq) : downMat(expq)) || sign * (raw[q]! - expq) < minBytes) break;
            sum += eq;
            const sk = Math.min(sum / (evidenceScale(k) * p.evidenceZ * sens * sigma), material);
            if (sk > score) {
              score = sk;
              evidence = k;
            }
          }
        }
        if (!(score >= 1)) return NONE;
        // Settling: a young log's fall is its level finding its feet, not a drop (SPEC §6.1).
        if (kind === 'drop' && t - shapeStart < p.settleDays) return NONE;
        // Intermittent logs are bursty: the day must also leave the range of their own recent values.
        const a = activity(values, dow0, Math.max(shapeStart, t - p.activityDays), t);
        if (!a.reliable) {
          let mn = Number.POSITIVE_INFINITY;
          let mx = 0;
          for (let i = reach(Math.max(levelStart, t - p.activityDays)); i < t; i++) {
            const v = values[i]!;
            if (!(v > 0)) continue;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
          }
          // Beyond the range by half the alerting distance: a new maximum by noise alone is common.
          if (kind === 'spike' ? x < mx * Math.exp(0.5 * Math.max(line, mat)) : x > mn * Math.exp(-0.5 * Math.max(line, mat))) return NONE;
        }
        // Recurring bursts are how this log behaves: a rise it has matched or exceeded (along the trend) in
        // RECURRING_BURSTS separate bursts of the last activityDays is usual for it; a larger one is told.
        if (kind === 'spike') {
          let bursts = 0;
          let inBurst = false;
          const ln = s.lnValues;
          for (let i = reach(Math.max(levelStart, t - p.activityDays)), w = weekday(dow0, i); i < t; i++, w = w === 6 ? 0 : w + 1) {
            const v = values[i]!;
            if (Number.isNaN(v)) continue;
            const high = v > 0 && (ln ? ln[i]! : Math.log(v)) - factor[w]! + slope * (t - i) - L >= e;
            if (high && !inBurst) bursts++;
            inBurst = high;
          }
          if (bursts >= RECURRING_BURSTS) return NONE;
        }
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
            runDays: segDev,
            z: e / sigma,
            evidenceDays: evidence,
          },
          silence: null,
        };
      }

      // x === 0: silence (the run was walked above).
      // What the silence takes away: the usual bytes of this weekday (the absolute floor applies).
      const expected = Number.isNaN(level)
        ? Math.exp(medianOfWindow(y, n, tmp) + (known[wt] ? factor[wt]! : 0))
        : Math.exp(level + factor[wt]!);
      if (!(expected >= minBytes)) return NONE;
      const silence: SilenceState = { since: runStart, silentDays: runDays };
      if (!a.active[wt]) return { verdict: null, silence: activeSince < p.persistDays ? silence : null };
      const downLine = Number.isNaN(sigma) ? downMat(expected) : Math.max(lineOf(sigma), downMat(expected));
      const upLine = Number.isNaN(sigma) ? upMat(expected) : Math.max(lineOf(sigma), upMat(expected));
      const low = Math.max(0, Math.min(expected * Math.exp(-downLine), expected - minBytes));
      const high = Math.max(expected * Math.exp(upLine), expected + minBytes);
      const levelShift = activeSince === p.persistDays;
      return {
        verdict: {
          kind: 'silent',
          value: 0,
          expected,
          low,
          high,
          score: a.reliable ? activeSince : Math.max(1, cum / logP),
          weekdayProfile: profile,
          levelShift,
          silentDays: runDays,
          silentSince: runStart,
          silentBasis: a.reliable ? 'reliable' : 'intermittent',
        },
        silence: levelShift ? null : silence,
      };
    }
  }

  return {
    evaluate(s, t, day0, firstObserved) {
      knownFrom = s.knownFrom ?? Number.NEGATIVE_INFINITY;
      incomplete = false;
      const r = judgeDay(s, t, day0, firstObserved);
      return incomplete ? INCOMPLETE : r;
    },
  };
}

function medianOfWindow(y: Float64Array, n: number, tmp: Float64Array): number {
  if (n === 0) return Number.NaN;
  for (let q = 0; q < n; q++) tmp[q] = y[q]!;
  return medianOf(tmp, n);
}
