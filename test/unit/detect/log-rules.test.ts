/**
 * Per-log rules: one test per case of the detection issue (item 2). Every test checks both sides — what
 * must be found and what must not — so that breaking the behaviour fails it.
 */
import { describe, expect, it } from 'vitest';
import { findings, GB, judge, MB, nextWeekday, series } from '../../support/series.js';

const WEEKDAY = 10 * GB;
const isWeekend = (wd: number) => wd === 0 || wd === 6;

describe('weekly seasonality', () => {
  // Weekends at 30 % of weekdays.
  const base = (_i: number, wd: number) => (isWeekend(wd) ? 0.3 * WEEKDAY : WEEKDAY);

  it('a normal weekend is not a drop, and 120 days of such a log give no finding', () => {
    expect(findings(series(120, base))).toEqual([]);
  });

  it('a Saturday at the weekday level is a spike "for a Saturday"; a Wednesday at the weekend level is a drop', () => {
    const v = series(120, base);
    const sat = nextWeekday(90, 6);
    const wed = nextWeekday(100, 3);
    v[sat] = WEEKDAY;
    v[wed] = 0.3 * WEEKDAY;
    const hits = findings(v, { from: 85 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [sat, 'spike'],
      [wed, 'drop'],
    ]);
    expect(hits[0]!.expected).toBeGreaterThan(0.25 * WEEKDAY);
    expect(hits[0]!.expected).toBeLessThan(0.35 * WEEKDAY);
    expect(judge(v, sat).verdict?.weekdayProfile).toBe(true);
  });

  it('a weekly job (Mondays only) is not silent on the other six days, its Monday is not a spike, a missed Monday is silent', () => {
    const v = series(160, (_i, wd) => (wd === 1 ? 40 * GB : 0), 0.08);
    expect(findings(v)).toEqual([]);
    const missed = nextWeekday(130, 1);
    v[missed] = 0;
    const hits = findings(v, { from: 100 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([[missed, 'silent']]);
  });

  it('a weekly job back from three missed runs is not a spike, and a drop on its return day is found', () => {
    const v = series(200, (_i, wd) => (wd === 1 ? 40 * GB : 0), 0.08);
    const m1 = nextWeekday(120, 1);
    for (const i of [m1, m1 + 7, m1 + 14]) v[i] = 0.2 * 40 * GB;
    const hits = findings(v, { from: 100 });
    // Three drops; the fourth Monday (back to normal) is judged against the usual level of 8 runs, not the drop.
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [m1, 'drop'],
      [m1 + 7, 'drop'],
      [m1 + 14, 'drop'],
    ]);
    // After five missed Mondays the last 56 days hold too few runs: the window widens to judge the return.
    const w = series(200, (_i, wd) => (wd === 1 ? 40 * GB : 0), 0.08);
    const s1 = nextWeekday(100, 1);
    for (let k = 0; k < 5; k++) w[s1 + 7 * k] = 0;
    w[s1 + 35] = 0.1 * 40 * GB;
    expect(findings(w, { from: s1 + 35 }).map((h) => [h.t, h.kind])).toEqual([[s1 + 35, 'drop']]);
  });

  it('a weekday-only log (Monday to Friday) is not silent at weekends; its Monday is not a spike; a silent Tuesday is', () => {
    const v = series(150, (_i, wd) => (isWeekend(wd) ? 0 : 3 * GB));
    expect(findings(v)).toEqual([]);
    const tue = nextWeekday(120, 2);
    v[tue] = 0;
    expect(findings(v, { from: 100 }).map((h) => [h.t, h.kind])).toEqual([[tue, 'silent']]);
  });
});

