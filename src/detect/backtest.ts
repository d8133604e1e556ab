/**
 * Backtest: replay detection day by day over a whole history, exactly as the daily run would have
 * judged each day (the same `detectDay`, fed the same arrays; day t reads only indices ≤ t).
 * History comes from a CSV file (`day,log_id,bytes[,log_name]`, every day from the first to the last
 * observed, like `import`) or from the database.
 */
import { statSync } from 'node:fs';
import { type Day, daysInRange, fromEpochDay, isDay, toEpochDay } from '../days.js';
import { AppError } from '../errors.js';
import { forEachLine, splitCsvLine } from '../import.js';
import type { Db } from '../store/db.js';
import { displayName, readUsageMatrix } from '../store/usage.js';
import { composeDay, type DayResult, type DetectLog, type JudgedLog } from './detect-day.js';
import { createLogDetector, NEVER, NO_RESET } from './log-rules.js';
import type { ThresholdRule } from './org-rules.js';
import type { DetectParams } from './params.js';
import type { Finding, FindingKind } from './types.js';

export interface HistoryLog {
  id: string;
  name: string;
  logsets: string[];
  /** Bytes per day aligned with `History.days`; NaN = not observed. */
  values: Float64Array;
  /** Index of the first day with bytes > 0 (may be < 0 when before `days[0]`); NEVER when none. */
  firstSeen: number;
}

export interface History {
  days: Day[];
  observed: Uint8Array;
  /** Index of the first observed day (may be < 0 when the history was cut). */
  firstObserved: number;
  logs: HistoryLog[];
  /** Organisation total per day (NaN unknown). */
  org: Float64Array;
}

export interface LogOverrides {
  sensitivity?: number;
  minBytes?: number;
  muted?: boolean;
  baselineFrom?: Day;
}

/** Sums the logs of each observed day from index `from` (where the organisation total is unknown). */
export function fillOrgFromLogs(days: Day[], observed: Uint8Array, logs: HistoryLog[], org: Float64Array, from = 0): void {
  for (let i = from; i < days.length; i++) {
    if (!Number.isNaN(org[i]!) || !observed[i]) continue;
    let sum = 0;
    for (const l of logs) {
      const v = l.values[i]!;
      if (v > 0) sum += v;
    }
    org[i] = sum;
  }
}

function firstPositive(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (values[i]! > 0) return i;
  return NEVER;
}

/** Columns the quick CSV path handles (more go through splitCsvLine). */
const MAX_FAST_COLUMNS = 8;

/** Field c of a line whose first k commas are at commas[0..k) ('' when the line has fewer fields). */
function fieldAt(line: string, commas: Int32Array, k: number, c: number): string {
  if (c > k) return '';
  return line.slice(c === 0 ? 0 : commas[c - 1]! + 1, c < k ? commas[c]! : line.length);
}

/** A byte count as written (NaN when empty or not a number). */
function toBytes(text: string): number {
  const t = text.trim();
  return t === '' ? Number.NaN : Number(t);
}

/** The whole number written with ASCII digits (spaces around allowed) in s[from, to); NaN otherwise. */
function digitsAt(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) === 32) from++;
  while (to > from && s.charCodeAt(to - 1) === 32) to--;
  if (from === to || to - from > 15) return Number.NaN;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Reads a usage CSV into a calendar-aligned history. Every day from the file's first to its last day
 * is observed; a log without a row on a day used 0 bytes. Bad rows stop the read with their line numbers.
 */
