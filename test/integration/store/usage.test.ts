import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { coverage, getLog, isEmpty, latestObservedDay, readUsageMatrix, usageOnDay, writeCollection } from '../../../src/store/usage.js';
import { collectDay, storedUsage } from '../../support/db.js';

const NOW = '2026-03-15T08:00:00.000Z';

describe('usage store', () => {
  it('reads a calendar-aligned matrix: values, zeros on observed days, gaps elsewhere, organisation totals', () => {
    const db = openDb(':memory:');
    expect(isEmpty(db)).toBe(true);
    writeCollection(db, {
      observedDays: ['2026-03-02', '2026-03-04'],
      source: 'api',
      usage: [
        { day: '2026-03-02', logId: 'a', bytes: 10 },
        { day: '2026-03-04', logId: 'b', bytes: 40 },
        // Not an observed day of this write: ignored.
        { day: '2026-03-03', logId: 'a', bytes: 99 },
      ],
      orgDaily: [{ day: '2026-03-03', bytes: 123 }],
      now: NOW,
    });
    expect(isEmpty(db)).toBe(false);
    const m = readUsageMatrix(db, '2026-03-01', '2026-03-04');
    expect(m.days).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(Array.from(m.observed)).toEqual([0, 1, 0, 1]);
    expect(m.logs.map((l) => l.id)).toEqual(['a', 'b']);
    expect(Array.from(m.values.get('a')!)).toEqual([Number.NaN, 10, Number.NaN, 0]);
    expect(Array.from(m.values.get('b')!)).toEqual([Number.NaN, 0, Number.NaN, 40]);
    expect(Array.from(m.org)).toEqual([Number.NaN, Number.NaN, 123, Number.NaN]);
    const only = readUsageMatrix(db, '2026-03-01', '2026-03-04', { logIds: ['b'] });
    expect([...only.values.keys()]).toEqual(['b']);
    expect(usageOnDay(db, '2026-03-04')).toEqual([{ logId: 'b', day: '2026-03-04', bytes: 40 }]);
    expect(latestObservedDay(db)).toBe('2026-03-04');
    expect(coverage(db)).toEqual({
      observedDays: 2,
      firstDay: '2026-03-02',
      lastDay: '2026-03-04',
      logs: 2,
      activeLogs: 0,
      orgDays: 1,
      orgFirstDay: '2026-03-03',
      orgLastDay: '2026-03-03',
    });
  });

  it('fills a missing name from imported names but never replaces a known one', () => {
    const db = openDb(':memory:');
    const base = { observedDays: ['2026-03-02'], source: 'api' as const, now: NOW };
    writeCollection(db, { ...base, usage: [{ day: '2026-03-02', logId: 'a', bytes: 1 }] });
    expect(getLog(db, 'a')?.name).toBeNull();
    writeCollection(db, { ...base, usage: [{ day: '2026-03-02', logId: 'a', bytes: 1 }], importedNames: new Map([['a', 'first']]) });
    writeCollection(db, { ...base, usage: [{ day: '2026-03-02', logId: 'a', bytes: 1 }], importedNames: new Map([['a', 'second']]) });
    expect(getLog(db, 'a')?.name).toBe('first');
  });

  it('keeps first and last seen true to the stored rows when values move or vanish', () => {
    const db = openDb(':memory:');
    const write = (day: string, bytes: number) => collectDay(db, day, { a: bytes }, { now: NOW });
    write('2026-03-05', 5);
    write('2026-03-01', 1);
    write('2026-03-09', 9);
    expect(getLog(db, 'a')).toMatchObject({ firstSeen: '2026-03-01', lastSeen: '2026-03-09' });
    write('2026-03-09', 0);
    write('2026-03-01', 0);
    expect(getLog(db, 'a')).toMatchObject({ firstSeen: '2026-03-05', lastSeen: '2026-03-05' });
    expect(storedUsage(db)).toEqual({ '2026-03-05 a': 5 });
  });
});