describe('outliers in the history', () => {
  it('after a 25× spike the next days are judged against the normal level, not the spike', () => {
    const v = series(120, () => 5 * GB);
    v[80] = 125 * GB;
    // Two days later a drop to 20 % of normal: found, and expected is the normal level.
    v[82] = 1 * GB;
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [80, 'spike'],
      [82, 'drop'],
    ]);
    expect(hits[1]!.expected).toBeGreaterThan(4.5 * GB);
    expect(hits[1]!.expected).toBeLessThan(5.5 * GB);
  });

  it('a three-day spike neither raises the baseline nor hides the next spike', () => {
    const v = series(140, () => 2 * GB);
    for (const i of [70, 71, 72]) v[i] = 20 * GB;
    v[90] = 10 * GB;
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [70, 'spike'],
      [71, 'spike'],
      [72, 'spike'],
      [90, 'spike'],
    ]);
  });
});

describe('floors', () => {
  it('material: on a very smooth 8 GB log ±25 % is nothing (floor √(1 GB · 8 GB) ≈ 35 %), +50 % is a spike; −45 % is a drop once a second day confirms it, −65 % on its own day', () => {
    const v = series(140, () => 8 * GB, 0.01);
    v[90] = 1.25 * 8 * GB;
    v[95] = 0.75 * 8 * GB;
    // One day at −45 %: within what partial ingestion takes from a day.
    v[98] = 0.55 * 8 * GB;
    expect(findings(v, { from: 60 })).toEqual([]);
    v[100] = 1.5 * 8 * GB;
    v[105] = 0.55 * 8 * GB;
    v[106] = 0.55 * 8 * GB;
    v[120] = 0.35 * 8 * GB;
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [100, 'spike'],
      [106, 'drop'],
      [120, 'drop'],
    ]);
    expect(hits[1]!.evidenceDays).toBe(2);
  });

  it('material: the share needed falls with the level — +60 % of a 200 GB log is told, +60 % of a 500 MB log is not', () => {
    const big = series(120, () => 200 * GB, 0.03);
    big[100] = 1.6 * 200 * GB;
    const hit = judge(big, 100).verdict;
    expect(hit?.kind).toBe('spike');
    expect(hit!.value - hit!.expected).toBeGreaterThan(100 * GB);
    const small = series(120, () => 500 * MB, 0.03);
    small[100] = 1.6 * 500 * MB;
    expect(judge(small, 100).verdict).toBeNull();
    small[100] = 2.2 * 500 * MB;
    expect(judge(small, 100).verdict?.kind).toBe('spike');
  });

  it('absolute: a 1 MB/day log jumping to 4 MB is below the 5 MB floor; with min_bytes 0 it is a spike', () => {
    const v = series(120, () => 1 * MB, 0.02);
    v[100] = 4 * MB;
    expect(findings(v, { from: 60 })).toEqual([]);
    expect(findings(v, { from: 60, minBytes: 0 }).map((h) => [h.t, h.kind])).toEqual([[100, 'spike']]);
  });

  it('a bursty intermittent log alerts only when it leaves its own recent range', () => {
    // Reports on ~70 % of days at 500 MB, with a 3× burst every 9th day.
    const coin = series(200, () => 1, 1, 21);
    const v = series(200, (i) => (coin[i]! < 0.6 ? 0 : i % 9 === 0 ? 1.5 * GB : 500 * MB), 0.05, 22);
    v[150] = 1.6 * GB;
    expect(findings(v, { from: 100 })).toEqual([]);
    v[160] = 6 * GB;
    expect(findings(v, { from: 100 }).map((h) => [h.t, h.kind])).toEqual([[160, 'spike']]);
  });

  it('tiny noisy intermittent logs never alert (a year of one)', () => {
    const v = series(365, (i) => (((i * 7919 + 50) % 100) / 100 < 0.15 ? 0 : 1.5 * MB), 0.9, 3);
    expect(v.filter((x) => x === 0).length).toBeGreaterThan(40);
    expect(findings(v)).toEqual([]);
  });
});

