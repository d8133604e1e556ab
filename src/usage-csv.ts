/**
 * The ONE reader of usage files: `day,log_id,bytes` with an optional `log_name` column, header required
 * (`import` and `backtest --input` both read through it, so both apply the same row checks and answer with
 * the same error code, IMPORT_INVALID). Rows are streamed: memory stays flat however long the file.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type Day, daysInRange, isDay, toEpochDay } from './days.js';
import { fillOrgFromLogs, firstPositive, type History, type HistoryLog } from './detect/backtest.js';
import { NEVER } from './detect/log-rules.js';
import { AppError } from './errors.js';

/**
 * Calls `onLine(line, lineNo)` for every line of the file (1-based numbers, `\n` or `\r\n` endings),
 * reading UTF-8 in 1 MiB chunks; a character split across two chunks is decoded whole.
 */
export function forEachLine(path: string, onLine: (line: string, lineNo: number) => void, onProgress?: (bytesRead: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let lineNo = 0;
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      const chunk = rest + decoder.write(buf.subarray(0, n));
      let start = 0;
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', start)) {
        lineNo++;
        const line = i > start && chunk.charCodeAt(i - 1) === 13 ? chunk.slice(start, i - 1) : chunk.slice(start, i);
        onLine(line, lineNo);
        start = i + 1;
      }
      rest = chunk.slice(start);
      onProgress?.(total);
    }
    rest += decoder.end();
    if (rest.length > 0) onLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, lineNo + 1);
  } finally {
    closeSync(fd);
  }
}

/** Splits one CSV line (RFC 4180 quotes allowed). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface Columns {
  day: number;
  logId: number;
  bytes: number;
  name: number;
  count: number;
}

export function readHeader(line: string): Columns {
  const cols = splitCsvLine(line.replace(/^\uFEFF/, '')).map((c) => c.trim().toLowerCase());
  const idx = (n: string) => cols.indexOf(n);
  const c = { day: idx('day'), logId: idx('log_id'), bytes: idx('bytes'), name: idx('log_name'), count: cols.length };
  if (c.day < 0 || c.logId < 0 || c.bytes < 0) {
    throw new AppError(
      'IMPORT_INVALID',
      `Line 1 must be a header with the columns day,log_id,bytes (optional log_name); found "${line.slice(0, 100)}". Example:\nday,log_id,bytes,log_name\n2026-01-31,0b1c…,1500000000,firewall-eu`,
      { exitCode: 1 },
    );
  }
  return c;
}

const MAX_REPORTED = 50;
const BYTES_RE = /^\d+$/;

/**
 * The (log, day) pairs already seen, in about one bit per day of each log's span of days: 10,000 logs
 * over a year take ~0.5 MB where a Set of strings would take hundreds.
 */
function createPairSet(): { add(log: string, epochDay: number): boolean } {
  const byLog = new Map<string, { base: number; bits: Uint8Array }>();
  return {
    /** Adds the pair; false when it was there already. */
    add(log, epochDay) {
      let e = byLog.get(log);
      if (!e) {
        e = { base: epochDay - (((epochDay % 8) + 8) % 8), bits: new Uint8Array(64) };
        byLog.set(log, e);
      }
      let i = epochDay - e.base;
      if (i < 0 || i >= e.bits.length * 8) {
        const lo = Math.min(e.base, epochDay - (((epochDay % 8) + 8) % 8));
        const hi = Math.max(e.base + e.bits.length * 8, epochDay + 1);
        const bits = new Uint8Array(Math.max(e.bits.length * 2, Math.ceil((hi - lo) / 8)));
        bits.set(e.bits, (e.base - lo) / 8);
        e = { base: lo, bits };
        byLog.set(log, e);
        i = epochDay - lo;
      }
      const byte = i >> 3;
      const mask = 1 << (i & 7);
      const seen = ((e.bits[byte] as number) & mask) !== 0;
      e.bits[byte] = (e.bits[byte] as number) | mask;
      return !seen;
    },
  };
}

/** One row that passed every check. `epoch` is `toEpochDay(day)`; `name` only on a log's first named row. */
export interface UsageCsvRow {
  day: Day;
  epoch: number;
  logId: string;
  bytes: number;
  name: string | undefined;
}

export interface UsageCsvSummary {
  rows: number;
  from: Day | null;
  to: Day | null;
  /** log id → the first non-empty log_name of the file (at most 1,000 characters). */
  names: Map<string, string>;
  columns: Columns;
}

/**
 * Checks every row of a usage file and hands each good one to `onRow`. Checks: the header, the column
 * count, a real date (before `today` when given: only complete past days are stored), a log id of 1–200 characters, a whole
 * non-negative number of bytes, no log twice on one day. Any bad row makes it throw IMPORT_INVALID listing
 * the first 50 bad rows with their line numbers (after the whole file was read, so every problem is named at
 * once); a caller that keeps rows must treat them as void when it throws.
 */
