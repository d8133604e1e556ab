/** Day-level composition: thresholds (log, log set, organisation), budget, muted logs, every finding field. */
import { describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange, weekdayOf } from '../../../src/days.js';
import { type DayContext, type DetectLog, detectDay } from '../../../src/detect/detect-day.js';
import { NO_RESET } from '../../../src/detect/log-rules.js';
import { evaluateBudget } from '../../../src/detect/org-rules.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import { buildLogReason } from '../../../src/detect/reason.js';
import { GB, START, series } from '../../support/series.js';

const TB = 1e12;

function log(id: string, values: Float64Array, o: Partial<DetectLog> = {}): DetectLog {
  const first = values.findIndex((v) => v > 0);
  return {
    id,
    name: o.name ?? `log-${id}`,
    logsets: o.logsets ?? [],
    values,
    firstSeen: first < 0 ? Number.POSITIVE_INFINITY : first,
    baselineFrom: NO_RESET,
    sensitivity: 1,
    minBytes: DEFAULT_PARAMS.minBytes,
    muted: o.muted ?? false,
    ...o,
  };
}

function context(logs: DetectLog[], t: number, o: Partial<DayContext> = {}): DayContext {
  const n = logs[0]!.values.length;
  const days = daysInRange(START, addDays(START, n - 1));
  const org = new Float64Array(n);
  for (let i = 0; i < n; i++) for (const l of logs) org[i]! += Math.max(l.values[i]!, 0);
  return {
    days,
    t,
    observed: new Uint8Array(n).fill(1),
    firstObserved: 0,
    org,
    logs,
    thresholds: [],
    monthlyBudget: undefined,
    params: DEFAULT_PARAMS,
    ...o,
  };
}

describe('findings carry every field', () => {
  it('a spike has day, log, names, value, expected, band, score, change and a readable reason', () => {
    const v = series(100, () => 15.6 * GB, 0.02);
    v[90] = 48.2 * GB;
    const r = detectDay(context([log('a', v, { name: 'firewall-eu', logsets: ['Network'] })], 90));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({
      day: addDays(START, 90),
      kind: 'spike',
      scope: 'log',
      logId: 'a',
      logName: 'firewall-eu',
      logsets: ['Network'],
    });
    expect(f.value).toBe(48.2 * GB);
    expect(f.expected).toBeGreaterThan(15 * GB);
    expect(f.expected).toBeLessThan(16.2 * GB);
    expect(f.low).toBeLessThan(f.expected);
    expect(f.high).toBeGreaterThan(f.expected);
    expect(f.high).toBeLessThan(f.value);
    expect(f.score).toBeGreaterThanOrEqual(1);
    expect(f.changeBytes).toBe(f.value - f.expected);
    expect(f.changePct).toBeCloseTo(((f.value - f.expected) / f.expected) * 100, 6);
    expect(f.reason).toMatch(/^firewall-eu sent 48\.2 GB, 3\.\d× its usual 1\d\.\d GB a day\.$/);
  });
});

describe('reasons', () => {
  it('read as one sentence', () => {
    const tuesday = '2026-03-03';
    expect(weekdayOf(tuesday)).toBe(2);
    const base = { name: 'firewall-eu', day: tuesday, weekdayProfile: true, levelShift: false, persistDays: 7 };
    expect(buildLogReason({ ...base, kind: 'spike', value: 48.2e9, expected: 15.6e9 })).toBe(
      'firewall-eu sent 48.2 GB, 3.1× its usual 15.6 GB for a Tuesday.',
    );
    expect(buildLogReason({ ...base, kind: 'drop', value: 1.2e9, expected: 15.6e9 })).toBe(
      'firewall-eu sent 1.2 GB, 92% below its usual 15.6 GB for a Tuesday.',
    );
    expect(buildLogReason({ ...base, kind: 'silent', value: 0, expected: 15.6e9, silentDays: 3, silentBasis: 'reliable' })).toBe(
      'firewall-eu sent no data on Tuesday 2026-03-03; it usually sends 15.6 GB on a Tuesday (no data for 3 days in a row).',
    );
    expect(buildLogReason({ ...base, kind: 'new', value: 3.2e9, expected: 0 })).toBe(
      'firewall-eu sent data for the first time: 3.2 GB on 2026-03-03.',
    );
    expect(buildLogReason({ ...base, kind: 'spike', value: 48.2e9, expected: 15.6e9, levelShift: true })).toMatch(/new normal\.$/);
  });
});

