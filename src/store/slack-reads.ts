/**
 * Read queries behind `/logusage` answers and charts, shaped to stay fast on 10,000 logs × 90 days:
 * per-log series by primary key, one day's ranking through the day index, organisation totals from
 * org_usage. Series are aligned with `daysInRange(from, to)`: bytes on observed days (0 when the log
 * had no row), NaN on days never observed (gaps, never zeros).
 */
import { type Day, daysInRange, toEpochDay } from '../days.js';
import type { Db } from './db.js';
import { observedDays } from './usage.js';

function observedMask(db: Db, from: Day, to: Day): Uint8Array {
  const base = toEpochDay(from);
  const mask = new Uint8Array(toEpochDay(to) - base + 1);
  for (const d of observedDays(db, from, to)) mask[toEpochDay(d) - base] = 1;
  return mask;
}

/** Daily bytes of one log from `from` to `to`. */
export function logSeries(db: Db, logId: string, from: Day, to: Day): Float64Array {
  const mask = observedMask(db, from, to);
  const base = toEpochDay(from);
  const out = new Float64Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 0 : Number.NaN;
  const rows = db
    .prepare('SELECT day, bytes FROM usage WHERE log_id = ? AND day >= ? AND day <= ?')
    .raw(true)
    .all(logId, from, to) as Array<[string, number]>;
  for (const [day, bytes] of rows) out[toEpochDay(day) - base] = bytes;
  return out;
}

/**
 * Organisation daily totals: org_usage where known (it includes deleted logs), else the sum of the
 * per-log values on observed days, else NaN. A day's sum walks all of its rows (0.75 s for 58 days of 10,000
 * logs, on the Slack thread for every summary after a data change), so it is remembered per database under
 * the day's `dayDataKeys`.
 */
export function orgSeries(db: Db, from: Day, to: Day): Float64Array {
  const mask = observedMask(db, from, to);
  const base = toEpochDay(from);
  const out = new Float64Array(mask.length).fill(Number.NaN);
  const org = db.prepare('SELECT day, bytes FROM org_usage WHERE day >= ? AND day <= ?').raw(true).all(from, to) as Array<[string, number]>;
  for (const [day, bytes] of org) out[toEpochDay(day) - base] = bytes;
  const missing: Day[] = [];
  const days = daysInRange(from, to);
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i]) && mask[i]) missing.push(days[i] as Day);
  if (missing.length > 0) {
    const sum = db.prepare('SELECT coalesce(sum(bytes), 0) FROM usage WHERE day = ?').pluck();
    const keyOf = dayDataKeys(db);
    const known = daySums.get(db) ?? new Map<Day, { key: string; bytes: number }>();
    daySums.set(db, known);
    for (const d of missing) {
      const key = keyOf(d);
      let hit = known.get(d);
      if (hit?.key !== key) {
        hit = { key, bytes: sum.get(d) as number };
        known.delete(d);
        if (known.size >= MAX_DAY_SUMS) known.delete(known.keys().next().value as Day);
        known.set(d, hit);
      }
      out[toEpochDay(d) - base] = hit.bytes;
    }
  }
  return out;
}

/**
 * A key of everything one day's per-log values depend on, read from the rows themselves: the day's `observed_at`
 * (every collection stamps the days it wrote) and the newest import run (an import rewrites values of an observed
 * day without stamping it again, and records a run). Equal keys: the day's usage rows are unchanged. A day never
 * observed has the key of no data.
 */
export function dayDataKeys(db: Db): (day: Day) => string {
  const stamp = db.prepare('SELECT observed_at FROM observed_days WHERE day = ?').pluck();
  const imported = db.prepare("SELECT coalesce(max(id), 0) FROM runs WHERE job = 'import'").pluck().get() as number;
  return (day) => `${(stamp.get(day) as string | undefined) ?? ''}|${imported}`;
}

/** Per-day sums of the per-log values, per database (bounded: the MAX_DAY_SUMS most recently computed days). */
const daySums = new WeakMap<Db, Map<Day, { key: string; bytes: number }>>();
const MAX_DAY_SUMS = 800;

export interface DayRanking {
  /** Largest first. */
  rows: Array<{ logId: string; bytes: number }>;
  /** Logs with bytes > 0 that day. */
  logsWithData: number;
  /** Sum of all logs' bytes that day. */
  totalBytes: number;
}

/** The `limit` largest logs of a day. */
export function rankDay(db: Db, day: Day, limit: number): DayRanking {
  const rows = (
    db.prepare('SELECT log_id, bytes FROM usage WHERE day = ? ORDER BY bytes DESC, log_id LIMIT ?').raw(true).all(day, limit) as Array<
      [string, number]
    >
  ).map(([logId, bytes]) => ({ logId, bytes }));
  const agg = db.prepare('SELECT count(*) n, coalesce(sum(bytes), 0) s FROM usage WHERE day = ?').get(day) as { n: number; s: number };
  return { rows, logsWithData: agg.n, totalBytes: agg.s };
}

/** Bytes of the given logs on one day (missing = no row). */
export function bytesOnDay(db: Db, day: Day, logIds: string[]): Map<string, number> {
  const stmt = db.prepare('SELECT bytes FROM usage WHERE log_id = ? AND day = ?').pluck();
  const out = new Map<string, number>();
  for (const id of logIds) {
    const b = stmt.get(id, day) as number | undefined;
    if (b !== undefined) out.set(id, b);
  }
  return out;
}

export function isObserved(db: Db, day: Day): boolean {
  return db.prepare('SELECT 1 FROM observed_days WHERE day = ?').get(day) !== undefined;
}

/**
 * A cheap fingerprint of everything a cached answer depends on (usage, observed days, organisation
 * totals, log names, runs, alerts, settings, changes made from Slack), read from the rows themselves so
 * writes by another connection or process count too. Every write of usage also stamps its day in
 * observed_days. Not SQLite's `data_version`: that changes on every write of any table, and serve's daily
 * worker writes the outbox and its lease every second while it delivers, which would recompute every
 * cached answer on the Slack thread for nothing.
 */
export function dataVersion(db: Db): string {
  const stamp = writeStamp(db);
  const known = versions.get(db);
  if (known?.stamp === stamp) return known.version;
  const version = db
    .prepare(
      `SELECT (SELECT count(*) FROM observed_days) || '|' || coalesce((SELECT max(observed_at) FROM observed_days), '') || '|' ||
              coalesce((SELECT max(fetched_at) FROM org_usage), '') || '|' || coalesce((SELECT max(id) FROM runs), 0) || '|' ||
              coalesce((SELECT max(updated_at) FROM alerts), '') || '|' || (SELECT count(*) FROM alerts) || '|' ||
              coalesce((SELECT max(id) FROM audit), 0) || '|' || coalesce((SELECT max(updated_at) FROM settings), '') || '|' ||
              coalesce((SELECT max(updated_at) FROM logs), '') AS v`,
    )
    .pluck()
    .get() as string;
  versions.set(db, { stamp, version });
  return version;
}

const versions = new WeakMap<Db, { stamp: string; version: string }>();

/**
 * Changes whenever anything is written to the database — by another connection or process (`data_version`)
 * or by this one (`total_changes()`) — and is free to read: a fingerprint computed under the same stamp is
 * still true, so callers recompute theirs only after some write.
 */
export function writeStamp(db: Db): string {
  return `${db.pragma('data_version', { simple: true }) as number}|${db.prepare('SELECT total_changes()').pluck().get() as number}`;
}

export function countOpenAlerts(db: Db): number {
  return db.prepare("SELECT count(*) FROM alerts WHERE status = 'open'").pluck().get() as number;
}
