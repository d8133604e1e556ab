/**
 * The organisation total (SPEC §6.7), pure: an unusual organisation day is ONE finding `{scope: 'org', kind:
 * 'org', details: {orgEvent: 'unusual'}}` whose `contributors` are the logs that carried the change, largest
 * first, with their share (BRIEF's shared contract, src/detect/types.ts). When detection already produced an
 * `org` finding that day (a holiday or an organisation-wide dip), the contributors are attached to it instead.
 *
 * Contracts:
 * - Bytes are whole bytes per UTC day; arrays are calendar aligned (NaN = unknown); only indices ≤ t are read.
 * - The organisation's usual level for day t is the median of the same weekday in the EXPECT_WEEKS weeks
 *   before; its spread the scaled median absolute deviation of those days. The day is unusual when it is
 *   outside EXPECT_Z spreads AND the change is at least MATERIAL_SHARE of the usual level (material, SPEC §6.2).
 * - A log's change is its bytes on t minus the median of its same weekdays (a day without data on an observed
 *   day counts 0); share = its change / the organisation's change (it may exceed 1 when others moved the
 *   other way).
 * - No organisation finding when logs with their own finding that day (posted or kept apart, e.g. muted)
 *   carried most of the change (EXPLAINED_SHARE): their alerts already tell it (SPEC §7, no floods).
 */

import { formatShare, orgReason } from './org-reason.js';
import { median } from './org-rules.js';
import type { Contributor, Finding } from './types.js';

export const EXPECT_WEEKS = 4;
export const EXPECT_Z = 4;
export const MATERIAL_SHARE = 0.15;
export const EXPLAINED_SHARE = 0.7;
export const MAX_CONTRIBUTORS = 10;

export interface OrgLogSeries {
  id: string;
  name: string;
  /** Bytes per day, aligned with the organisation series. */
  values: ArrayLike<number>;
}

export interface OrgDayInput {
  day: string;
  t: number;
  org: ArrayLike<number>;
  observed: ArrayLike<number>;
  logs: readonly OrgLogSeries[];
}

function sameWeekdays(a: ArrayLike<number>, t: number, observed: ArrayLike<number> | null, asZero: boolean): number[] {
  const out: number[] = [];
  for (let w = 1; w <= EXPECT_WEEKS; w++) {
    const i = t - 7 * w;
    if (i < 0) break;
    const v = a[i] as number;
    if (Number.isFinite(v)) out.push(v);
    else if (asZero && observed && observed[i] === 1) out.push(0);
  }
  return out;
}

/** The organisation's usual level and spread for day t, or null with fewer than 3 known same weekdays. */
export function orgExpectation(org: ArrayLike<number>, t: number): { expected: number; spread: number } | null {
  const xs = sameWeekdays(org, t, null, false);
  if (xs.length < 3) return null;
  const m = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - m))) * 1.4826;
  // A floor on the spread: four identical weeks do not make a 1 % change "certain".
  return { expected: m, spread: Math.max(mad, 0.02 * m) };
}

/** Every log's change on day t, in the direction of `orgChange`, largest first. */
export function orgContributors(input: OrgDayInput, orgChange: number): Contributor[] {
  const { t } = input;
  const rows: Contributor[] = [];
  if (orgChange === 0) return rows;
  for (const l of input.logs) {
    const v = l.values[t] as number;
    const today = Number.isFinite(v) ? v : input.observed[t] === 1 ? 0 : Number.NaN;
    if (!Number.isFinite(today)) continue;
    const before = sameWeekdays(l.values, t, input.observed, true);
    const usual = before.length > 0 ? median(before) : 0;
    const change = today - usual;
    if (change * Math.sign(orgChange) <= 0) continue;
    rows.push({ logId: l.id, logName: l.name, changeBytes: Math.round(change), share: change / orgChange });
  }
  return rows.sort((a, b) => Math.abs(b.changeBytes) - Math.abs(a.changeBytes) || a.logId.localeCompare(b.logId));
}

/**
 * Adds the organisation finding of day t to `findings` (in place), or attaches contributors to the `org`
 * finding already there. Returns the organisation finding, or null when the day is not unusual.
 */
export function addOrgFinding(input: OrgDayInput, findings: Finding[], keptApart: readonly Finding[] = []): Finding | null {
  const { t, org } = input;
  const existing = findings.find((f) => f.kind === 'org' && f.scope === 'org');
  const value = org[t] as number;
  const exp = orgExpectation(org, t);
  if (existing) {
    const change = existing.changeBytes !== 0 ? existing.changeBytes : exp && Number.isFinite(value) ? value - exp.expected : 0;
    existing.contributors = orgContributors(input, change).slice(0, MAX_CONTRIBUTORS);
    return existing;
  }
  if (!exp || !Number.isFinite(value) || input.observed[t] !== 1) return null;
  const change = value - exp.expected;
  const z = Math.abs(change) / exp.spread;
  if (z < EXPECT_Z || Math.abs(change) < MATERIAL_SHARE * exp.expected) return null;
  const all = orgContributors(input, change);
  const told = new Set([...findings, ...keptApart].flatMap((f) => (f.scope === 'log' && f.logId ? [f.logId] : [])));
  const explained = all.reduce((a, c) => a + (told.has(c.logId) ? c.share : 0), 0);
  if (explained >= EXPLAINED_SHARE) return null;
  const contributors = all.slice(0, MAX_CONTRIBUTORS);
  const details: Record<string, unknown> = { orgEvent: 'unusual', z: Math.round(z * 100) / 100 };
  const f: Finding = {
    day: input.day,
    kind: 'org',
    scope: 'org',
    logId: null,
    logName: 'organisation',
    logsets: [],
    value: Math.round(value),
    expected: Math.round(exp.expected),
    low: Math.round(Math.max(0, exp.expected - EXPECT_Z * exp.spread)),
    high: Math.round(exp.expected + EXPECT_Z * exp.spread),
    score: Math.round((z / EXPECT_Z) * 100) / 100,
    reason: orgReason(value, exp.expected, contributors),
    changeBytes: Math.round(change),
    changePct: exp.expected > 0 ? (change / exp.expected) * 100 : null,
    contributors,
    details,
  };
  findings.push(f);
  return f;
}

export { formatShare };
