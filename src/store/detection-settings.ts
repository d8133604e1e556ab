/**
 * Reads the detection settings from the database: the global sensitivity (settings key
 * `sensitivity`), per-log overrides (log_settings: sensitivity, min_bytes, muted, baseline_from from
 * migration 0002) and thresholds, for detection (pipeline/detect.ts); the pure rules never import it.
 */
import type { Day } from '../days.js';
import type { LogOverrides } from '../detect/backtest.js';
import type { ThresholdRule } from '../detect/org-rules.js';
import { parseSensitivity } from '../detect/params.js';
import type { Db } from './db.js';

/** Settings key of the global sensitivity (JSON: a band multiplier such as 1.5, or low | normal | high). */
export const SENSITIVITY_KEY = 'sensitivity';

export interface StoredDetectionSettings {
  /** Global band multiplier from the settings table, or undefined when not set (or unreadable). */
  sensitivity: number | undefined;
  overrides: Map<string, LogOverrides>;
  thresholds: ThresholdRule[];
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
  const rows = db.prepare('SELECT log_id, sensitivity, min_bytes, muted, baseline_from FROM log_settings').all() as Array<{
    log_id: string;
    sensitivity: number | null;
    min_bytes: number | null;
    muted: number;
    baseline_from: string | null;
  }>;
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
