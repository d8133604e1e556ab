/**
 * Reads what detection needs from the database: usage (a faster reader than readUsageMatrix for wide
 * windows), the global sensitivity: the global sensitivity (settings key
 * `sensitivity`), per-log overrides (log_settings: sensitivity, min_bytes, muted, baseline_from from
 * migration 0002) and thresholds. I/O module: the pure rules never import it.
 */
import { addDays, type Day, daysInRange, toEpochDay } from '../days.js';
import type { Db } from '../store/db.js';
import { type LogInfo, listLogs, observedDays, type UsageMatrix } from '../store/usage.js';
import type { LogOverrides } from './backtest.js';
import type { ThresholdRule } from './org-rules.js';
import { parseSensitivity } from './params.js';

/** Settings key of the global sensitivity (JSON: a band multiplier such as 1.5, or low | normal | high). */
export const SENSITIVITY_KEY = 'sensitivity';

export interface StoredDetectionSettings {
  /** Global band multiplier from the settings table, or undefined when not set (or unreadable). */
  sensitivity: number | undefined;
  overrides: Map<string, LogOverrides>;
  thresholds: ThresholdRule[];
}

function hasColumn(db: Db, table: string, column: string): boolean {
  return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).some((c) => c.name === column);
}

export function readGlobalSensitivity(db: Db): number | undefined {
  const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(SENSITIVITY_KEY) as { value: string } | undefined;
  if (!r) return undefined;
  try {
    return parseSensitivity(JSON.parse(r.value) as unknown);
  } catch {
    return parseSensitivity(r.value);
  }
}

export function readLogOverrides(db: Db): Map<string, LogOverrides> {
  const withBaseline = hasColumn(db, 'log_settings', 'baseline_from');
  const rows = db
    .prepare(`SELECT log_id, sensitivity, min_bytes, muted${withBaseline ? ', baseline_from' : ''} FROM log_settings`)
    .all() as Array<{ log_id: string; sensitivity: number | null; min_bytes: number | null; muted: number; baseline_from?: string | null }>;
  const out = new Map<string, LogOverrides>();
  for (const r of rows) {
    const o: LogOverrides = { muted: r.muted === 1 };
    const s = r.sensitivity === null ? undefined : parseSensitivity(r.sensitivity);
    if (s !== undefined) o.sensitivity = s;
    if (r.min_bytes !== null && r.min_bytes >= 0) o.minBytes = r.min_bytes;
    if (r.baseline_from) o.baselineFrom = r.baseline_from as Day;
    out.set(r.log_id, o);
  }
  return out;
}

export function readThresholds(db: Db): ThresholdRule[] {
  return (
    db.prepare('SELECT id, scope, target, bytes_per_day FROM thresholds ORDER BY id').all() as Array<{
      id: number;
      scope: 'log' | 'logset' | 'org';
      target: string;
      bytes_per_day: number;
    }>
  ).map((r) => ({ id: r.id, scope: r.scope, target: r.target, bytesPerDay: r.bytes_per_day }));
}

export function readDetectionSettings(db: Db): StoredDetectionSettings {
  return { sensitivity: readGlobalSensitivity(db), overrides: readLogOverrides(db), thresholds: readThresholds(db) };
}

/**
 * Usage of every known log from `from` to `to` (inclusive), calendar aligned: 0 on observed days
 * without a row, NaN on days never observed. Reads the usage primary key log by log (one seek per log,
 * then its days in order) and lets SQLite join each log's rows into one `day:bytes,…` string: on a
 * large history this is many times faster than one JavaScript row per stored value.
 */
export function readUsageWindow(
  db: Db,
  from: Day,
  to: Day,
  opts: {
    /** Only these logs (default: every known log). */
    logIds?: string[];
    /** The known logs when the caller has them already (saves reading them again). */
    logs?: LogInfo[];
    /** Days before `from` to prepend to every array as gaps (NaN, not observed). */
    pad?: number;
  } = {},
): UsageMatrix {
  const pad = opts.pad ?? 0;
  const days = daysInRange(addDays(from, -pad), to);
  const base = toEpochDay(from) - pad;
  const observed = new Uint8Array(days.length);
  for (const d of observedDays(db, from, to)) observed[toEpochDay(d) - base] = 1;
  const wanted = opts.logIds ? new Set(opts.logIds) : undefined;
  const all = opts.logs ?? listLogs(db);
  const logs = wanted ? all.filter((l) => wanted.has(l.id)) : all;
  const values = new Map<string, Float64Array>();
  const blank = new Float64Array(days.length);
  for (let i = 0; i < days.length; i++) blank[i] = observed[i] ? 0 : Number.NaN;
  for (const l of logs) values.set(l.id, Float64Array.from(blank));
  const source = wanted ? '(SELECT value AS id FROM json_each(?) ORDER BY value) AS l' : 'logs AS l';
  const stmt = db
    .prepare(
      `SELECT l.id, group_concat(u.day || ':' || u.bytes) FROM ${source} CROSS JOIN usage AS u
       WHERE u.log_id = l.id AND u.day >= ? AND u.day <= ? GROUP BY l.id`,
    )
    .raw(true);
  const rows = wanted ? stmt.iterate(JSON.stringify([...wanted]), from, to) : stmt.iterate(from, to);
  // Day index by (year, month, day) read from the digits: no string is made per value.
  const y0 = Number(days[0]!.slice(0, 4));
  const slot = new Int32Array((Number(to.slice(0, 4)) - y0 + 1) * 372).fill(-1);
  days.forEach((d, i) => {
    slot[(Number(d.slice(0, 4)) - y0) * 372 + (Number(d.slice(5, 7)) - 1) * 31 + Number(d.slice(8, 10)) - 1] = i;
  });
  const digit = (s: string, k: number) => s.charCodeAt(k) - 48;
  for (const [id, joined] of rows as IterableIterator<[string, string]>) {
    const arr = values.get(id);
    if (!arr) continue;
    const n = joined.length;
    // Entries are 'YYYY-MM-DD:<digits>' separated by commas (bytes are whole, non-negative: CHECK in 0001).
    for (let i = 0; i < n; ) {
      const y = digit(joined, i) * 1000 + digit(joined, i + 1) * 100 + digit(joined, i + 2) * 10 + digit(joined, i + 3);
      const m = digit(joined, i + 5) * 10 + digit(joined, i + 6);
      const d = digit(joined, i + 8) * 10 + digit(joined, i + 9);
      const k = slot[(y - y0) * 372 + (m - 1) * 31 + d - 1]!;
      let j = i + 11;
      let bytes = 0;
      for (let c = joined.charCodeAt(j); j < n && c !== 44; c = joined.charCodeAt(++j)) bytes = bytes * 10 + (c - 48);
      if (k >= 0) arr[k] = bytes;
      i = j + 1;
    }
  }
  const org = new Float64Array(days.length).fill(Number.NaN);
  for (const [day, bytes] of db.prepare('SELECT day, bytes FROM org_usage WHERE day >= ? AND day <= ?').raw(true).all(from, to) as Array<
    [string, number]
  >) {
    org[toEpochDay(day) - base] = bytes;
  }
  return { days, observed, logs, values, org };
}