describe('silent', () => {
  it('a reliable log with no data on an observed day is silent on that first day', () => {
    const v = series(100, () => 4 * GB);
    v[80] = 0;
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => [h.t, h.kind, h.silentBasis])).toEqual([[80, 'silent', 'reliable']]);
    expect(hits[0]!.expected).toBeGreaterThan(3.5 * GB);
  });

  it('an intermittent log: a usual one-day gap is nothing, a gap far longer than its usual ones is silent', () => {
    // Reports on about 70 % of days, independently (exp(N(0,1)) < 0.6 on 30 % of days).
    const coin = series(200, () => 1, 1, 12);
    const v = series(200, (i) => (coin[i]! < 0.6 ? 0 : 600 * MB), 0.2, 13);
    const before = findings(v).filter((h) => h.t < 150);
    expect(before).toEqual([]);
    for (let i = 150; i < 180; i++) v[i] = 0;
    v[149] = 600 * MB;
    const hits = findings(v, { from: 150 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.kind).toBe('silent');
    expect(hits[0]!.silentBasis).toBe('intermittent');
    // Not on the first days of the gap: those are usual for this log.
    expect(hits[0]!.t).toBeGreaterThan(152);
    expect(hits[0]!.t).toBeLessThan(165);
  });

  it('a decommissioned log alerts on its first silent day, is reported as the new normal a week later, then stays quiet', () => {
    const v = series(160, () => 2 * GB);
    for (let i = 100; i < 160; i++) v[i] = 0;
    const hits = findings(v, { from: 90 });
    expect(hits[0]).toMatchObject({ t: 100, kind: 'silent', silentDays: 1, levelShift: false });
    expect(hits.map((h) => h.t)).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(hits.at(-1)).toMatchObject({ t: 106, levelShift: true, silentDays: 7 });
  });
});

describe('new', () => {
  it('a log first seen after the first observed day is new, with its volume', () => {
    const v = series(80, (i) => (i < 40 ? 0 : 3 * GB));
    expect(findings(v)).toEqual([expect.objectContaining({ t: 40, kind: 'new', value: v[40] })]);
  });

  it('a log present from the first observed day is not new', () => {
    const v = series(80, () => 3 * GB);
    expect(findings(v)).toEqual([]);
    // First observed day of the whole history earlier than this array: day 0 is then a first appearance.
    expect(judge(v, 0, { firstObserved: -5 }).verdict?.kind).toBe('new');
  });
});

describe('level shifts', () => {
  it('a persistent ×3 is alerted for six days, reported as the new normal on the seventh, then accepted', () => {
    const v = series(160, (i) => (i < 100 ? 5 * GB : 15 * GB));
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => [h.t, h.kind, h.levelShift])).toEqual([
      [100, 'spike', false],
      [101, 'spike', false],
      [102, 'spike', false],
      [103, 'spike', false],
      [104, 'spike', false],
      [105, 'spike', false],
      [106, 'spike', true],
    ]);
  });

  it('a persistent drop to 25 % is accepted the same way', () => {
    const v = series(160, (i) => (i < 100 ? 5 * GB : 1.25 * GB));
    const hits = findings(v, { from: 60 });
    expect(hits.map((h) => h.t)).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(hits.every((h) => h.kind === 'drop')).toBe(true);
    expect(hits.at(-1)!.levelShift).toBe(true);
  });

  it('a shift interrupted by a short dip is still accepted within about a week', () => {
    const v = series(160, (i) => (i < 100 ? 5 * GB : 20 * GB));
    v[103] = 5 * GB;
    v[104] = 5 * GB;
    const hits = findings(v, { from: 60 });
    expect(Math.max(...hits.map((h) => h.t))).toBeLessThanOrEqual(110);
    expect(hits.some((h) => h.levelShift)).toBe(true);
  });
});

describe('trends', () => {
  it('doubling over two months (for 200 days) is not an anomaly', () => {
    expect(findings(series(200, (i, wd) => 2 * GB * 2 ** (i / 60) * (isWeekend(wd) ? 0.5 : 1), 0.06))).toEqual([]);
  });

  it('halving over two months is not an anomaly', () => {
    expect(findings(series(200, (i) => 20 * GB * 0.5 ** (i / 60), 0.06))).toEqual([]);
  });

  it('a drop on a growing log is still found (the expectation follows the trend)', () => {
    const v = series(200, (i) => 2 * GB * 2 ** (i / 60), 0.04);
    v[160] = 0.38 * (2 * GB * 2 ** (160 / 60));
    expect(findings(v, { from: 100 }).map((h) => [h.t, h.kind])).toEqual([[160, 'drop']]);
  });
});

