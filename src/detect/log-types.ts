/**
 * The shapes the per-log rules (log-rules.ts) take and give: one log's series, its fitted model, the
 * verdict of one day. Pure types and markers.
 */

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

export interface LogDetector {
  /**
   * Judges day `t` of one log. `day0` is the epoch day (days since 1970-01-01, UTC) of index 0;
   * `firstObserved` the index of the first observed day of the whole history (a log first seen after
   * it is `new`).
   */
  evaluate(s: LogSeries, t: number, day0: number, firstObserved: number): LogDayResult;
}

/** The day says nothing: no verdict, no silence in progress. */
export const NONE: LogDayResult = { verdict: null, silence: null };

/** Weekday (0 = Sunday) of index i, when index 0 falls on weekday dow0. */
export function weekday(dow0: number, i: number): number {
  return (((dow0 + i) % 7) + 7) % 7;
}
