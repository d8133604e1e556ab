/**
 * Reads what detection needs from the database: usage (a faster reader than readUsageMatrix for wide
 * windows), the global sensitivity: the global sensitivity (settings key
 * `sensitivity`), per-log overrides (log_settings: sensitivity, min_bytes, muted, baseline_from from
 * migration 0002) and thresholds. I/O module: the pure rules never import it.
 */
import { type Day, daysInRange } from '../days.js';
import type { Db } from '../store/db.js';
import { listLogs, observedDays, type UsageMatrix } from '../store/usage.js';
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
 * then its days in order), which stays fast on a large history where a scan of the day index would
 * look every row up again.
 */
export function readUsageWindow(db: Db, from: Day, to: Day): UsageMatrix {
  const days = daysInRange(from, to);
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const observed = new Uint8Array(days.length);
  for (const d of observedDays(db, from, to)) observed[dayIndex.get(d)!] = 1;
  const logs = listLogs(db);
  const values = new Map<string, Float64Array>();
  const blank = new Float64Array(days.length);
  for (let i = 0; i < days.length; i++) blank[i] = observed[i] ? 0 : Number.NaN;
  for (const l of logs) values.set(l.id, Float64Array.from(blank));
  const rows = db
    .prepare('SELECT u.log_id, u.day, u.bytes FROM logs AS l CROSS JOIN usage AS u WHERE u.log_id = l.id AND u.day >= ? AND u.day <= ?')
    .raw(true);
  let lastId = '';
  let arr: Float64Array | undefined;
  for (const [id, day, bytes] of rows.iterate(from, to) as IterableIterator<[string, string, number]>) {
    if (id !== lastId) {
      lastId = id;
      arr = values.get(id);
    }
    const i = dayIndex.get(day);
    if (arr && i !== undefined) arr[i] = bytes;
  }
  const org = new Float64Array(days.length).fill(Number.NaN);
  for (const [day, bytes] of db.prepare('SELECT day, bytes FROM org_usage WHERE day >= ? AND day <= ?').raw(true).all(from, to) as Array<
    [string, number]
  >) {
    const i = dayIndex.get(day);
    if (i !== undefined) org[i] = bytes;
  }
  return { days, observed, logs, values, org };
}
