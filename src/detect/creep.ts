/**
 * Creep (SPEC §6.7), pure: organisation usage growing over weeks while no single log stands out — many logs
 * each a little higher, or new normals adding up. One `creep` finding `{scope: 'org', kind: 'creep'}` with
 * the growth per day (and per month in `details`), and the largest growers as `contributors`.
 *
 * Contracts:
 * - Bytes are whole bytes per UTC day; arrays are calendar aligned (NaN = unknown); only indices ≤ t are read.
 * - Two fortnights are compared, so weekdays weigh the same in both: the latest (t−13 … t) and the one
 *   CREEP_WEEKS weeks earlier; each needs CREEP_MIN_KNOWN known days. The fortnight between them must lie
 *   between the two (growth, not a one-off).
 * - Creep: the latest fortnight is at least CREEP_MIN_GROWTH above the earlier one, and no single log carries
 *   more than CREEP_MAX_SHARE of that growth (one log growing is that log's own alert).
 * - At most once a fortnight: the caller says when it was last told (`lastToldDay`, epoch day), detection
 *   stays free of state.
 */
import type { OrgDayInput } from './org-contributors.js';
import { creepReason } from './org-reason.js';
import type { Contributor, Finding } from './types.js';

export const CREEP_WEEKS = 6;
export const CREEP_MIN_GROWTH = 0.15;
export const CREEP_MAX_SHARE = 0.5;
export const CREEP_MIN_KNOWN = 10;
export const CREEP_EVERY_DAYS = 14;
/** Days per month used for the monthly size (365.25 / 12). */
export const DAYS_PER_MONTH = 30.44;

/** The organisation day's input (org-contributors.ts) and when creep was last told. */
export interface CreepInput extends OrgDayInput {
  /** Days since creep was last told (undefined: never). */
  daysSinceTold?: number;
}

function blockMean(a: ArrayLike<number>, from: number, to: number, observed: ArrayLike<number> | null): { mean: number; known: number } {
  let sum = 0;
  let known = 0;
  for (let i = Math.max(0, from); i <= to; i++) {
    const v = a[i] as number;
    if (Number.isFinite(v)) {
      sum += v;
      known++;
    } else if (observed && observed[i] === 1) known++;
  }
  return { mean: known > 0 ? sum / known : Number.NaN, known };
}

export function detectCreep(input: CreepInput): Finding | null {
  const { t, org } = input;
  if (input.daysSinceTold !== undefined && input.daysSinceTold < CREEP_EVERY_DAYS) return null;
  const lag = CREEP_WEEKS * 7;
  const recentFrom = t - 13;
  const oldFrom = recentFrom - lag;
  if (oldFrom < 0) return null;
  const recent = blockMean(org, recentFrom, t, null);
  const old = blockMean(org, oldFrom, oldFrom + 13, null);
  const mid = blockMean(org, recentFrom - Math.floor(lag / 2), recentFrom - Math.floor(lag / 2) + 13, null);
  if (recent.known < CREEP_MIN_KNOWN || old.known < CREEP_MIN_KNOWN || !(old.mean > 0)) return null;
  const growth = recent.mean / old.mean - 1;
  if (growth < CREEP_MIN_GROWTH) return null;
  if (mid.known >= CREEP_MIN_KNOWN && !(mid.mean > old.mean && mid.mean < recent.mean)) return null;
  const perDay = recent.mean - old.mean;
  const growers: Contributor[] = [];
  for (const l of input.logs) {
    const r = blockMean(l.values, recentFrom, t, input.observed);
    const o = blockMean(l.values, oldFrom, oldFrom + 13, input.observed);
    const rm = Number.isFinite(r.mean) ? r.mean : 0;
    const om = Number.isFinite(o.mean) ? o.mean : 0;
    const change = rm - om;
    if (change > 0) growers.push({ logId: l.id, logName: l.name, changeBytes: Math.round(change), share: change / perDay });
  }
  growers.sort((a, b) => b.changeBytes - a.changeBytes || a.logId.localeCompare(b.logId));
  if ((growers[0]?.share ?? 0) > CREEP_MAX_SHARE) return null;
  const top = growers.slice(0, 5);
  return {
    day: input.day,
    kind: 'creep',
    scope: 'org',
    logId: null,
    logName: 'organisation',
    logsets: [],
    value: Math.round(recent.mean),
    expected: Math.round(old.mean),
    low: Math.round(old.mean),
    high: Math.round(old.mean * (1 + CREEP_MIN_GROWTH)),
    score: Math.round((growth / CREEP_MIN_GROWTH) * 100) / 100,
    reason: creepReason(growth, CREEP_WEEKS, perDay, top),
    changeBytes: Math.round(perDay),
    changePct: growth * 100,
    contributors: top,
    details: { weeks: CREEP_WEEKS, perMonthBytes: Math.round(perDay * DAYS_PER_MONTH), growers: growers.length },
  };
}