export function checkUsageCsv(
  path: string,
  opts: {
    /**
     * Rows on this day or later are refused (not complete yet) when stored; null for a replay, which stores
     * nothing and judges a file as it is, whatever its dates.
     */
    today: Day | null;
    /** What the caller does with the rows, for the messages: "imported" (default) or "replayed". */
    done?: string;
    onRow?: (row: UsageCsvRow) => void;
    progress?: (fraction: number) => void;
  },
): UsageCsvSummary {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new AppError('IMPORT_INVALID', `Cannot read ${path}: the file does not exist or is not readable.`, { exitCode: 1 });
  }
  const { today, onRow } = opts;
  const done = opts.done ?? 'imported';
  const again = done === 'imported' ? 'import again' : 'try again';
  let cols: Columns | undefined;
  const errors: string[] = [];
  let bad = 0;
  let minDay: Day | null = null;
  let maxDay: Day | null = null;
  let count = 0;
  const names = new Map<string, string>();
  const pairs = createPairSet();
  // Files repeat the same few hundred days: each distinct text is checked once.
  const NOT_A_DAY = Number.NEGATIVE_INFINITY;
  const NOT_PAST = Number.POSITIVE_INFINITY;
  const dayCache = new Map<string, number>();
  const epochOf = (day: string): number => {
    let e = dayCache.get(day);
    if (e === undefined) {
      e = !isDay(day) ? NOT_A_DAY : today !== null && day >= today ? NOT_PAST : toEpochDay(day);
      if (dayCache.size < 100_000) dayCache.set(day, e);
    }
    return e;
  };
  const report = (lineNo: number, msg: string) => {
    bad++;
    if (errors.length < MAX_REPORTED) errors.push(`line ${lineNo}: ${msg}`);
  };
  forEachLine(
    path,
    (line, lineNo) => {
      if (lineNo === 1) {
        cols = readHeader(line);
        return;
      }
      if (line.trim() === '') return;
      const c = cols as Columns;
      const f = splitCsvLine(line);
      if (f.length <= Math.max(c.day, c.logId, c.bytes) || f.length > c.count) {
        report(lineNo, `expected ${c.count} columns like the header, found ${f.length}`);
        return;
      }
      const day = (f[c.day] ?? '').trim();
      const logId = (f[c.logId] ?? '').trim();
      const bytes = (f[c.bytes] ?? '').trim();
      const epoch = epochOf(day);
      if (epoch === NOT_A_DAY) report(lineNo, `day "${day.slice(0, 40)}" is not a date YYYY-MM-DD`);
      else if (epoch === NOT_PAST) report(lineNo, `day ${day} is today or in the future; only complete past days can be ${done}`);
      else if (logId === '' || logId.length > 200) report(lineNo, 'log_id is empty or longer than 200 characters');
      else if (!BYTES_RE.test(bytes) || !Number.isSafeInteger(Number(bytes)))
        report(lineNo, `bytes "${bytes.slice(0, 40)}" is not a whole non-negative number`);
      else if (!pairs.add(logId, epoch)) report(lineNo, `log ${logId.slice(0, 60)} appears twice on ${day}`);
      else {
        count++;
        if (minDay === null || day < minDay) minDay = day;
        if (maxDay === null || day > maxDay) maxDay = day;
        let name: string | undefined;
        if (c.name >= 0 && !names.has(logId)) {
          const n = (f[c.name] ?? '').trim();
          if (n) {
            name = n.slice(0, 1000);
            names.set(logId, name);
          }
        }
        if (bad === 0) onRow?.({ day, epoch, logId, bytes: Number(bytes), name });
      }
    },
    (read) => opts.progress?.(read / Math.max(1, size)),
  );
  if (!cols) throw new AppError('IMPORT_INVALID', `${path} is empty: it needs a header line day,log_id,bytes and rows.`);
  if (bad > 0) {
    const more = bad > errors.length ? `\n  … and ${bad - errors.length} more bad rows` : '';
    throw new AppError(
      'IMPORT_INVALID',
      `${path} has ${bad} bad row(s); nothing was ${done}. Fix them and ${again}:\n  ${errors.join('\n  ')}${more}`,
    );
  }
  if (count === 0 || minDay === null || maxDay === null) {
    throw new AppError('IMPORT_INVALID', `${path} has a header but no rows; nothing was ${done}.`);
  }
  return { rows: count, from: minDay, to: maxDay, names, columns: cols };
}

/**
 * Reads a usage CSV into a calendar-aligned history, through the one usage-file reader (`checkUsageCsv`:
 * import's row checks, IMPORT_INVALID on a bad row). Every day from the file's first to its last day is
 * observed; a log without a row on a day used 0 bytes. Unlike `import`, any date is accepted: nothing is stored.
 */
export function readCsvHistory(path: string, progress?: (fraction: number) => void): History {
  const ids = new Map<string, number>();
  const idList: string[] = [];
  let cap = 1 << 16;
  let rowDay = new Int32Array(cap);
  let rowLog = new Int32Array(cap);
  let rowBytes = new Float64Array(cap);
  let rows = 0;
  const grow = () => {
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
  };
  const file = checkUsageCsv(path, {
    today: null,
    done: 'replayed',
    progress,
    onRow: (r) => {
      let li = ids.get(r.logId);
      if (li === undefined) {
        li = idList.length;
        ids.set(r.logId, li);
        idList.push(r.logId);
      }
      if (rows === cap) grow();
      rowDay[rows] = r.epoch;
      rowLog[rows] = li;
      rowBytes[rows] = r.bytes;
      rows++;
    },
  });
  const minE = toEpochDay(file.from as Day);
  const days = daysInRange(file.from as Day, file.to as Day);
  const observed = new Uint8Array(days.length).fill(1);
  const logs: HistoryLog[] = idList.map((id) => ({
    id,
    name: file.names.get(id) || `unknown log ${id}`,
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
