/**
 * No look-ahead: findings for day D depend only on data up to D. A replay over a history cut at D and
 * one over the whole history give identical findings for every day ≤ D (the CSV path is tested end to
 * end in test/integration/backtest.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../../src/detect/backtest.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import type { Finding } from '../../../src/detect/types.js';
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
