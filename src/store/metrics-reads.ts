/** Read queries behind `GET /metrics` (src/metrics/report.ts). Bytes are whole bytes; days UTC. */
import type { Db } from './db.js';

export interface LogBytesRow {
  id: string;
  /** null when the management API never named the log. */
  name: string | null;
  /** Log set names, sorted. */
  logsets: string[];
  bytes: number;
}

function logsetNames(json: string): string[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .map((s) => (s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string' ? (s as { name: string }).name : ''))
      .filter((n) => n !== '')
      .sort();
  } catch {
    return [];
  }
}

/**
 * Bytes of every log on `day` (an observed day): logs with a row that day, and logs the management API
 * lists (0 bytes without a row). Ordered by log id.
 */
export function logBytesOnDay(db: Db, day: string): LogBytesRow[] {
  const rows = db
    .prepare(
      `SELECT l.id, l.name, l.logsets, coalesce(u.bytes, 0) AS bytes
         FROM logs l LEFT JOIN usage u ON u.log_id = l.id AND u.day = ?
        WHERE u.bytes IS NOT NULL OR l.in_management = 1
        ORDER BY l.id`,
    )
    .raw(true)
    .all(day) as Array<[string, string | null, string, number]>;
  return rows.map(([id, name, logsets, bytes]) => ({ id, name, logsets: logsetNames(logsets), bytes }));
}

/** Open alerts per kind (kinds without an open alert are absent). */
export function openAlertsByKind(db: Db): Map<string, number> {
  const rows = db.prepare("SELECT kind, count(*) FROM alerts WHERE status = 'open' GROUP BY kind").raw(true).all() as Array<
    [string, number]
  >;
  return new Map(rows);
}
