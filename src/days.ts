/**
 * UTC calendar days as `YYYY-MM-DD` strings. Pure: the caller passes "now".
 * Days compare correctly as strings; arithmetic goes through epoch days.
 */
const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Day = string;

export function isDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Days since 1970-01-01 (UTC). */
export function toEpochDay(day: Day): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function fromEpochDay(n: number): Day {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  return fromEpochDay(toEpochDay(day) + n);
}

export function diffDays(a: Day, b: Day): number {
  return toEpochDay(a) - toEpochDay(b);
}

export function utcDayOf(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

/** Yesterday in UTC relative to `now`: the newest complete day. */
export function yesterdayUtc(now: Date): Day {
  return addDays(utcDayOf(now), -1);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: Day): number {
  return (toEpochDay(day) + 4) % 7;
}

export function daysInRange(from: Day, to: Day): Day[] {
  const out: Day[] = [];
  for (let n = toEpochDay(from), end = toEpochDay(to); n <= end; n++) out.push(fromEpochDay(n));
  return out;
}

/** `YYYY-MM` of a day. */
export function monthOf(day: Day): string {
  return day.slice(0, 7);
}

export function firstOfMonth(day: Day): Day {
  return `${day.slice(0, 7)}-01`;
}

/** The first day of the month `months` calendar months before the month of `day`: (2026-03-14, 13) → 2025-02-01. */
export function firstOfMonthBefore(day: Day, months: number): Day {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 - months, 1)).toISOString().slice(0, 10);
}

export function lastOfMonth(day: Day): Day {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
