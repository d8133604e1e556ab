/**
 * The six failures real data showed (detection issue: materiality, trends, holidays, early bursts,
 * heavy tails), each on a small hand-built series of its own; every test checks what must be found and
 * what must not.
 */
import { describe, expect, it } from 'vitest';
import { parseHolidays } from '../../../src/config.js';
import { type History, replay } from '../../../src/detect/backtest.js';
import { NEVER } from '../../../src/detect/log-rules.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import type { Finding } from '../../../src/detect/types.js';
import { dayAt, findings, GB, type Hit, judge, MB, series } from '../../support/series.js';

/** The first finding is a spike on a day in [first, latest], and every finding lies in [first, end). */
function expectSpikeIn(hits: Hit[], first: number, latest: number, end: number): void {
  expect(hits.length).toBeGreaterThan(0);
  expect(hits[0]!.kind).toBe('spike');
  expect(hits[0]!.t).toBeGreaterThanOrEqual(first);
  expect(hits[0]!.t).toBeLessThanOrEqual(latest);
  expect(hits.every((h) => h.t >= first && h.t < end)).toBe(true);
}

describe('1. a large, certain, persistent drop is told', () => {
  it('a 2 GB/day log losing 62 % for good: a drop on its first day, one new-normal notice, then quiet', () => {
    const v = series(160, (i) => (i < 100 ? 2 * GB : 0.76 * GB), 0.04);
    const hits = findings(v, { from: 60 });
    expect(hits[0]).toMatchObject({ t: 100, kind: 'drop' });
    const shifts = hits.filter((h) => h.levelShift);
    expect(shifts).toHaveLength(1);
    // Told every day until it is the new normal (the alert is one episode), then nothing more.
    expect(hits.every((h) => h.t < 100 + DEFAULT_PARAMS.persistDays)).toBe(true);
  });

  it('a 20 GB/day log losing 55 % for good (above any fixed ×0.4 line) is told the day after, then becomes the new normal', () => {
    const v = series(160, (i) => (i < 100 ? 20 * GB : 9 * GB), 0.04, 21);
    const hits = findings(v, { from: 60 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.kind).toBe('drop');
    expect([100, 101]).toContain(hits[0]!.t);
    expect(hits.filter((h) => h.levelShift)).toHaveLength(1);
    expect(hits.every((h) => h.t < 100 + DEFAULT_PARAMS.persistDays)).toBe(true);
  });
});

describe('2. costly moderate changes are told, tiny ones are not', () => {
  it('+60 % for four days on a 200 GB log is told by its second day; the same on a 300 MB log is not', () => {
    const big = series(140, (i) => (i >= 100 && i < 104 ? 1.6 : 1) * 200 * GB, 0.08, 3);
    const hits = findings(big, { from: 60 });
    expectSpikeIn(hits, 100, 101, 104);
    const small = series(140, (i) => (i >= 100 && i < 104 ? 1.6 : 1) * 300 * MB, 0.08, 3);
    expect(findings(small, { from: 60 })).toEqual([]);
  });

  it('+45 % for three days on a 100 GB log whose days vary ±10 %: no single day is clear, together they are', () => {
    const v = series(140, (i) => (i >= 100 && i < 103 ? 1.45 : 1) * 100 * GB, 0.1, 5);
    expectSpikeIn(findings(v, { from: 60 }), 100, 102, 103);
  });

  it('×3 of a 2 MB log is not told (below the floor in bytes)', () => {
    const v = series(120, () => 2 * MB, 0.05);
    v[100] = 6 * MB;
    expect(judge(v, 100).verdict).toBeNull();
  });
});

/** An organisation of `n` logs over `days` days; `bytes(log, i, weekday)` gives each log's day. */
function org(n: number, days: number, bytes: (log: number, i: number, wd: number) => number): History {
  const dayList = Array.from({ length: days }, (_, i) => dayAt(i));
  const logs = Array.from({ length: n }, (_, k) => {
    const values = series(days, (i, wd) => bytes(k, i, wd), 0.05, 100 + k);
    return { id: `log-${k}`, name: `log-${k}`, logsets: [], values, firstSeen: values.findIndex((v) => v > 0) };
  });
  for (const l of logs) if (l.firstSeen < 0) l.firstSeen = NEVER;
  const orgTotal = new Float64Array(days);
  for (let i = 0; i < days; i++) for (const l of logs) orgTotal[i]! += l.values[i]!;
  return { days: dayList, observed: new Uint8Array(days).fill(1), firstObserved: 0, logs, org: orgTotal };
}

function replayAll(h: History, holidays: string[] = []): Finding[] {
  const out: Finding[] = [];
  replay(h, { params: { ...DEFAULT_PARAMS, holidays }, onDay: (r) => out.push(...r.findings) });
  return out;
}

describe('3. the organisation moves together: holidays are one notice, never a new normal', () => {
  // 30 logs: the first 12 are business logs that fall to 30 % on the organisation's days off.
  const OFF = [100, 103, 104, 105, 108, 109, 110];
  const bytes = (k: number, i: number) => (k < 12 && OFF.includes(i) ? 0.3 : 1) * (5 + k) * GB;

  it('without HOLIDAYS: each day most business logs dip is one organisation finding, with no per-log drop', () => {
    const fs = replayAll(org(30, 150, bytes));
    const orgDays = fs.filter((f) => f.kind === 'org');
    expect(orgDays.map((f) => f.day)).toEqual(OFF.map(dayAt));
    for (const f of orgDays) {
      expect(f).toMatchObject({ scope: 'org', logId: null, details: { orgEvent: 'dip', logsAffected: 12, logsReporting: 30 } });
      expect(f.reason).toContain('12 of the 30 logs');
    }
    // No drop on those days, no drop or new normal learnt from the holiday weeks, no spike when they end.
    expect(fs.filter((f) => f.scope === 'log')).toEqual([]);
  });

  it('with HOLIDAYS (a date and an every-year MM-DD): the same days are holidays, told once each', () => {
    const { holidays, invalid } = parseHolidays(
      `${dayAt(100)}, ${OFF.slice(1)
        .map((i) => dayAt(i).slice(5))
        .join(',')}`,
    );
    expect(invalid).toEqual([]);
    const fs = replayAll(org(30, 150, bytes), holidays);
    expect(fs.filter((f) => f.kind === 'org').map((f) => [f.day, f.details?.orgEvent])).toEqual(OFF.map((i) => [dayAt(i), 'holiday']));
    expect(fs.filter((f) => f.scope === 'log')).toEqual([]);
    expect(parseHolidays('12-25,2026-13-01,xmas').invalid).toEqual(['2026-13-01', 'xmas']);
  });

  it('one log dropping alone on an ordinary day is still a drop; a holiday is not a spike for the logs that did not dip', () => {
    const h = org(30, 150, bytes);
    h.logs[20]!.values[120] = 0.1 * 25 * GB;
    const fs = replayAll(h);
    expect(fs.filter((f) => f.scope === 'log').map((f) => [f.logId, f.day, f.kind])).toEqual([['log-20', dayAt(120), 'drop']]);
  });
});

describe('4. a smooth trend moves the baseline with it', () => {
  it('a log growing steadily (×2 in seven weeks, then on) is not alerted day after day', () => {
    const v = series(200, (i) => 10 * GB * Math.exp(Math.max(0, i - 60) * (Math.log(2) / 49)), 0.05, 9);
    const hits = findings(v, { from: 30 });
    // At most one finding as the trend begins (a notice that the level moved), never a run of spikes.
    expect(hits.filter((h) => h.kind === 'spike' && !h.levelShift).length).toBeLessThanOrEqual(1);
    expect(hits.filter((h) => h.levelShift).length).toBeLessThanOrEqual(1);
    // A real spike on top of the trend is still found.
    const w = Float64Array.from(v);
    w[170] = 3 * w[170]!;
    expect(findings(w, { from: 165 }).map((h) => [h.t, h.kind])).toEqual([[170, 'spike']]);
  });
});

describe('5. robust early life', () => {
  it('a log that starts with a two-week burst is not "below its usual" when it settles; a later drop is found', () => {
    const v = series(120, (i) => (i < 14 ? 15 : 1) * 2 * GB, 0.05, 11);
    expect(findings(v)).toEqual([]);
    v[90] = 0.2 * 2 * GB;
    expect(findings(v).map((h) => [h.t, h.kind])).toEqual([[90, 'drop']]);
  });
});

describe('6. heavy tails: a very large material change is told even on a noisy log', () => {
  it('×3.7 on a log whose days vary ±30 % is a spike; ×1.8 is not', () => {
    const v = series(140, () => 5 * GB, 0.3, 13);
    const hitAt = (ratio: number) => {
      const w = Float64Array.from(v);
      w[110] = ratio * 5 * GB;
      return judge(w, 110).verdict?.kind ?? null;
    };
    expect(hitAt(3.7)).toBe('spike');
    expect(hitAt(1.8)).toBeNull();
  });

  it('a stationary log whose days vary ±50 % (independent days) is not alerted on its own largest days', () => {
    // Its record days come at the natural rate (one day in 92 is the largest of 13 weeks): a rule that told
    // "beyond every day of the window" whatever the noise would alert them several times a year.
    let told = 0;
    for (const seed of [1, 2, 3, 4, 5])
      told += findings(
        series(1000, () => 5 * GB, 0.5, seed),
        { from: 100 },
      ).length;
    expect(told).toBeLessThanOrEqual(1);
  });
});

describe('recurring bursts are how a log behaves', () => {
  it('a log that bursts every three weeks: a burst it has matched three times this quarter is not told, a larger one is', () => {
    const SIZE = new Map([
      [60, 5],
      [81, 5.5],
      [102, 6],
      [123, 4.5],
    ]);
    const v = series(160, (i) => (SIZE.get(i) ?? 1) * 3 * GB, 0.05, 17);
    expect(findings(v, { from: 30 }).map((h) => [h.t, h.kind])).toEqual([
      [60, 'spike'],
      [81, 'spike'],
      [102, 'spike'],
    ]);
    v[144] = 9 * 3 * GB;
    expect(judge(v, 144).verdict?.kind).toBe('spike');
  });

  it('a burst is measured against the level it rose from: the old ordinary days of a log that halved are not bursts', () => {
    // 10 GB a day with three ×1.45 days, then 5 GB a day from day 70: 14.5 GB was never a burst of this log,
    // so 13 GB (×2.6) on day 150 is told although three of the days 91 days back were larger.
    const BUMPS = new Set([61, 64, 67]);
    const v = series(160, (i) => (i < 70 ? (BUMPS.has(i) ? 14.5 : 10) : 5) * GB, 0.05, 23);
    v[150] = 13 * GB;
    expect(judge(v, 150).verdict?.kind).toBe('spike');
  });

  it('a log that grew keeps its habit: ×5 bursts before and after a ×3 step make a ×4.5 day usual', () => {
    const BURSTS = new Set([70, 85, 115]);
    const v = series(160, (i) => (i < 100 ? 1 : 3) * (BURSTS.has(i) ? 5 : 1) * GB, 0.05, 29);
    v[150] = 4.5 * 3 * GB;
    expect(judge(v, 150).verdict).toBeNull();
    // Without the burst after the step the habit is two bursts: told.
    v[115] = 3 * GB;
    expect(judge(v, 150).verdict?.kind).toBe('spike');
  });
});
