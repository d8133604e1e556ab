/**
 * The organisation total (SPEC §6.7), pure: an unusual organisation day is ONE finding `{scope: 'org', kind:
 * 'org', details: {orgEvent: 'unusual'}}` whose `contributors` are the logs that carried the change, largest
 * first, with their share (src/detect/types.ts). When detection already produced an `org` finding that day (a
 * holiday or an organisation-wide dip), the contributors are attached to it instead.
 *
 * Contracts:
 * - Bytes are whole bytes per UTC day; arrays are calendar aligned (NaN = unknown); only indices ≤ t are read.
 * - The organisation's expected total for day t is the sum of every log's own expectation for t
 *   (`logExpectation`) plus what the logs do not account for (the organisation total minus their sum), so the
 *   organisation's change is exactly the sum of the logs' changes and cannot disagree with them. A log's
 *   expectation is the median of its same weekdays in the EXPECT_WEEKS weeks before t, counted only from its
 *   accepted level (`levelFrom`: the later of the first day of its accepted new normal and its "Mark as expected" day); a muted log
 *   (`quiet`) is expected to send what it sent. An accepted new normal is therefore the organisation's new
 *   normal too, from the day after it was accepted.
 * - The spread is the scaled median absolute deviation of the organisation's same weekdays (at least 2 % of the
 *   expected total). The day is unusual when its change is beyond EXPECT_Z spreads AND at least MATERIAL_SHARE
 *   of the expected total (material, SPEC §6.2).
 * - share = a log's change / the organisation's change (it may exceed 1 when others moved the other way).
 * - Explained: logs with their own finding that day (posted or kept apart, e.g. muted) carry EXPLAINED_SHARE of
 *   the change or more. Their alerts already tell it (SPEC §7, no floods): the finding is returned for the
 *   digest with `details.explained`, not added to the day's findings (so never posted as an alert).
 */

import { median, medianInPlace, robustSpread } from '../stats.js';
import { formatShare, orgReason } from './org-reason.js';
import type { Contributor, Finding } from './types.js';

/** Same weekdays a log's (and the organisation's) usual day is the median of: four weeks. */
export const EXPECT_WEEKS = 4;
/** Robust spreads an unusual organisation day is away from its expected total, and … */
export const EXPECT_Z = 4;
/** … the share of it the change is at least (material, SPEC §6.2). */
export const MATERIAL_SHARE = 0.15;
/** Share of the change logs with their own finding carry for the day to be theirs to tell, not the organisation's. */
export const EXPLAINED_SHARE = 0.7;
/** Contributors a finding lists, largest first. */
export const MAX_CONTRIBUTORS = 10;

export interface OrgLogSeries {
  id: string;
  name: string;
  /** Bytes per day, aligned with the organisation series. */
  values: ArrayLike<number>;
  /** Index of the first day of the log's accepted level (new normal or "Mark as expected"); absent = none. */
  levelFrom?: number;
  /** Muted: its changes are nobody's news (expected = what it sent). */
  quiet?: boolean;
}

export interface OrgDayInput {
  day: string;
  t: number;
  org: ArrayLike<number>;
  observed: ArrayLike<number>;
  logs: readonly OrgLogSeries[];
  /**
   * Optional memo of what the logs do not account for, by day index (it depends on the data only): a replay
   * over many days passes one map for all of them.
   */
  remainders?: Map<number, number>;
  /**
   * Optional memo of the logs' expectations, from `createExpectationMemo` over this same `logs` array: a replay
   * over many days passes one memo for all of them (the same numbers as without it).
   */
  expectations?: ExpectationMemo;
}

/**
 * The logs' expectations of a replay, kept once computed. `base[i × logs + k]` is log k's expectation on day i
 * without an accepted level (its bytes when `quiet`), NaN when its bytes of day i are unknown; computed for
 * every day up front, log by log (each entry reads only days before i: no look-ahead). Expectations under an
 * accepted level are kept per log in `levelled`, valid while its `levelFrom` stays the same. Values, `quiet`
 * and `observed` must not change while the memo is used.
 */
export interface ExpectationMemo {
  readonly logs: readonly OrgLogSeries[];
  readonly days: number;
  readonly base: Float64Array;
  readonly levelled: Array<Float64Array | undefined>;
  /** The `levelFrom` each log's `levelled` row was computed with. */
  readonly levelledFrom: Array<number | undefined>;
}

