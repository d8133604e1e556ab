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

/**
 * `splitCsvLine(line)` into `out` (reused from line to line; entries from `count` on are stale), returning the
 * count: a line without quotes is cut with indexOf, about 3× faster than `split` on millions of rows.
 */
function splitInto(line: string, out: string[]): number {
  if (line.includes('"')) {
    const f = splitCsvLine(line);
    for (let k = 0; k < f.length; k++) out[k] = f[k] as string;
    return f.length;
  }
  let start = 0;
  let k = 0;
  for (let i = line.indexOf(','); i !== -1; i = line.indexOf(',', start)) {
    out[k++] = line.slice(start, i);
    start = i + 1;
  }
  out[k++] = line.slice(start);
  return k;
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

/** One log of a usage file: its place in order of first good row, the days seen, whether it has its name. */
interface SeenLog {
  readonly index: number;
  base: number;
  bits: Uint8Array;
  named: boolean;
}

/**
 * The (log, day) pairs already seen, in about one bit per day of each log's span of days: 10,000 logs
 * over a year take ~0.5 MB where a Set of strings would take hundreds. One lookup per row finds the log.
 */
function createPairSet(): { add(log: string, epochDay: number): SeenLog | null; ids: string[] } {
  const byLog = new Map<string, SeenLog>();
  const ids: string[] = [];
  return {
    ids,
    /** Adds the pair and returns its log; null when the pair was there already. */
    add(log, epochDay) {
      let e = byLog.get(log);
      if (!e) {
        e = { index: ids.length, base: epochDay - (((epochDay % 8) + 8) % 8), bits: new Uint8Array(64), named: false };
        byLog.set(log, e);
        ids.push(log);
      }
      let i = epochDay - e.base;
      if (i < 0 || i >= e.bits.length * 8) {
        const lo = Math.min(e.base, epochDay - (((epochDay % 8) + 8) % 8));
        const hi = Math.max(e.base + e.bits.length * 8, epochDay + 1);
        const bits = new Uint8Array(Math.max(e.bits.length * 2, Math.ceil((hi - lo) / 8)));
        bits.set(e.bits, (e.base - lo) / 8);
        e.base = lo;
        e.bits = bits;
        i = epochDay - lo;
      }
      const byte = i >> 3;
      const mask = 1 << (i & 7);
      const seen = ((e.bits[byte] as number) & mask) !== 0;
      e.bits[byte] = (e.bits[byte] as number) | mask;
      return seen ? null : e;
    },
  };
}

export interface UsageCsvSummary {
  rows: number;
  from: Day | null;
  to: Day | null;
  /** log id → the first non-empty log_name of the file (at most 1,000 characters). */
  names: Map<string, string>;
  /** The log ids in order of their first good row (`onRow`'s log index). */
  ids: string[];
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
    /**
     * Each good row: `log` is the log's index in `ids` (order of first good row), `epoch` is
     * `toEpochDay(day)`, `bytes` whole bytes. Positional, so that millions of rows allocate nothing.
     */
    onRow?: (log: number, epoch: number, bytes: number) => void;
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
  let minEpoch = Number.POSITIVE_INFINITY;
  let maxEpoch = Number.NEGATIVE_INFINITY;
  let count = 0;
  const names = new Map<string, string>();
  const pairs = createPairSet();
  // Files repeat the same few hundred days: each distinct text is checked once.
  const NOT_A_DAY = Number.NEGATIVE_INFINITY;
  const NOT_PAST = Number.POSITIVE_INFINITY;
  const dayCache = new Map<string, number>();
  // Rows come grouped by day: the last day's text is compared before the map is asked.
  let lastDay = '';
  let lastEpoch = NOT_A_DAY;
  const epochOf = (day: string): number => {
    if (day === lastDay) return lastEpoch;
    let e = dayCache.get(day);
    if (e === undefined) {
      e = !isDay(day) ? NOT_A_DAY : today !== null && day >= today ? NOT_PAST : toEpochDay(day);
      if (dayCache.size < 100_000) dayCache.set(day, e);
    }
    lastDay = day;
    lastEpoch = e;
    return e;
  };
  const report = (lineNo: number, msg: string) => {
    bad++;
    if (errors.length < MAX_REPORTED) errors.push(`line ${lineNo}: ${msg}`);
  };
  const f: string[] = [];
  forEachLine(
    path,
    (line, lineNo) => {
      if (lineNo === 1) {
        cols = readHeader(line);
        return;
      }
      if (line.trim() === '') return;
      const c = cols as Columns;
      const n = splitInto(line, f);
      if (n <= Math.max(c.day, c.logId, c.bytes) || n > c.count) {
        report(lineNo, `expected ${c.count} columns like the header, found ${n}`);
        return;
      }
      const day = (f[c.day] as string).trim();
      const logId = (f[c.logId] as string).trim();
      const bytes = (f[c.bytes] as string).trim();
      const epoch = epochOf(day);
      if (epoch === NOT_A_DAY) report(lineNo, `day "${day.slice(0, 40)}" is not a date YYYY-MM-DD`);
      else if (epoch === NOT_PAST) report(lineNo, `day ${day} is today or in the future; only complete past days can be ${done}`);
      else if (logId === '' || logId.length > 200) report(lineNo, 'log_id is empty or longer than 200 characters');
      else if (!BYTES_RE.test(bytes) || !Number.isSafeInteger(Number(bytes)))
        report(lineNo, `bytes "${bytes.slice(0, 40)}" is not a whole non-negative number`);
      else {
        const log = pairs.add(logId, epoch);
        if (log === null) {
          report(lineNo, `log ${logId.slice(0, 60)} appears twice on ${day}`);
          return;
        }
        count++;
        // Days are canonical YYYY-MM-DD (isDay): the epoch order is their order.
        if (epoch < minEpoch) {
          minEpoch = epoch;
          minDay = day;
        }
        if (epoch > maxEpoch) {
          maxEpoch = epoch;
          maxDay = day;
        }
        if (c.name >= 0 && !log.named) {
          const name = c.name < n ? (f[c.name] as string).trim() : '';
          if (name) {
            names.set(logId, name.slice(0, 1000));
            log.named = true;
          }
        }
        if (bad === 0) onRow?.(log.index, epoch, Number(bytes));
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
  return { rows: count, from: minDay, to: maxDay, names, ids: pairs.ids, columns: cols };
}

/**
 * Reads a usage CSV into a calendar-aligned history, through the one usage-file reader (`checkUsageCsv`:
 * import's row checks, IMPORT_INVALID on a bad row). Every day from the file's first to its last day is
 * observed; a log without a row on a day used 0 bytes. Unlike `import`, any date is accepted: nothing is stored.
 */
export function readCsvHistory(path: string, progress?: (fraction: number) => void): History {
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
    onRow: (log, epoch, bytes) => {
      if (rows === cap) grow();
      rowDay[rows] = epoch;
      rowLog[rows] = log;
      rowBytes[rows] = bytes;
      rows++;
    },
  });
  const minE = toEpochDay(file.from as Day);
  const days = daysInRange(file.from as Day, file.to as Day);
  const observed = new Uint8Array(days.length).fill(1);
  const logs: HistoryLog[] = file.ids.map((id) => ({
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
