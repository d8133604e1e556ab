/**
 * Threshold and budget rules. Pure. They work from the first day (no cold start).
 * Bytes are whole bytes per UTC day; arrays are calendar aligned with `days` (NaN = unknown).
 */
import { type Day, firstOfMonth, lastOfMonth, toEpochDay, weekdayOf } from '../days.js';
import { median } from '../stats.js';
import type { BudgetLevel } from './reason.js';

export interface ThresholdRule {
  id: number;
  scope: 'log' | 'logset' | 'org';
  /** Log id, log set name, or '' for the organisation. */
  target: string;
  bytesPerDay: number;
}

export interface BudgetVerdict extends MonthProjection {
  level: BudgetLevel;
  /** Every level that holds today, highest last. */
  levels: BudgetLevel[];
  budget: number;
}

/** Days of organisation history used for the per-weekday expectation of the rest of the month. */
const PROJECTION_LOOKBACK = 28;

/**
 * Expected organisation total per weekday (0 = Sunday) from the PROJECTION_LOOKBACK days up to and
 * including index t: the median of that weekday's known totals, or of all known totals when a weekday
 * has none. NaN when nothing is known.
 */
export function expectedOrgByWeekday(days: Day[], org: Float64Array, t: number): number[] {
  const byW: number[][] = [[], [], [], [], [], [], []];
  const all: number[] = [];
  for (let i = Math.max(0, t - PROJECTION_LOOKBACK + 1); i <= t; i++) {
    const v = org[i]!;
    if (Number.isNaN(v)) continue;
    byW[weekdayOf(days[i]!)]!.push(v);
    all.push(v);
  }
  const fallback = all.length ? median(all) : Number.NaN;
  return byW.map((v) => (v.length ? median(v) : fallback));
}

/** Month to date and the month-end projection of one day (bytes). */
export interface MonthProjection {
  monthToDate: number;
  /** Month to date plus, for every other day of the month, the expected total of its weekday. */
  projected: number;
  /** Days of the month up to today with a known total. */
  knownDays: number;
  /** Days of the month whose total is estimated (after today, or unknown before it). */
  estimatedDays: number;
}

/**
 * The ONE month projection (SPEC §6.8): used by the budget rule, the digest, `/logusage summary` and App Home.
 * Known days of day t's month count as they are; every other day of the month (after t, or unknown) counts as
 * the expected total of its weekday (`expectedOrgByWeekday`). Null when no day of the month is known yet.
 * `org[i]` is the organisation total of `days[i]`; the 28 days before t should be in `days` for the weekdays.
 */
export function projectMonth(days: Day[], org: Float64Array, t: number): MonthProjection | null {
  const day = days[t]!;
  const monthStart = firstOfMonth(day);
  const monthEnd = lastOfMonth(day);
  const expected = expectedOrgByWeekday(days, org, t);
  const base = toEpochDay(days[0]!);
  let mtd = 0;
  let estimate = 0;
  let knownDays = 0;
  let estimatedDays = 0;
  for (let e = toEpochDay(monthStart), end = toEpochDay(monthEnd); e <= end; e++) {
    const i = e - base;
    const w = (e + 4) % 7;
    const v = i >= 0 && i <= t ? org[i]! : Number.NaN;
    if (i <= t && !Number.isNaN(v)) {
      mtd += v;
      knownDays++;
    } else {
      const ex = expected[w]!;
      if (!Number.isNaN(ex)) estimate += ex;
      estimatedDays++;
    }
  }
  if (knownDays === 0) return null;
  return { monthToDate: mtd, projected: mtd + estimate, knownDays, estimatedDays };
}

/**
 * Month-to-date and month-end projection (`projectMonth`) of day t against the budget. Returns the highest
 * level that holds, or null. `org[i]` is the organisation total of `days[i]`.
 */
export function evaluateBudget(days: Day[], org: Float64Array, t: number, budget: number | undefined): BudgetVerdict | null {
  if (!budget || budget <= 0) return null;
  const p = projectMonth(days, org, t);
  if (!p) return null;
  const levels: BudgetLevel[] = [];
  if (p.projected >= 0.8 * budget) levels.push('projected-80');
  if (p.projected >= budget) levels.push('projected-100');
  if (p.monthToDate >= budget) levels.push('actual-100');
  const level = levels[levels.length - 1];
  if (!level) return null;
  return { level, levels, ...p, budget };
}
