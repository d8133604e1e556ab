/**
 * The organisation's expectation is the sum of the logs' own expectations (src/detect/org-contributors.ts), so a
 * log's accepted level (its new normal, or "Mark as expected") is the organisation's too: hand-built series, no
 * look-ahead.
 */
import { describe, expect, it } from 'vitest';
import { addOrgFinding, logExpectation, noteLevelShifts, type OrgLogSeries } from '../../../src/detect/org-contributors.js';
import type { Finding } from '../../../src/detect/types.js';

const GB = 1e9;
const wiggle = (l: number, d: number) => 1 + 0.01 * Math.sin(d * 1.3 + l);
/** Weekdays send the full day, weekends a third (day 0 is a Monday). */
const weekly = (d: number) => (d % 7 >= 5 ? 1 / 3 : 1);

function world(
  n: number,
  logs: number,
  bytes: (log: number, day: number) => number,
  extra: (l: number) => Partial<OrgLogSeries> = () => ({}),
) {
  const values = Array.from({ length: logs }, (_, l) => Float64Array.from({ length: n }, (_, d) => bytes(l, d)));
  const org = Float64Array.from({ length: n }, (_, d) => values.reduce((a, v) => a + (v[d] as number), 0));
  return {
    org,
    observed: new Uint8Array(n).fill(1),
    logs: values.map((v, l) => ({ id: `L${l}`, name: `log-${l}`, values: v, ...extra(l) })),
  };
}

// Ten logs with a weekly pattern; log 0 (half the organisation) sends five times more from day SHIFT on and
// its new normal is accepted on day ACCEPTED (detection flags it after a few days of the run).
const SHIFT = 40;
const ACCEPTED = 42;
const bytes = (l: number, d: number) => (l === 0 ? 9 : 1) * (l === 0 && d >= SHIFT ? 5 : 1) * GB * weekly(d) * wiggle(l, d);

describe('accepted levels in the organisation total', () => {
  it('the days of the run are unusual for the organisation and explained by the log’s own findings', () => {
    const w = world(90, 10, bytes);
    for (let t = SHIFT; t <= ACCEPTED; t++) {
      const own = { scope: 'log', logId: 'L0', kind: 'spike', day: 'x' } as Finding;
      const findings = [own];
      const f = addOrgFinding({ day: `d${t}`, t, ...w }, findings);
      expect(f).toMatchObject({ details: { orgEvent: 'unusual', explained: true } });
      expect(f?.contributors?.[0]).toMatchObject({ logId: 'L0' });
      expect(findings).toEqual([own]);
    }
  });

  it('after the new normal was accepted, no organisation alert on any later day, weekends included', () => {
    const w = world(90, 10, bytes);
    const accepted = world(90, 10, bytes, (l) => (l === 0 ? { levelFrom: SHIFT } : {}));
    let before = 0;
    for (let t = ACCEPTED + 1; t < 90; t++) {
      // Without the accepted level the organisation's weekday median lags behind for weeks (the old behaviour).
      if (addOrgFinding({ day: `d${t}`, t, ...w }, [])) before++;
      const findings: Finding[] = [];
      expect(addOrgFinding({ day: `d${t}`, t, ...accepted }, findings), `day ${t}`).toBeNull();
      expect(findings).toEqual([]);
    }
    expect(before).toBeGreaterThan(5);
  });

  it('a change on top of the new level is still told, against the new level', () => {
    const spike = (l: number, d: number) => bytes(l, d) * (d === 60 && l > 0 ? 4 : 1);
    const w = world(90, 10, spike, (l) => (l === 0 ? { levelFrom: SHIFT } : {}));
    const findings: Finding[] = [];
    const f = addOrgFinding({ day: 'd60', t: 60, ...w }, findings);
    expect(findings).toEqual([f]);
    // Log 0 is at its new level: it carries no more than its day-to-day wiggle of the change.
    expect(f?.contributors?.slice(0, 9).map((c) => c.logId)).not.toContain('L0');
    expect(f?.contributors?.find((c) => c.logId === 'L0')?.share ?? 0).toBeLessThan(0.05);
  });

  it('the organisation expects the sum of the logs’ expectations (and what the logs do not account for)', () => {
    const w = world(90, 10, bytes, (l) => (l === 0 ? { levelFrom: SHIFT } : {}));
    const t = 60;
    const org = Float64Array.from(w.org, (v) => v + 2 * GB); // 2 GB a day the listed logs do not carry
    const sum = w.logs.reduce((a, l) => a + logExpectation(l, t, w.observed), 0);
    const spiky = Float64Array.from(org, (v, i) => (i === t ? v + 30 * GB : v));
    const f = addOrgFinding({ day: 'd60', t, ...w, org: spiky }, []);
    // The 30 GB the logs do not carry are the change; the 2 GB they never carried are expected.
    expect(Math.abs((f?.changeBytes ?? 0) - 30 * GB)).toBeLessThan(0.5 * GB);
    expect(Math.abs((f?.expected ?? 0) - (sum + 2 * GB))).toBeLessThanOrEqual(1);
    // Within a week of the new level no same weekday is at it yet: the weekday's old level scaled by the days since.
    const l0 = w.logs[0] as OrgLogSeries;
    const saturday = ACCEPTED + ((5 - (ACCEPTED % 7) + 7) % 7);
    expect(logExpectation(l0, saturday, w.observed) / bytes(0, saturday)).toBeCloseTo(1, 1);
  });

  it('a muted log’s changes are nobody’s news', () => {
    const w = world(
      60,
      10,
      (l, d) => (d === 40 && l === 0 ? 11 * GB : GB) * wiggle(l, d),
      (l) => (l === 0 ? { quiet: true } : {}),
    );
    expect(addOrgFinding({ day: 'd40', t: 40, ...w }, [])).toBeNull();
  });

  it('a new normal flagged by detection starts its log’s level on the first day of its run; days after t change nothing', () => {
    const levels = new Map<string, number>();
    const shift = { logId: 'L0', details: { levelShift: true, runDays: ACCEPTED - SHIFT } } as unknown as Finding;
    noteLevelShifts(levels, [shift, { logId: 'L1' } as Finding], ACCEPTED);
    expect([...levels]).toEqual([['L0', SHIFT]]);
    const a = world(90, 10, bytes, (l) => (l === 0 ? { levelFrom: SHIFT } : {}));
    const b = world(
      90,
      10,
      (l, d) => (d > 50 ? 50 * GB : bytes(l, d)),
      (l) => (l === 0 ? { levelFrom: SHIFT } : {}),
    );
    for (let t = ACCEPTED + 1; t <= 50; t++) {
      expect(addOrgFinding({ day: `d${t}`, t, ...b }, [])).toEqual(addOrgFinding({ day: `d${t}`, t, ...a }, []));
      expect(logExpectation(b.logs[0]!, t, b.observed)).toBe(logExpectation(a.logs[0]!, t, a.observed));
    }
  });
});
