/**
 * Pure, simple "typical day" estimate used by `/logusage` answers and charts when detection does not
 * supply its own baseline: the median of the previous 28 days of the same day type (weekdays vs
 * weekends), with a band of ±3 scaled MADs (at least ±10 % of the median). Days with NaN are gaps
 * and are skipped. Bytes in, bytes out.
 */
import { type Day, weekdayOf } from '../days.js';
import { median, robustSpread } from '../stats.js';

export interface Band {
  expected: number;
  low: number;
  high: number;
}

const WINDOW = 28;
const MIN_SAMPLES = 3;

const isWeekend = (d: Day) => {
  const w = weekdayOf(d);
  return w === 0 || w === 6;
};

/** The band for `days[i]` from the values before it, or undefined with too little history. */
export function typicalAt(days: Day[], values: ArrayLike<number>, i: number): Band | undefined {
  const day = days[i];
  if (day === undefined) return undefined;
  const weekend = isWeekend(day);
  const sample: number[] = [];
  for (let j = i - 1; j >= Math.max(0, i - WINDOW); j--) {
    const v = values[j] as number;
    if (Number.isFinite(v) && isWeekend(days[j] as Day) === weekend) sample.push(v);
  }
  if (sample.length < MIN_SAMPLES) return undefined;
  const m = median(sample);
  const mad = robustSpread(sample, m);
  const half = Math.max(3 * mad, 0.1 * m);
  return { expected: m, low: Math.max(0, m - half), high: m + half };
}

/** Bands for every day (NaN where there is too little history). */
export function typicalSeries(days: Day[], values: ArrayLike<number>): { expected: number[]; low: number[]; high: number[] } {
  const expected: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (let i = 0; i < days.length; i++) {
    const b = typicalAt(days, values, i);
    expected.push(b?.expected ?? Number.NaN);
    low.push(b?.low ?? Number.NaN);
    high.push(b?.high ?? Number.NaN);
  }
  return { expected, low, high };
}
