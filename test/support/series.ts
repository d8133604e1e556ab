/** Builders of single-log histories for the detection rule tests (deterministic noise). */
import { addDays, type Day, toEpochDay, weekdayOf } from '../../src/days.js';
import { createLogDetector, type LogDayResult, type LogSeries, type LogVerdict, NO_RESET } from '../../src/detect/log-rules.js';
import { DEFAULT_PARAMS, type DetectParams } from '../../src/detect/params.js';
import { createRandom } from '../../src/random.js';

/** Index 0 of every series: a Monday. */
export const START: Day = '2026-01-05';
export const GB = 1e9;
export const MB = 1e6;

export function dayAt(i: number): Day {
  return addDays(START, i);
}

/** Weekday (0 = Sunday) of index i. */
export function wdAt(i: number): number {
  return weekdayOf(dayAt(i));
}

/**
 * A series of `days` values: `level(i, weekday)` bytes times lognormal noise of `sigma` (log scale).
 * A level of 0 gives 0 (no data); NaN gives a gap (day not observed).
 */
export function series(days: number, level: (i: number, wd: number) => number, sigma = 0.05, seed = 7): Float64Array {
  const rnd = createRandom(seed);
  const out = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    const u = Math.max(1e-12, rnd());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    const l = level(i, wdAt(i));
    out[i] = Number.isNaN(l) ? Number.NaN : l === 0 ? 0 : Math.round(l * Math.exp(sigma * z));
  }
  return out;
}

export interface JudgeOptions {
  params?: Partial<DetectParams>;
  firstSeen?: number;
  baselineFrom?: number;
  sensitivity?: number;
  minBytes?: number;
  /** Index of the first observed day of the whole history (default 0). */
  firstObserved?: number;
}

function toSeries(values: Float64Array, o: JudgeOptions, p: DetectParams): LogSeries {
  let first = o.firstSeen;
  if (first === undefined) {
    const i = values.findIndex((v) => v > 0);
    first = i < 0 ? Number.POSITIVE_INFINITY : i;
  }
  return {
    values,
    firstSeen: first,
    baselineFrom: o.baselineFrom ?? NO_RESET,
    sensitivity: o.sensitivity ?? p.sensitivity,
    minBytes: o.minBytes ?? p.minBytes,
  };
}

/** The verdict for day t. */
export function judge(values: Float64Array, t: number, o: JudgeOptions = {}): LogDayResult {
  const p = { ...DEFAULT_PARAMS, ...o.params };
  return createLogDetector(p).evaluate(toSeries(values, o, p), t, toEpochDay(START), o.firstObserved ?? 0);
}

/** A day's verdict with the day it is for. */
export type Hit = LogVerdict & { t: number; day: Day };

/** Every finding of the log from day `from` (default 0) to the end, in order. */
export function findings(values: Float64Array, o: JudgeOptions & { from?: number } = {}): Hit[] {
  const p = { ...DEFAULT_PARAMS, ...o.params };
  const d = createLogDetector(p);
  const s = toSeries(values, o, p);
  const out: Hit[] = [];
  for (let t = o.from ?? 0; t < values.length; t++) {
    const v = d.evaluate(s, t, toEpochDay(START), o.firstObserved ?? 0).verdict;
    if (!v) continue;
    out.push({ t, day: dayAt(t), ...v });
  }
  return out;
}

/** Weekday of a Monday-based offset: the first index ≥ from whose weekday is `wd`. */
export function nextWeekday(from: number, wd: number): number {
  let i = from;
  while (wdAt(i) !== wd) i++;
  return i;
}
