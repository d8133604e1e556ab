/**
 * The stored usage as a detection history (calendar-aligned arrays, see detect/backtest.ts `History`): the read
 * model of the daily detection and of `backtest --db`.
 */
import { type Day, toEpochDay } from '../days.js';
import { fillOrgFromLogs, type History, type HistoryLog } from '../detect/backtest.js';
import { NEVER } from '../detect/log-rules.js';
import type { Db } from './db.js';
import { displayName, readUsageMatrix } from './usage.js';

/**
 * The stored history from `from` to `to`. With `quickFrom`, usage is read from `quickFrom` only and the
 * days before it are placeholders (NaN) for every log: `extendHistory` completes the logs that need
 * more (detectForDay reads most logs' last 70 days only).
 */
export function readDbHistory(db: Db, from: Day, to: Day, opts: { quickFrom?: Day } = {}): History {
  const quick = opts.quickFrom && opts.quickFrom > from ? opts.quickFrom : from;
  const shift = toEpochDay(quick) - toEpochDay(from);
  const m = readUsageMatrix(db, quick, to, { pad: shift });
  const base = toEpochDay(from);
  const firstObservedRow = db.prepare('SELECT min(day) d FROM observed_days').get() as { d: string | null };
  const firstObserved = firstObservedRow.d ? toEpochDay(firstObservedRow.d) - base : 0;
  const logs: HistoryLog[] = m.logs.map((l) => ({
    id: l.id,
    name: displayName(l),
    logsets: l.logsets.map((s) => s.name),
    values: m.values.get(l.id)!,
    firstSeen: l.firstSeen ? toEpochDay(l.firstSeen) - base : NEVER,
  }));
  const org = Float64Array.from(m.org);
  // Days before `quickFrom` are placeholders: no organisation total is made up for them.
  fillOrgFromLogs(m.days, m.observed, logs, org, shift);
  return { days: m.days, observed: m.observed, firstObserved, logs, org };
}

/** Reads the whole range of `h` for the logs with these indices (replacing their values). */
export function extendHistory(db: Db, h: History, logIndexes: number[]): void {
  if (logIndexes.length === 0) return;
  const from = h.days[0]!;
  const to = h.days[h.days.length - 1]!;
  const w = readUsageMatrix(db, from, to, { logIds: logIndexes.map((i) => h.logs[i]!.id) });
  for (let i = 0; i < h.days.length; i++) if (w.observed[i]) h.observed[i] = 1;
  for (const i of logIndexes) {
    const v = w.values.get(h.logs[i]!.id);
    if (v) h.logs[i]!.values = v;
  }
}
