/**
 * Quality on labeled synthetic histories holding the cases the shared dev files lack (weekly and
 * weekday-only logs, intermittent and tiny logs, trends, slow shrink, level shifts, decommissioned and
 * new logs, huge outliers followed by events, unlabeled partial days). Same bars as the issue.
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../../src/detect/backtest.js';
import { DEFAULT_PARAMS } from '../../../src/detect/params.js';
import type { Finding } from '../../../src/detect/types.js';
import { generateSynthetic, historyOf, scoreFindings } from '../../fixtures/detect/synthetic.js';

describe('quality on labeled synthetic histories', () => {
  for (const seed of [11, 12]) {
    it(`seed ${seed}: recall ≥ 0.95 (silent ≥ 0.99), precision ≥ 0.95, ≤ 0.3 false alerts per 1,000 log-days`, () => {
      const set = generateSynthetic({ seed, logs: 300, days: 200 });
      const archetypes = new Set(set.logs.map((l) => l.archetype));
      expect(archetypes.size).toBe(11);
      const found: Finding[] = [];
      replay(historyOf(set), { params: DEFAULT_PARAMS, onDay: (r) => found.push(...r.findings) });
      const s = scoreFindings(set, found);
      expect(s.events).toBeGreaterThan(300);
      expect(s.recall).toBeGreaterThanOrEqual(0.95);
      expect(s.perKind.silent!.caught / s.perKind.silent!.events).toBeGreaterThanOrEqual(0.99);
      for (const k of ['spike', 'drop', 'new'] as const) expect(s.perKind[k]!.caught / s.perKind[k]!.events).toBeGreaterThanOrEqual(0.95);
      expect(s.precision).toBeGreaterThanOrEqual(0.95);
      expect(s.falseAlertsPer1000LogDays).toBeLessThanOrEqual(0.3);
    });
  }
});
