/**
 * No look-ahead: findings for day D depend only on data up to D. A replay over a history cut at D and
 * one over the whole history give identical findings for every day ≤ D (the CSV path is tested end to
 * end in test/integration/backtest.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { toEpochDay } from '../../../src/days.js';
import { replay } from '../../../src/detect/backtest.js';
import { createLogDetector, type LogMemo, NO_RESET } from '../../../src/detect/log-rules.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import type { Finding } from '../../../src/detect/types.js';
import { lookbackDays, quickLookbackDays } from '../../../src/pipeline/detect.js';
import { generateSynthetic, historyOf } from '../../fixtures/detect/synthetic.js';

function run(set: ReturnType<typeof generateSynthetic>, budget?: number): Finding[] {
  const out: Finding[] = [];
  const h = historyOf(set);
  for (let i = 0; i < h.days.length; i++) h.org[i] = set.logs.reduce((s, l) => s + l.values[i]!, 0);
  replay(h, {
    params: DEFAULT_PARAMS,
    monthlyBudget: budget,
    thresholds: [{ id: 1, scope: 'org', target: '', bytesPerDay: 1 }],
    onDay: (r) => out.push(...r.findings),
  });
  return out;
}

describe('no look-ahead', () => {
  it('a history cut at D gives the same findings for every day ≤ D as the whole history', () => {
    const full = generateSynthetic({ seed: 5, logs: 120, days: 180 });
    // About a fifth of a month of this organisation's usage: every budget level shows up.
    const budget = 1e13;
    const all = run(full, budget);
    expect(all.filter((f) => ['spike', 'drop', 'silent', 'new'].includes(f.kind)).length).toBeGreaterThan(100);
    expect(new Set(all.filter((f) => f.kind === 'budget').map((f) => f.details?.level)).size).toBeGreaterThan(1);
    for (const cut of [60, 97, 131]) {
      const part = { ...full, days: cut, logs: full.logs.map((l) => ({ ...l, values: l.values.slice(0, cut) })) };
      const lastDay = historyOf(part).days.at(-1)!;
      expect(run(part, budget)).toEqual(all.filter((f) => f.day <= lastDay));
    }
  });
});

describe('bounded reach', () => {
  it('the windows detectForDay reads (70 days, 148 when the rules ask for more) give the same verdicts as the whole history', () => {
    const set = generateSynthetic({ seed: 8, logs: 150, days: 300 });
    // Sparse logs (data one day in eleven): their model window widens the furthest back.
    for (const k of [0, 1, 2, 3]) {
      const values = new Float64Array(set.days);
      for (let i = 0; i < set.days; i++) values[i] = (i + k) % 11 === 0 ? 2e9 * (1 + 0.2 * Math.sin(i * (k + 1))) : 0;
      set.logs.push({ id: `sparse-${k}`, name: `sparse-${k}`, archetype: 'intermittent', values });
    }
    const quick = quickLookbackDays(DEFAULT_PARAMS);
    const full = lookbackDays(DEFAULT_PARAMS);
    const detector = createLogDetector(DEFAULT_PARAMS);
    const day0 = toEpochDay(set.start);
    let judged = 0;
    let found = 0;
    let reread = 0;
    for (const l of set.logs) {
      const first = l.values.findIndex((v) => v > 0);
      const base = {
        firstSeen: first < 0 ? Number.POSITIVE_INFINITY : first,
        baselineFrom: NO_RESET,
        sensitivity: 1,
        minBytes: DEFAULT_PARAMS.minBytes,
      };
      for (let t = full + 5; t < set.days; t++) {
        // As detectForDay reads: the last `quick` days first; when the rules say they need more, the
        // whole `full` window. Verdict and fitted model (kept in a fresh memo) must match the whole history.
        const memoWhole: LogMemo = { model: null };
        const whole = detector.evaluate({ ...base, values: l.values, memo: memoWhole }, t, day0, 0);
        const short = Float64Array.from(l.values);
        short.fill(Number.NaN, 0, t - quick);
        let memoCut: LogMemo = { model: null };
        let windowed = detector.evaluate({ ...base, values: short, memo: memoCut, knownFrom: t - quick }, t, day0, 0);
        if (windowed.incomplete) {
          reread++;
          const cut = Float64Array.from(l.values);
          cut.fill(Number.NaN, 0, t - full);
          memoCut = { model: null };
          windowed = detector.evaluate({ ...base, values: cut, memo: memoCut }, t, day0, 0);
        }
        expect(windowed, `${l.id} (${l.archetype}) day ${t}`).toEqual(whole);
        expect(memoCut.model, `${l.id} (${l.archetype}) model on day ${t}`).toEqual(memoWhole.model);
        judged++;
        if (whole.verdict) found++;
      }
    }
    expect(judged).toBeGreaterThan(20_000);
    expect(found).toBeGreaterThan(200);
    // Most days of most logs need only the short window (what makes detectForDay fast), not all.
    expect(reread).toBeGreaterThan(judged * 0.02);
    expect(reread).toBeLessThan(judged * 0.5);
  });
});
