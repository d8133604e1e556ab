/**
 * One-sentence explanations of findings, for people. Pure. Names are inserted as given: escaping for
 * Slack mrkdwn is the message builder's job (it must escape &, <, > of the whole reason).
 */
import { type Day, WEEKDAY_NAMES, weekdayOf } from '../days.js';
import { formatBytes } from '../units.js';

function ratioText(r: number): string {
  if (r >= 100) return `${Math.round(r)}×`;
  if (r >= 10) return `${r.toFixed(0)}×`;
  return `${r.toFixed(1)}×`;
}

function usual(expected: number, day: Day, weekdayProfile: boolean): string {
  return `its usual ${formatBytes(expected)} ${weekdayProfile ? `for a ${WEEKDAY_NAMES[weekdayOf(day)]}` : 'a day'}`;
}

export interface LogReasonInput {
  kind: 'spike' | 'drop' | 'silent' | 'new';
  name: string;
  day: Day;
  value: number;
  expected: number;
  weekdayProfile: boolean;
  levelShift: boolean;
  silentDays?: number;
  silentBasis?: 'reliable' | 'intermittent';
  persistDays: number;
  /** Consecutive observations the evidence spans (≥ 2: "third day running"). */
  evidenceDays?: number;
}

const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh'];

function running(k: number | undefined): string {
  return k && k >= 2 ? `, ${ORDINALS[k] ?? `${k}th`} day running` : '';
}

/** "+130 GB (+65%)" or "−1.2 GB (−40%)". */
function changeText(value: number, expected: number): string {
  const d = value - expected;
  const pct = Math.round((d / expected) * 100);
  return `${d >= 0 ? '+' : '−'}${formatBytes(Math.abs(d))} (${d >= 0 ? '+' : '−'}${Math.abs(pct)}%)`;
}

export function buildLogReason(f: LogReasonInput): string {
  const { name, day, value, expected } = f;
  switch (f.kind) {
    case 'new':
      return `${name} sent data for the first time: ${formatBytes(value)} on ${day}.`;
    case 'spike': {
      // Doubling or more reads best as a ratio; a moderate rise as its size in bytes and percent.
      const s =
        value >= 2 * expected
          ? `${name} sent ${formatBytes(value)}, ${ratioText(value / expected)} ${usual(expected, day, f.weekdayProfile)}${running(f.evidenceDays)}.`
          : `${name} sent ${formatBytes(value)}, ${changeText(value, expected)} over ${usual(expected, day, f.weekdayProfile)}${running(f.evidenceDays)}.`;
      return f.levelShift ? `${s.slice(0, -1)}; it has stayed this high for ${f.persistDays} days, so this is now its new normal.` : s;
    }
    case 'drop': {
      const pct = Math.min(100, Math.round((1 - value / expected) * 100));
      const s = `${name} sent ${formatBytes(value)}, ${pct}% below ${usual(expected, day, f.weekdayProfile)}${running(f.evidenceDays)}.`;
      return f.levelShift ? `${s.slice(0, -1)}; it has stayed this low for ${f.persistDays} days, so this is now its new normal.` : s;
    }
    case 'silent': {
      const n = f.silentDays ?? 1;
      const base = `${name} sent no data on ${WEEKDAY_NAMES[weekdayOf(day)]} ${day}; it usually sends ${formatBytes(expected)} ${
        f.weekdayProfile ? `on a ${WEEKDAY_NAMES[weekdayOf(day)]}` : 'a day'
      }`;
      const streak =
        n > 1 ? ` (no data for ${n} days in a row${f.silentBasis === 'intermittent' ? ', longer than its usual gaps' : ''})` : '';
      if (f.levelShift) {
        return `${base}${streak}; it has now missed ${f.persistDays} of its usual reporting days, so it is treated as stopped and will not be reported as silent again until it sends data.`;
      }
      return `${base}${streak}.`;
    }
  }
}

/** The organisation-wide day (org-days.ts), e.g. "2025-12-25 is a holiday: 108 of the 255 logs …". */
export function buildOrgDayReason(
  o: { orgEvent: 'holiday' | 'dip'; logsAffected: number; logsReporting: number; value: number; expected: number },
  day: Day,
): string {
  const wd = WEEKDAY_NAMES[weekdayOf(day)];
  const what = o.orgEvent === 'holiday' ? `${day} is a holiday:` : `On ${wd} ${day} the organisation dipped together:`;
  return `${what} ${o.logsAffected} of the ${o.logsReporting} logs that usually report on a ${wd} sent at least a third less than on the ${wd}s of the two weeks before (together ${formatBytes(
    o.value,
  )} against ${formatBytes(o.expected)}), so they are not alerted one by one and the day stays out of their baselines.`;
}

export function buildThresholdReason(scope: 'log' | 'logset' | 'org', name: string, value: number, limit: number): string {
  const lim = `${formatBytes(limit)}/day`;
  if (scope === 'org') return `The organisation ingested ${formatBytes(value)}, above its threshold of ${lim}.`;
  if (scope === 'logset') return `Log set ${name} ingested ${formatBytes(value)} in total, above its threshold of ${lim}.`;
  return `${name} sent ${formatBytes(value)}, above its threshold of ${lim}.`;
}

export type BudgetLevel = 'projected-80' | 'projected-100' | 'actual-100';

export function buildBudgetReason(level: BudgetLevel, monthToDate: number, projected: number, budget: number, month: string): string {
  const pct = (v: number) => `${Math.round((v / budget) * 100)}%`;
  const b = formatBytes(budget);
  if (level === 'actual-100') {
    return `Usage in ${month} has reached ${formatBytes(monthToDate)}, over the monthly budget of ${b} (${pct(monthToDate)}); the month is projected to end at ${formatBytes(projected)}.`;
  }
  return `Usage in ${month} is ${formatBytes(monthToDate)} so far (${pct(monthToDate)} of the ${b} budget); at this pace the month ends at ${formatBytes(projected)} (${pct(projected)}).`;
}