/** The memo of `logs` over `days` days (indices 0 … days − 1). */
export function createExpectationMemo(logs: readonly OrgLogSeries[], observed: ArrayLike<number>, days: number): ExpectationMemo {
  const n = logs.length;
  const base = new Float64Array(n * days);
  for (let k = 0; k < n; k++) {
    const l = logs[k] as OrgLogSeries;
    for (let i = 0; i < days; i++) {
      base[i * n + k] = Number.isNaN(bytesAt(l.values, i, observed, true)) ? Number.NaN : expectationWithoutLevel(l, i, observed);
    }
  }
  return { logs, days, base, levelled: [], levelledFrom: [] };
}

/** Bytes of day i, an observed day without data as 0 (`asZero`), NaN when unknown. */
function bytesAt(a: ArrayLike<number>, i: number, observed: ArrayLike<number> | null, asZero: boolean): number {
  const v = a[i] as number;
  if (Number.isFinite(v)) return v;
  return asZero && observed && observed[i] === 1 ? 0 : Number.NaN;
}

/** Scratch of `usualOf` (EXPECT_WEEKS values; the rules are synchronous, so one buffer serves every call). */
const weekdayScratch = new Float64Array(EXPECT_WEEKS);

/**
 * Median of a log's known same weekdays of t: EXPECT_WEEKS weeks of them, the latest first, among the indices
 * in [lo, hi) before t (hi ≤ t; the weeks from hi on are skipped, not counted); NaN without any.
 */
function usualOf(l: OrgLogSeries, t: number, observed: ArrayLike<number>, lo = 0, hi = t): number {
  let n = 0;
  for (let i = t - 7, weeks = 0; i >= Math.max(0, lo) && weeks < EXPECT_WEEKS; i -= 7) {
    if (i >= hi) continue;
    weeks++;
    const v = bytesAt(l.values, i, observed, true);
    if (!Number.isNaN(v)) weekdayScratch[n++] = v;
  }
  return n > 0 ? medianInPlace(weekdayScratch, n) : Number.NaN;
}

/**
 * A log's expected bytes for day t (see the file comment; 0 for a log without history). Within a week of its
 * accepted level no same weekday is at the new level yet: the old level of the weekday (its same weekdays
 * before the level began) is scaled by the median ratio of the days since then to their own old level, so a
 * weekly pattern survives a change of level.
 */
export function logExpectation(l: OrgLogSeries, t: number, observed: ArrayLike<number>): number {
  if (!levelApplies(l, t)) return expectationWithoutLevel(l, t, observed);
  const from = l.levelFrom as number;
  const since = usualOf(l, t, observed, from);
  if (!Number.isNaN(since)) return since;
  const oldToday = usualOf(l, t, observed, 0, from);
  if (Number.isNaN(oldToday)) return 0;
  const ratios: number[] = [];
  for (let i = from; i < t; i++) {
    const v = bytesAt(l.values, i, observed, true);
    const old = usualOf(l, i, observed, 0, from);
    if (!Number.isNaN(v) && old > 0) ratios.push(v / old);
  }
  return ratios.length > 0 ? oldToday * median(ratios) : oldToday;
}

/** A log's expectation for day t when no accepted level applies: a quiet log's bytes, else its usual day (0 without any). */
function expectationWithoutLevel(l: OrgLogSeries, t: number, observed: ArrayLike<number>): number {
  if (l.quiet) return bytesAt(l.values, t, observed, true);
  const usual = usualOf(l, t, observed);
  return Number.isNaN(usual) ? 0 : usual;
}

/** True when log l's expectation on day t depends on its accepted level (`logExpectation`'s branch). */
function levelApplies(l: OrgLogSeries, t: number): boolean {
  const from = l.levelFrom ?? Number.NEGATIVE_INFINITY;
  return !l.quiet && from > 0 && from < t;
}

/**
 * `logExpectation` of `input.logs[k]` for day i (its bytes known that day), through the memo when the input
 * has one for its logs (the same number).
 */
