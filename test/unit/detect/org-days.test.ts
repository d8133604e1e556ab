/** Organisation-wide days (SPEC §6.4): what makes one, what does not, and that a day reads no later day. */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { findOrgDays, holidaysOf, NO_HOLIDAYS } from '../../../src/detect/org-days.js';
import { detectionParams } from '../../../src/pipeline/detect.js';
import { dayAt, GB, series } from '../../support/series.js';

const DAYS = 60;
const days = Array.from({ length: DAYS }, (_, i) => dayAt(i));
const observed = new Uint8Array(DAYS).fill(1);
/** n logs of 5 GB/day; `dip(log, i)` gives the share of its usual it sends that day. */
const logsOf = (n: number, dip: (log: number, i: number) => number) =>
  Array.from({ length: n }, (_, k) => ({ values: series(DAYS, (i) => dip(k, i) * 5 * GB, 0.05, 40 + k) }));
/** The organisation-wide days of n such logs over the whole history (no HOLIDAYS unless given). */
const orgDaysOf = (n: number, dip: (log: number, i: number) => number, holidays = NO_HOLIDAYS) =>
  findOrgDays(logsOf(n, dip), days, observed, holidays, 0, DAYS - 1);

describe('organisation-wide days', () => {
  it('11 of 30 logs at 40 % on one day is a dip day (a third, and P ≤ 1e-4 for independent dips at 10 %); 10 or a quarter is not', () => {
    const third = orgDaysOf(30, (k, i) => (i === 40 && k < 11 ? 0.4 : 1));
    expect([...third.days.keys()]).toEqual([40]);
    expect(third.days.get(40)).toMatchObject({ orgEvent: 'dip', logsAffected: 11, logsReporting: 30 });
    // Every log's day is left out of its history, the logs that did not dip included.
    expect(third.excluded.size).toBe(30);
    for (const n of [10, 7]) {
      const fewer = orgDaysOf(30, (k, i) => (i === 40 && k < n ? 0.4 : 1));
      expect(fewer.days.size).toBe(0);
    }
  });

  it('a small organisation: 2 of 5 logs dipping together is chance, 5 of 5 is an event', () => {
    const two = orgDaysOf(5, (k, i) => (i === 40 && k < 2 ? 0.4 : 1));
    expect(two.days.size).toBe(0);
    const all = orgDaysOf(5, (_k, i) => (i === 40 ? 0.4 : 1));
    expect([...all.days.keys()]).toEqual([40]);
  });

  it('logs that send nothing are silent, not a dip (a collector outage stays a silence); on a holiday they are part of it', () => {
    const zeros = (k: number, i: number) => (i === 40 && k < 20 ? 0 : 1);
    expect(orgDaysOf(30, zeros).days.size).toBe(0);
    const hol = orgDaysOf(30, zeros, holidaysOf([dayAt(40).slice(5)]));
    expect(hol.days.get(40)).toMatchObject({ orgEvent: 'holiday', logsAffected: 20 });
  });

  it('a holiday a week before does not lower the reference (Christmas, then New Year)', () => {
    const r = orgDaysOf(30, (k, i) => ((i === 33 || i === 40) && k < 15 ? 0.3 : 1));
    expect([...r.days.keys()]).toEqual([33, 40]);
  });

  it('no look-ahead: the days found up to D are the same whatever comes after D', () => {
    const logs = logsOf(30, (k, i) => ((i === 40 || i === 50) && k < 12 ? 0.3 : 1));
    const full = findOrgDays(logs, days, observed, NO_HOLIDAYS, 0, DAYS - 1);
    const cut = findOrgDays(
      logs.map((l) => ({ values: l.values.slice(0, 45) })),
      days.slice(0, 45),
      observed.slice(0, 45),
      NO_HOLIDAYS,
      0,
      44,
    );
    expect([...cut.days.entries()]).toEqual([...full.days.entries()].filter(([d]) => d <= 44));
  });

  it('HOLIDAYS reaches detection as a parameter; a bad item is refused with an example', () => {
    expect(detectionParams(readSettings({ HOLIDAYS: '12-25, 2026-04-03' }), undefined).holidays).toEqual(['12-25', '2026-04-03']);
    expect(() => readSettings({ HOLIDAYS: '12-25,25/12' })).toThrow(
      /HOLIDAYS=.*expected comma-separated dates YYYY-MM-DD or MM-DD.*12-25,01-01.*not a date: 25\/12/s,
    );
  });
});