export function readCsvHistory(path: string, progress?: (fraction: number) => void): History {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new AppError('USAGE', `Cannot read ${path}: the file does not exist or is not readable.`, { exitCode: 2 });
  }
  let cols: { day: number; logId: number; bytes: number; name: number; count: number } | undefined;
  const commas = new Int32Array(MAX_FAST_COLUMNS);
  const ids = new Map<string, number>();
  const names: string[] = [];
  const idList: string[] = [];
  let cap = 1 << 16;
  let rowDay = new Int32Array(cap);
  let rowLog = new Int32Array(cap);
  let rowBytes = new Float64Array(cap);
  let rows = 0;
  let minE = Number.POSITIVE_INFINITY;
  let maxE = Number.NEGATIVE_INFINITY;
  const errors: string[] = [];
  const dayCache = new Map<string, number>();
  forEachLine(
    path,
    (line, lineNo) => {
      if (lineNo === 1) {
        const h = splitCsvLine(line.replace(/^\uFEFF/, '')).map((c) => c.trim().toLowerCase());
        cols = {
          day: h.indexOf('day'),
          logId: h.indexOf('log_id'),
          bytes: h.indexOf('bytes'),
          name: h.indexOf('log_name'),
          count: h.length,
        };
        if (cols.day < 0 || cols.logId < 0 || cols.bytes < 0) {
          throw new AppError('USAGE', `${path}: line 1 must be a header with the columns day,log_id,bytes (optional log_name).`, {
            exitCode: 2,
          });
        }
        return;
      }
      if (!cols) return;
      // Common case (no quotes): fields by comma positions, bytes read digit by digit.
      let d: string;
      let id: string;
      let b: number;
      let nameField: string | undefined;
      if (line.indexOf('"') < 0 && cols.count <= MAX_FAST_COLUMNS) {
        let k = 0;
        for (let i = line.indexOf(','); i >= 0 && k < MAX_FAST_COLUMNS; i = line.indexOf(',', i + 1)) commas[k++] = i;
        if (k === 0 && line.trim() === '') return;
        d = fieldAt(line, commas, k, cols.day).trim();
        id = fieldAt(line, commas, k, cols.logId).trim();
        b =
          cols.bytes > k
            ? Number.NaN
            : digitsAt(line, cols.bytes === 0 ? 0 : commas[cols.bytes - 1]! + 1, cols.bytes < k ? commas[cols.bytes]! : line.length);
        if (Number.isNaN(b)) b = toBytes(fieldAt(line, commas, k, cols.bytes));
        if (cols.name >= 0 && !ids.has(id)) nameField = fieldAt(line, commas, k, cols.name);
      } else {
        if (line.trim() === '') return;
        const f = splitCsvLine(line);
        d = (f[cols.day] ?? '').trim();
        id = (f[cols.logId] ?? '').trim();
        b = toBytes(f[cols.bytes] ?? '');
        if (cols.name >= 0) nameField = f[cols.name];
      }
      let e = dayCache.get(d);
      if (e === undefined) {
        if (!isDay(d)) {
          if (errors.length < 10) errors.push(`line ${lineNo}: day "${d.slice(0, 40)}" is not a date YYYY-MM-DD`);
          return;
        }
        e = toEpochDay(d);
        dayCache.set(d, e);
      }
      if (id === '' || !Number.isFinite(b) || b < 0) {
        if (errors.length < 10) errors.push(`line ${lineNo}: needs a log_id and a whole non-negative number of bytes`);
        return;
      }
      let li = ids.get(id);
      if (li === undefined) {
        li = idList.length;
        ids.set(id, li);
        idList.push(id);
        names.push((nameField ?? '').trim());
      }
      if (rows === cap) {
        cap *= 2;
        const d2 = new Int32Array(cap);
        d2.set(rowDay);
        rowDay = d2;
        const l2 = new Int32Array(cap);
        l2.set(rowLog);
        rowLog = l2;
        const b2 = new Float64Array(cap);
        b2.set(rowBytes);
        rowBytes = b2;
      }
      rowDay[rows] = e;
      rowLog[rows] = li;
      rowBytes[rows] = b;
      rows++;
      if (e < minE) minE = e;
      if (e > maxE) maxE = e;
    },
    (read) => progress?.(read / Math.max(1, size)),
  );
  if (errors.length) throw new AppError('USAGE', `${path} has bad rows; nothing was replayed:\n  ${errors.join('\n  ')}`, { exitCode: 2 });
  if (rows === 0) throw new AppError('USAGE', `${path} has no rows: nothing to replay.`, { exitCode: 2 });
  const days = daysInRange(fromEpochDay(minE), fromEpochDay(maxE));
  const observed = new Uint8Array(days.length).fill(1);
  const logs: HistoryLog[] = idList.map((id, i) => ({
    id,
    name: names[i] || `unknown log ${id}`,
    logsets: [],
    values: new Float64Array(days.length),
    firstSeen: NEVER,
  }));
  for (let r = 0; r < rows; r++) logs[rowLog[r]!]!.values[rowDay[r]! - minE] = rowBytes[r]!;
  for (const l of logs) l.firstSeen = firstPositive(l.values);
  const org = new Float64Array(days.length).fill(Number.NaN);
  fillOrgFromLogs(days, observed, logs, org);
  return { days, observed, firstObserved: 0, logs, org };
}

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

export interface ReplayOptions {
  params: DetectParams;
  from?: Day;
  to?: Day;
  thresholds?: ThresholdRule[];
  monthlyBudget?: number | undefined;
  overrides?: Map<string, LogOverrides>;
  /** Each day's result, in day order (after every log was judged). */
  onDay?: (result: DayResult, done: number, total: number) => void;
  /** Share of the logs judged so far (0–1), during the first pass. */
  onProgress?: (fraction: number) => void;
}

