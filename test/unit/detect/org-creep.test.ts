/**
 * src/detect/org-contributors.ts and src/detect/creep.ts on hand-built series: the organisation finding with
 * its contributors (largest first, share), creep at most once a fortnight, and no look-ahead (values after
 * day t change nothing).
 */
import { describe, expect, it } from 'vitest';
import { detectCreep } from '../../../src/detect/creep.js';
import { addOrgFinding } from '../../../src/detect/org-contributors.js';
import type { Finding } from '../../../src/detect/types.js';

const GB = 1e9;

/** n days of `logs` logs at `base` bytes each (values[log][day]), all observed. */
function world(n: number, logs: number, base: (log: number, day: number) => number) {
  const values = Array.from({ length: logs }, (_, l) => Float64Array.from({ length: n }, (_, d) => base(l, d)));
  const org = Float64Array.from({ length: n }, (_, d) => values.reduce((a, v) => a + (v[d] as number), 0));
  return {
    org,
    observed: new Uint8Array(n).fill(1),
    logs: values.map((v, l) => ({ id: `L${l}`, name: `log-${l}`, values: v })),
  };
}

const wiggle = (l: number, d: number) => 1 + 0.01 * Math.sin(d * 1.3 + l);

describe('the organisation total', () => {
  it('an unusual day names the logs that carried it, largest first, with their share', () => {
    const t = 40;
    const w = world(60, 10, (l, d) => (d === t && l < 4 ? (l + 2) * GB : GB) * wiggle(l, d));
    const findings: Finding[] = [];
    const f = addOrgFinding({ day: '2026-03-10', t, ...w }, findings);
    expect(findings).toEqual([f]);
    expect(f).toMatchObject({ kind: 'org', scope: 'org', logId: null, details: { orgEvent: 'unusual' } });
    expect(f?.contributors?.slice(0, 4).map((c) => c.logName)).toEqual(['log-3', 'log-2', 'log-1', 'log-0']);
    // log-3 sent 5 GB instead of 1 GB: 4 of the 10 extra GB.
    expect(f?.contributors?.[0]?.share).toBeCloseTo(0.4, 1);
    expect(f?.reason).toMatch(
      /^The organisation sent [\d.]+ GB, \d+ % more than its usual [\d.]+ GB for this weekday; the extra came from log-3 \(40 %\)/,
    );
  });

  it('no finding on a usual day, or when the logs with their own alerts carried it', () => {
    const t = 40;
    const quiet = world(60, 10, (l, d) => GB * wiggle(l, d));
    expect(addOrgFinding({ day: '2026-03-10', t, ...quiet }, [])).toBeNull();
    const one = world(60, 10, (l, d) => (d === t && l === 0 ? 11 * GB : GB) * wiggle(l, d));
    const own = { scope: 'log', logId: 'L0', kind: 'spike' } as Finding;
    // Explained by L0's own alert: returned for the digest, flagged, and not added to the day's findings.
    const findings = [own];
    expect(addOrgFinding({ day: '2026-03-10', t, ...one }, findings)).toMatchObject({ details: { explained: true } });
    expect(findings).toEqual([own]);
    const kept: Finding[] = [];
    expect(addOrgFinding({ day: '2026-03-10', t, ...one }, kept, [own])).toMatchObject({ details: { explained: true } });
    expect(kept).toEqual([]);
    const posted: Finding[] = [];
    const f = addOrgFinding({ day: '2026-03-10', t, ...one }, posted);
    expect(f?.details).toEqual({ orgEvent: 'unusual', z: expect.any(Number) });
    expect(posted).toEqual([f]);
  });

  it('an org finding detection gave (a holiday) gets the contributors, and no second one is added', () => {
    const t = 40;
    const w = world(60, 6, (l, d) => (d === t ? 0.3 * GB : GB) * wiggle(l, d));
    const holiday = {
      kind: 'org',
      scope: 'org',
      logId: null,
      changeBytes: -4.2 * GB,
      details: { orgEvent: 'holiday' },
    } as unknown as Finding;
    const findings = [holiday];
    expect(addOrgFinding({ day: '2026-03-10', t, ...w }, findings)).toBe(holiday);
    expect(findings).toHaveLength(1);
    expect(holiday.contributors).toHaveLength(6);
    expect(holiday.contributors?.every((c) => c.changeBytes < 0 && c.share > 0)).toBe(true);
  });

  it('does not look ahead: days after t change nothing', () => {
    const t = 40;
    const bytes = (l: number, d: number) => (d === t && l < 4 ? (l + 2) * GB : GB) * wiggle(l, d);
    const a = world(60, 10, bytes);
    const b = world(60, 10, (l, d) => (d > t ? 50 * GB : bytes(l, d)));
    expect(addOrgFinding({ day: '2026-03-10', t, ...b }, [])).toEqual(addOrgFinding({ day: '2026-03-10', t, ...a }, []));
  });
});

describe('creep', () => {
  // 30 logs each growing ~0.6 % a day: about +30 % in six weeks, no single log standing out.
  const growing = (l: number, d: number) => GB * (1 + 0.1 * (l % 3)) * (1 + 0.006 * d) * wiggle(l, d);

  it('organisation usage up over six weeks while no single log stands out: one finding, per day and per month', () => {
    const t = 69;
    const w = world(90, 30, growing);
    const f = detectCreep({ day: '2026-03-10', t, ...w });
    expect(f).toMatchObject({ kind: 'creep', scope: 'org', logId: null, details: { weeks: 6 } });
    expect(f?.changePct).toBeGreaterThan(20);
    expect(f?.changeBytes).toBeGreaterThan(5 * GB);
    expect(Number(f?.details?.perMonthBytes)).toBeCloseTo((f?.changeBytes ?? 0) * 30.44, -3);
    expect(f?.contributors).toHaveLength(5);
    expect(f?.contributors?.[0]?.share).toBeLessThan(0.1);
    expect(f?.reason).toMatch(
      /^Organisation usage is up \d+ % over 6 weeks \(\+[\d.]+ GB\/day\) while no single log stands out; the largest growers: /,
    );
  });

  it('at most once a fortnight', () => {
    const w = world(90, 30, growing);
    expect(detectCreep({ day: '2026-03-10', t: 69, ...w, daysSinceTold: 13 })).toBeNull();
    expect(detectCreep({ day: '2026-03-10', t: 69, ...w, daysSinceTold: 14 })).not.toBeNull();
  });

  it('one log growing is that log’s own story; flat usage is nothing; a one-off week is not growth', () => {
    const one = world(90, 30, (l, d) => (l === 0 ? GB * (1 + 0.2 * d) : GB) * wiggle(l, d));
    expect(detectCreep({ day: '2026-03-10', t: 69, ...one })).toBeNull();
    const flat = world(90, 30, (l, d) => GB * wiggle(l, d));
    expect(detectCreep({ day: '2026-03-10', t: 69, ...flat })).toBeNull();
    const jump = world(90, 30, (l, d) => GB * (d > 62 ? 1.4 : 1) * wiggle(l, d));
    expect(detectCreep({ day: '2026-03-10', t: 69, ...jump })).toBeNull();
  });

  it('does not look ahead', () => {
    const a = world(90, 30, growing);
    const b = world(90, 30, (l, d) => (d > 69 ? 0 : growing(l, d)));
    expect(detectCreep({ day: '2026-03-10', t: 69, ...b })).toEqual(detectCreep({ day: '2026-03-10', t: 69, ...a }));
  });
});