describe('thresholds', () => {
  it('per log, per log set (sum of its logs) and for the organisation, from the first day', () => {
    const a = series(10, () => 30 * GB, 0);
    const b = series(10, () => 20 * GB, 0);
    const c = series(10, () => 5 * GB, 0);
    const logs = [log('a', a, { logsets: ['Network'] }), log('b', b, { logsets: ['Network'] }), log('c', c, { logsets: ['Apps'] })];
    const thresholds = [
      { id: 1, scope: 'log' as const, target: 'a', bytesPerDay: 25 * GB },
      { id: 2, scope: 'log' as const, target: 'c', bytesPerDay: 25 * GB },
      { id: 3, scope: 'logset' as const, target: 'Network', bytesPerDay: 45 * GB },
      { id: 4, scope: 'logset' as const, target: 'Apps', bytesPerDay: 45 * GB },
      { id: 5, scope: 'org' as const, target: '', bytesPerDay: 50 * GB },
    ];
    const r = detectDay(context(logs, 0, { thresholds }));
    const th = r.findings.filter((f) => f.kind === 'threshold');
    expect(th.map((f) => [f.details?.thresholdId, f.scope, f.logId, f.logName, f.value])).toEqual([
      [1, 'log', 'a', 'log-a', 30 * GB],
      [3, 'logset', null, 'Network', 50 * GB],
      [5, 'org', null, 'organisation', 55 * GB],
    ]);
    expect(th[0]!.reason).toBe('log-a sent 30 GB, above its threshold of 25 GB/day.');
    expect(th[1]!.reason).toBe('Log set Network ingested 50 GB in total, above its threshold of 45 GB/day.');
    expect(th[2]!.reason).toBe('The organisation ingested 55 GB, above its threshold of 50 GB/day.');
  });
});

describe('budget', () => {
  /** An organisation at 1 TB on weekdays and 0.2 TB at weekends through March 2026, judged on `day`. */
  function orgMarch(day: Day) {
    const days = daysInRange('2026-02-01', '2026-03-31');
    const org = new Float64Array(days.length).fill(Number.NaN);
    const t = days.indexOf(day);
    for (let i = 0; i <= t; i++) {
      const w = weekdayOf(days[i]!);
      org[i] = w === 0 || w === 6 ? 0.2 * TB : 1 * TB;
    }
    return { days, org, t };
  }

  it('projects the month end weekday by weekday', () => {
    const { days, org, t } = orgMarch('2026-03-10');
    // A 1-byte budget always gives a verdict (the digest reads the projection this way).
    const v = evaluateBudget(days, org, t, 1)!;
    // 1–10 March: 7 weekdays and 3 weekend days; 11–31 March: 15 weekdays and 6 weekend days.
    expect(v.monthToDate).toBeCloseTo(7 * TB + 3 * 0.2 * TB, 0);
    expect(v.projected).toBeCloseTo(v.monthToDate + 15 * TB + 6 * 0.2 * TB, 0);
    expect(v.estimatedDays).toBe(21);
  });

  it('finds 80 % projected, 100 % projected and 100 % actual, highest level first', () => {
    const { days, org, t } = orgMarch('2026-03-10');
    // Projection 23.8 TB, month to date 7.6 TB.
    expect(evaluateBudget(days, org, t, 30 * TB)).toBeNull();
    expect(evaluateBudget(days, org, t, 28 * TB)?.level).toBe('projected-80');
    expect(evaluateBudget(days, org, t, 23 * TB)).toMatchObject({ level: 'projected-100', levels: ['projected-80', 'projected-100'] });
    expect(evaluateBudget(days, org, t, 7 * TB)?.level).toBe('actual-100');
  });

  it('becomes a finding with details.level', () => {
    const v = series(40, () => 1 * TB, 0);
    const r = detectDay(context([log('a', v)], 20, { monthlyBudget: 25 * TB }));
    const b = r.findings.find((f) => f.kind === 'budget')!;
    expect(b).toMatchObject({ scope: 'org', logId: null, expected: 25 * TB });
    expect(b.details?.level).toBe('projected-100');
    expect(b.reason).toMatch(/budget/);
  });
});

describe('muted logs and unobserved days', () => {
  it('a muted log is judged but its findings are kept apart', () => {
    const v = series(100, () => 5 * GB, 0.02);
    v[90] = 50 * GB;
    const r = detectDay(
      context(
        [
          log('a', v, { muted: true }),
          log(
            'b',
            series(100, () => 2 * GB, 0.02),
          ),
        ],
        90,
      ),
    );
    expect(r.findings).toEqual([]);
    expect(r.muted.map((f) => [f.logId, f.kind])).toEqual([['a', 'spike']]);
  });

  it('a day that was never observed judges nothing', () => {
    const v = series(100, () => 5 * GB, 0.02);
    v[90] = 0;
    const c = context([log('a', v)], 90);
    c.observed[90] = 0;
    expect(detectDay(c)).toMatchObject({ observed: false, findings: [] });
    c.observed[90] = 1;
    expect(detectDay(c).findings.map((f) => f.kind)).toEqual(['silent']);
  });

  it('a silence in progress is listed on quiet weekdays too (for the alert lifecycle)', () => {
    const isWeekend = (wd: number) => wd === 0 || wd === 6;
    const v = series(120, (_i, wd) => (isWeekend(wd) ? 0 : 3 * GB));
    // Silent from a Thursday: findings Thursday and Friday, none on the weekend, still listed as a silence.
    let thu = 100;
    while (weekdayOf(addDays(START, thu)) !== 4) thu++;
    for (let i = thu; i < 120; i++) v[i] = 0;
    const sat = thu + 2;
    const r = detectDay(context([log('a', v)], sat));
    expect(r.findings).toEqual([]);
    expect(r.silences).toEqual([{ logId: 'a', since: addDays(START, thu), silentDays: 3 }]);
    expect(detectDay(context([log('a', v)], thu + 1)).findings.map((f) => f.kind)).toEqual(['silent']);
  });
});