/** Builds the per-log inputs of the detector from a history and the stored overrides. */
export function toDetectLogs(
  h: History,
  params: DetectParams,
  overrides?: Map<string, LogOverrides>,
  /** Precompute logarithms and keep a model memo (worth it when each log is judged on many days). */
  opts: { replay?: boolean } = { replay: true },
): DetectLog[] {
  const base = toEpochDay(h.days[0]!);
  return h.logs.map((l) => {
    const o = overrides?.get(l.id);
    let ln: Float64Array | undefined;
    if (opts.replay) {
      ln = new Float64Array(l.values.length);
      for (let i = 0; i < ln.length; i++) {
        const v = l.values[i]!;
        ln[i] = v > 0 ? Math.log(v) : Number.NaN;
      }
    }
    return {
      id: l.id,
      name: l.name,
      logsets: l.logsets,
      values: l.values,
      ...(ln ? { lnValues: ln, memo: { model: null } } : {}),
      firstSeen: l.firstSeen,
      baselineFrom: o?.baselineFrom ? toEpochDay(o.baselineFrom) - base : NO_RESET,
      sensitivity: o?.sensitivity ?? params.sensitivity,
      minBytes: o?.minBytes ?? params.minBytes,
      muted: o?.muted ?? false,
    };
  });
}

export interface ReplaySummary {
  days: number;
  logs: number;
  findings: number;
  byKind: Partial<Record<FindingKind, number>>;
  /** Findings per log id (log-scoped kinds only). */
  byLog: Map<string, { name: string; count: number; kinds: Partial<Record<FindingKind, number>> }>;
  from: Day;
  to: Day;
}

/** Replays every day from `from` (default: the first day) to `to` (default: the last), in order. */
export function replay(h: History, opts: ReplayOptions): ReplaySummary {
  if (h.days.length === 0) throw new AppError('USAGE', 'There is no history to replay.', { exitCode: 2 });
  const first = h.days[0]!;
  const last = h.days[h.days.length - 1]!;
  const from = opts.from && opts.from > first ? opts.from : first;
  const to = opts.to && opts.to < last ? opts.to : last;
  const base = toEpochDay(first);
  const t0 = toEpochDay(from) - base;
  const t1 = toEpochDay(to) - base;
  const logs = toDetectLogs(h, opts.params, opts.overrides);
  const detector = createLogDetector(opts.params);
  const summary: ReplaySummary = { days: 0, logs: logs.length, findings: 0, byKind: {}, byLog: new Map(), from, to };
  const total = Math.max(0, t1 - t0 + 1);
  // Pass 1, log by log (each log's history stays in cache): the per-log results of every day.
  const judged: JudgedLog[][] = Array.from({ length: total }, () => []);
  const day0 = toEpochDay(first);
  for (let i = 0; i < logs.length; i++) {
    const lg = logs[i]!;
    for (let t = t0; t <= t1; t++) {
      if (h.observed[t] !== 1) continue;
      const r = detector.evaluate(lg, t, day0, h.firstObserved);
      if (r.verdict || r.silence) judged[t - t0]!.push({ log: i, result: r });
    }
    opts.onProgress?.((i + 1) / logs.length);
    // The fortnight's model is only needed while this log is replayed.
    if (lg.memo) lg.memo.model = null;
  }
  // Pass 2, day by day in order: findings, thresholds and budget, as the daily run composes them.
  const ctx = {
    days: h.days,
    t: t0,
    observed: h.observed,
    firstObserved: h.firstObserved,
    org: h.org,
    logs,
    thresholds: opts.thresholds ?? [],
    monthlyBudget: opts.monthlyBudget,
    params: opts.params,
  };
  for (let t = t0; t <= t1; t++) {
    ctx.t = t;
    const r = composeDay(ctx, judged[t - t0]!);
    judged[t - t0] = [];
    summary.days++;
    for (const f of r.findings) count(summary, f);
    opts.onDay?.(r, t - t0 + 1, total);
  }
  return summary;
}

function count(s: ReplaySummary, f: Finding): void {
  s.findings++;
  s.byKind[f.kind] = (s.byKind[f.kind] ?? 0) + 1;
  if (f.scope !== 'log' || !f.logId) return;
  let e = s.byLog.get(f.logId);
  if (!e) {
    e = { name: f.logName, count: 0, kinds: {} };
    s.byLog.set(f.logId, e);
  }
  e.count++;
  e.kinds[f.kind] = (e.kinds[f.kind] ?? 0) + 1;
}