function expectationAt(input: OrgDayInput, k: number, i: number): number {
  const log = input.logs[k] as OrgLogSeries;
  const memo = input.expectations;
  if (!memo || memo.logs !== input.logs || i >= memo.days) return logExpectation(log, i, input.observed);
  if (!levelApplies(log, i)) return memo.base[i * memo.logs.length + k] as number;
  let row = memo.levelled[k];
  if (row === undefined) {
    row = new Float64Array(memo.days).fill(Number.NaN);
    memo.levelled[k] = row;
    memo.levelledFrom[k] = log.levelFrom;
  } else if (memo.levelledFrom[k] !== log.levelFrom) {
    row.fill(Number.NaN);
    memo.levelledFrom[k] = log.levelFrom;
  }
  let e = row[i] as number;
  if (Number.isNaN(e)) {
    e = logExpectation(log, i, input.observed);
    row[i] = e;
  }
  return e;
}

/** A log's change on day t (bytes − its expectation). */
interface LogChange {
  log: OrgLogSeries;
  change: number;
}

/** Every log's change on day i; logs with no known bytes that day are left out. */
function logChanges(input: OrgDayInput, i = input.t): LogChange[] {
  const { observed, logs } = input;
  const rows: LogChange[] = [];
  for (let k = 0; k < logs.length; k++) {
    const log = logs[k] as OrgLogSeries;
    const today = bytesAt(log.values, i, observed, true);
    if (!Number.isNaN(today)) rows.push({ log, change: today - expectationAt(input, k, i) });
  }
  return rows;
}

/** The sum of the logs' expectations on day i (the logs `logChanges` keeps, in their order). */
function logsExpected(input: OrgDayInput, i: number): number {
  const { observed, logs } = input;
  const memo = input.expectations;
  let expected = 0;
  if (memo && memo.logs === logs && i < memo.days) {
    // The memo's NaN marks the logs without known bytes that day, as `bytesAt` would.
    const { base } = memo;
    const off = i * logs.length;
    for (let k = 0; k < logs.length; k++) {
      const b = base[off + k] as number;
      if (Number.isNaN(b)) continue;
      expected += levelApplies(logs[k] as OrgLogSeries, i) ? expectationAt(input, k, i) : b;
    }
    return expected;
  }
  for (let k = 0; k < logs.length; k++) {
    if (Number.isNaN(bytesAt((logs[k] as OrgLogSeries).values, i, observed, true))) continue;
    expected += logExpectation(logs[k] as OrgLogSeries, i, observed);
  }
  return expected;
}

/** What the logs do not account for on day i: the organisation total minus their bytes (NaN when unknown). */
function remainderAt(input: OrgDayInput, i: number): number {
  const memo = input.remainders?.get(i);
  if (memo !== undefined) return memo;
  const total = input.org[i] as number;
  let sum = 0;
  for (const l of input.logs) {
    const v = l.values[i] as number;
    if (Number.isFinite(v)) sum += v;
  }
  const r = Number.isFinite(total) ? total - sum : Number.NaN;
  input.remainders?.set(i, r);
  return r;
}

/** The usual part of what the logs do not account for on day i (median of its same weekdays; 0 without any). */
function usualRemainder(input: OrgDayInput, i: number): number {
  const rest: number[] = [];
  for (let w = 1; w <= EXPECT_WEEKS && i - 7 * w >= 0; w++) {
    const r = remainderAt(input, i - 7 * w);
    if (!Number.isNaN(r)) rest.push(r);
  }
  return rest.length > 0 ? median(rest) : 0;
}

/** The organisation's expected total for day i: every log's expectation plus the remainder's usual day. */
function expectedTotal(input: OrgDayInput, i: number): number {
  return logsExpected(input, i) + usualRemainder(input, i);
}

/**
 * The spread of the organisation total on day t, or null with fewer than 3 known same weekdays: the scaled
 * median absolute deviation of the same weekdays' misses from their own expected totals (each with the levels
 * accepted before it, so a level accepted in those weeks does not widen it), at least 2 % of `expected`.
 */
function orgSpread(input: OrgDayInput, expected: number): number | null {
  const { org, t } = input;
  const misses: number[] = [];
  for (let w = 1; w <= EXPECT_WEEKS && t - 7 * w >= 0; w++) {
    const i = t - 7 * w;
    const v = org[i] as number;
    if (Number.isFinite(v)) misses.push(v - expectedTotal(input, i));
  }
  if (misses.length < 3) return null;
  const m = median(misses);
  const mad = robustSpread(misses, m);
  // A floor on the spread: four identical weeks do not make a 1 % change "certain".
  return Math.max(mad, 0.02 * Math.max(expected, 0));
}

/**
 * The organisation's expected total and spread for day t (see the file comment), or null without a total on t
 * or with fewer than 3 known same weekdays of it.
 */