describe('cold start and gaps', () => {
  it('no statistical finding before 14 observed days; the 15th day can be judged', () => {
    const v = series(40, () => 5 * GB);
    v[13] = 50 * GB;
    expect(judge(v, 13).verdict).toBeNull();
    const w = series(40, () => 5 * GB);
    w[14] = 50 * GB;
    expect(judge(w, 14).verdict?.kind).toBe('spike');
    const z = series(40, () => 5 * GB);
    z[10] = 0;
    expect(judge(z, 10).verdict).toBeNull();
  });

  it('gaps are never zeros: unobserved days are not silences and do not count towards the cold start', () => {
    // Every other day unobserved: after 20 calendar days only 10 are observed.
    const v = series(60, (i) => (i < 20 && i % 2 === 1 ? Number.NaN : 5 * GB));
    v[20] = 50 * GB;
    expect(judge(v, 20).verdict).toBeNull();
    v[40] = 50 * GB;
    expect(judge(v, 40).verdict?.kind).toBe('spike');
    const g = series(100, (i) => (i >= 70 && i < 75 ? Number.NaN : 5 * GB));
    expect(findings(g)).toEqual([]);
    expect(judge(g, 72).verdict).toBeNull();
  });

  it('the cold start is a setting', () => {
    const v = series(60, () => 5 * GB);
    v[20] = 50 * GB;
    expect(judge(v, 20).verdict?.kind).toBe('spike');
    expect(judge(v, 20, { params: { coldStartDays: 28 } }).verdict).toBeNull();
  });
});

describe('sensitivity', () => {
  it('a wider band (sensitivity 1.5) hides a +55 % day of a 5 GB log; a narrower one (0.7) finds a +35 % day', () => {
    // Material share of a 5 GB log: √(1/5) ≈ 45 %; × 1.5 ≈ 67 %, × 0.7 ≈ 31 %.
    const v = series(120, () => 5 * GB, 0.02);
    v[100] = 1.55 * 5 * GB;
    expect(judge(v, 100).verdict?.kind).toBe('spike');
    expect(judge(v, 100, { sensitivity: 1.5 }).verdict).toBeNull();
    const w = series(120, () => 5 * GB, 0.02);
    w[100] = 1.35 * 5 * GB;
    expect(judge(w, 100).verdict).toBeNull();
    expect(judge(w, 100, { sensitivity: 0.7 }).verdict?.kind).toBe('spike');
  });
});

describe('Mark as expected (baseline_from)', () => {
  it('history before the day is ignored: the new level re-learns, then is judged against itself', () => {
    const v = series(160, (i) => (i < 100 ? 5 * GB : 15 * GB));
    // Accepted from day 101: no more findings on the new level; a spike against it is found.
    v[130] = 60 * GB;
    const hits = findings(v, { from: 100, baselineFrom: 101 });
    expect(hits.map((h) => [h.t, h.kind])).toEqual([
      [100, 'spike'],
      [130, 'spike'],
    ]);
    expect(hits[1]!.expected).toBeGreaterThan(13 * GB);
    // Re-learning: the first days after the reset judge nothing, even a spike.
    const w = series(160, (i) => (i < 100 ? 5 * GB : 15 * GB));
    w[103] = 90 * GB;
    expect(judge(w, 103, { baselineFrom: 101 }).verdict).toBeNull();
    expect(judge(w, 103).verdict?.kind).toBe('spike');
  });

  it('a silence marked as expected is not reported again until the log sends data', () => {
    const v = series(160, () => 2 * GB);
    for (let i = 100; i < 160; i++) v[i] = 0;
    expect(findings(v, { from: 100 }).map((h) => h.t)).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(findings(v, { from: 100, baselineFrom: 101 }).map((h) => h.t)).toEqual([100]);
  });
});
