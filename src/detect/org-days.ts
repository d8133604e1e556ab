/**
 * Organisation-wide dip days (SPEC §6.4): a declared holiday (`HOLIDAYS`), or a day on which far more of the
 * logs that normally report dip together than independent dips could explain. Pure: no clock, no I/O.
 *
 * Such a day is ONE organisation finding (`kind: 'org'`, `details.orgEvent` 'holiday' | 'dip'); no log gets a
 * finding of its own that day (on an automatic dip day a log that sent nothing is still judged silent: SPEC
 * §6.5), and the day is left out of every log's history (a gap), so it is never part of a baseline nor of a
 * "new normal": the logs that did not dip lose one ordinary day, the ones that dipped only partly (less than a
 * third) — common on a holiday — keep it out of theirs too.
 *
 * A log dips on day d when it normally reports on that weekday (data on the same weekday one and two weeks
 * before) and sends less than DIP_SHARE of the larger of those two days. The larger one: a holiday a week
 * before (Christmas, then New Year) must not lower the reference. Whether day d is such a day reads days
 * d − 14 … d only: no look-ahead (docs/detection.md, "The organisation moves together").
 */
import type { Day } from '../days.js';

/** A log has dipped when it sends less than this share of its reference day: down by at least a third. */
export const DIP_SHARE = 2 / 3;
/** An automatic dip day needs at least this share of the logs that normally report to dip together. */
const DIP_DAY_SHARE = 1 / 3;
/**
 * Generous rate at which logs dip independently on an ordinary day (the busiest ordinary days of real and
 * synthetic organisations show 3–8 %); a dip day must be improbable under it (DIP_DAY_P).
 */
const INDEPENDENT_DIP_RATE = 0.1;
const DIP_DAY_P = 1e-4;
/** Calendar days back the reference days are (one and two weeks). */
export const ORG_DAY_REACH = 14;

export interface OrgDay {
  orgEvent: 'holiday' | 'dip';
  /** Logs that dipped (on a holiday: sent nothing, too). */
  logsAffected: number;
  /** Logs that normally report on this weekday (data on both reference days). */
  logsReporting: number;
  /** Bytes of the day over the logs that normally report, and their reference bytes. */
  value: number;
  expected: number;
}

export interface OrgDays {
  /** Day index → the organisation-wide day. */
  days: Map<number, OrgDay>;
  /** Log index → the day indexes (ascending) left out of its history (organisation-wide days it sent data on). */
  excluded: Map<number, number[]>;
}

/** Parsed `HOLIDAYS`: whole dates and every-year `MM-DD` dates. */
export interface Holidays {
  dates: ReadonlySet<string>;
  yearly: ReadonlySet<string>;
}

export const NO_HOLIDAYS: Holidays = { dates: new Set(), yearly: new Set() };

/** Holidays from the setting's items (`YYYY-MM-DD` or `MM-DD`, already checked by config.ts). */
export function holidaysOf(items: readonly string[]): Holidays {
  const dates = new Set<string>();
  const yearly = new Set<string>();
  for (const s of items) (s.length === 5 ? yearly : dates).add(s);
  return { dates, yearly };
}

export function isHoliday(h: Holidays, day: Day): boolean {
  return h.dates.has(day) || h.yearly.has(day.slice(5));
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // Term for X = k in log space, then the sum of the following terms by their ratio.
  let lnTerm = 0;
  for (let i = 0; i < k; i++) lnTerm += Math.log((n - i) / (k - i));
  lnTerm += k * Math.log(p) + (n - k) * Math.log1p(-p);
  let term = Math.exp(lnTerm);
  let sum = term;
  for (let x = k; x < n && term > sum * 1e-12; x++) {
    term *= ((n - x) / (x + 1)) * (p / (1 - p));
    sum += term;
  }
  return Math.min(1, sum);
}

/**
 * Organisation-wide days among the observed days of [from, to] (indexes of `days`), from the logs' bytes
 * (NaN = not observed). Logs are read in the given order; `excluded` uses their indexes.
 */
export function findOrgDays(
  logs: ReadonlyArray<{ values: Float64Array }>,
  days: readonly Day[],
  observed: Uint8Array,
  holidays: Holidays,
  from: number,
  to: number,
): OrgDays {
  const out: OrgDays = { days: new Map(), excluded: new Map() };
  const dipped: number[] = [];
  for (let d = Math.max(from, ORG_DAY_REACH); d <= to; d++) {
    if (observed[d] !== 1) continue;
    const holiday = isHoliday(holidays, days[d]!);
    let reporting = 0;
    let value = 0;
    let expected = 0;
    dipped.length = 0;
    for (let i = 0; i < logs.length; i++) {
      const v = logs[i]!.values;
      const a = v[d - 7]!;
      const b = v[d - 14]!;
      const x = v[d]!;
      if (!(a > 0 && b > 0) || Number.isNaN(x)) continue;
      reporting++;
      const ref = Math.max(a, b);
      value += x;
      expected += ref;
      // A log that sends nothing is silent (SPEC §6.5: the log-set rule), except on a declared holiday.
      if (x < DIP_SHARE * ref && (x > 0 || holiday)) dipped.push(i);
    }
    const k = dipped.length;
    if (k === 0) continue;
    let orgEvent: OrgDay['orgEvent'] | null = null;
    if (holiday) orgEvent = 'holiday';
    else if (k >= DIP_DAY_SHARE * reporting && binomialTail(reporting, k, INDEPENDENT_DIP_RATE) <= DIP_DAY_P) orgEvent = 'dip';
    if (!orgEvent) continue;
    out.days.set(d, { orgEvent, logsAffected: k, logsReporting: reporting, value, expected });
    for (let i = 0; i < logs.length; i++) {
      const x = logs[i]!.values[d]!;
      if (!(x > 0 || (holiday && x === 0))) continue;
      const list = out.excluded.get(i);
      if (list) list.push(d);
      else out.excluded.set(i, [d]);
    }
  }
  return out;
}

/** The log's bytes with its excluded days as gaps (a copy; the same array when nothing is excluded). */
export function withoutOrgDays(values: Float64Array, excluded: readonly number[] | undefined): Float64Array {
  if (!excluded || excluded.length === 0) return values;
  const out = Float64Array.from(values);
  for (const d of excluded) out[d] = Number.NaN;
  return out;
}