export function orgExpectation(input: OrgDayInput): { expected: number; spread: number } | null {
  if (!Number.isFinite(input.org[input.t] as number)) return null;
  const expected = expectedTotal(input, input.t);
  const spread = orgSpread(input, expected);
  return spread === null ? null : { expected, spread };
}

/** Every log's change on day t, in the direction of `orgChange`, largest first. */
export function orgContributors(input: OrgDayInput, orgChange: number, rows: readonly LogChange[] = logChanges(input)): Contributor[] {
  if (orgChange === 0) return [];
  const out: Contributor[] = [];
  for (const { log, change } of rows) {
    if (change * Math.sign(orgChange) <= 0) continue;
    out.push({ logId: log.id, logName: log.name, changeBytes: Math.round(change), share: change / orgChange });
  }
  return out.sort((a, b) => Math.abs(b.changeBytes) - Math.abs(a.changeBytes) || a.logId.localeCompare(b.logId));
}

/**
 * The organisation finding of day t. With an `org` finding already in `findings` (a holiday or a dip), its
 * contributors are attached (in place) and it is returned. Otherwise an unusual day is returned as a new
 * finding and, unless the logs' own findings explain it (`details.explained`), added to `findings` so that it
 * goes through the alert lifecycle. Null when the day is not unusual.
 */
export function addOrgFinding(input: OrgDayInput, findings: Finding[], keptApart: readonly Finding[] = []): Finding | null {
  const { t, org } = input;
  const existing = findings.find((f) => f.kind === 'org' && f.scope === 'org');
  const value = org[t] as number;
  const known = Number.isFinite(value);
  const expected = logsExpected(input, t) + usualRemainder(input, t);
  if (existing) {
    const change = existing.changeBytes !== 0 ? existing.changeBytes : known ? value - expected : 0;
    existing.contributors = orgContributors(input, change).slice(0, MAX_CONTRIBUTORS);
    return existing;
  }
  if (!known || input.observed[t] !== 1) return null;
  const change = value - expected;
  // Material first (cheap); the spread reads four more days of every log.
  if (Math.abs(change) < MATERIAL_SHARE * expected) return null;
  const spread = orgSpread(input, expected);
  if (spread === null) return null;
  const z = Math.abs(change) / spread;
  if (z < EXPECT_Z) return null;
  const all = orgContributors(input, change);
  const told = new Set([...findings, ...keptApart].flatMap((f) => (f.scope === 'log' && f.logId ? [f.logId] : [])));
  const explainedShare = all.reduce((a, c) => a + (told.has(c.logId) ? c.share : 0), 0);
  const explained = explainedShare >= EXPLAINED_SHARE;
  const contributors = all.slice(0, MAX_CONTRIBUTORS);
  const details: Record<string, unknown> = { orgEvent: 'unusual', z: Math.round(z * 100) / 100, ...(explained ? { explained: true } : {}) };
  const f: Finding = {
    day: input.day,
    kind: 'org',
    scope: 'org',
    logId: null,
    logName: 'organisation',
    logsets: [],
    value: Math.round(value),
    expected: Math.round(expected),
    low: Math.round(Math.max(0, expected - EXPECT_Z * spread)),
    high: Math.round(expected + EXPECT_Z * spread),
    score: Math.round((z / EXPECT_Z) * 100) / 100,
    reason: orgReason(value, expected, contributors),
    changeBytes: Math.round(change),
    changePct: expected > 0 ? (change / expected) * 100 : null,
    contributors,
    details,
  };
  if (!explained) findings.push(f);
  return f;
}

/**
 * Where the level a new-normal finding accepts began: the first day of its run (`details.runDays` observations
 * before its own day; calendar days, so a sparse log's start is placed late and its old days stay out), or
 * null when the finding accepts no level. The organisation counts it from the day after the finding.
 */
export function levelShiftStart(f: Finding, t: number): number | null {
  if (!f.logId || f.details?.levelShift !== true) return null;
  const run = Number(f.details.runDays ?? 0);
  return t - (Number.isFinite(run) && run > 0 ? run : 0);
}

/** Records (by log id) the accepted levels a day's findings begin (`levelShiftStart`; posted or kept apart). */
export function noteLevelShifts(levels: Map<string, number>, findings: readonly Finding[], t: number): void {
  for (const f of findings) {
    const from = levelShiftStart(f, t);
    if (from !== null && f.logId) levels.set(f.logId, from);
  }
}

export { formatShare };
