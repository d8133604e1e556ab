import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysInRange,
  diffDays,
  firstOfMonth,
  fromEpochDay,
  isDay,
  lastOfMonth,
  monthOf,
  toEpochDay,
  weekdayOf,
  yesterdayUtc,
} from '../../src/days.js';

describe('days', () => {
  it('accepts only real calendar days written YYYY-MM-DD', () => {
    for (const d of ['2026-03-14', '2024-02-29', '1999-12-31']) expect(isDay(d)).toBe(true);
    for (const d of ['2026-02-29', '2026-13-01', '2026-3-14', '2026-03-14T00:00:00Z', ' 2026-03-14', '', 'yesterday']) {
      expect(isDay(d), d).toBe(false);
    }
  });

  it('counts in UTC days across month, year and DST boundaries', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(diffDays('2026-03-14', '2026-03-08')).toBe(6);
    expect(fromEpochDay(toEpochDay('2026-03-14'))).toBe('2026-03-14');
    expect(toEpochDay('1970-01-02')).toBe(1);
  });

  it('takes yesterday in UTC whatever the local hour', () => {
    expect(yesterdayUtc(new Date('2026-03-15T00:00:00Z'))).toBe('2026-03-14');
    expect(yesterdayUtc(new Date('2026-03-15T23:59:59.999Z'))).toBe('2026-03-14');
    expect(yesterdayUtc(new Date('2026-03-15T01:00:00+02:00'))).toBe('2026-03-13');
  });

  it('lists the days of a window, both ends included', () => {
    expect(daysInRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysInRange('2026-03-02', '2026-03-02')).toEqual(['2026-03-02']);
    expect(daysInRange('2026-03-03', '2026-03-02')).toEqual([]);
  });

  it('knows weekdays and month bounds', () => {
    expect(weekdayOf('2026-03-15')).toBe(0); // a Sunday
    expect(weekdayOf('2026-03-14')).toBe(6);
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(monthOf('2026-03-14')).toBe('2026-03');
    expect(firstOfMonth('2026-03-14')).toBe('2026-03-01');
    expect(lastOfMonth('2026-02-14')).toBe('2026-02-28');
    expect(lastOfMonth('2024-02-01')).toBe('2024-02-29');
    expect(lastOfMonth('2026-12-31')).toBe('2026-12-31');
  });
});
