/**
 * The ONE reader of usage files: `day,log_id,bytes` with an optional `log_name` column, header required
 * (`import` and `backtest --input` both read through it, so both apply the same row checks and answer with
 * the same error code, IMPORT_INVALID). Rows are streamed: memory stays flat however long the file.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type Day, daysInRange, isDay, toEpochDay } from './days.js';
import { fillOrgFromLogs, firstPositive, type History, type HistoryLog } from './detect/backtest.js';
import { NEVER } from './detect/log-rules.js';
import { AppError } from './errors.js';

/**
 * Calls `onLine(buf, start, end, lineNo)` for every line of the file: its bytes are `buf[start … end)`, without
 * the `\n` or `\r\n` ending (1-based numbers; a last line without an ending counts). The file is read in 1 MiB
 * chunks; a line across two chunks is moved to the front and completed (the buffer grows for a longer line).
 * `buf` is reused: a line's bytes are valid only during its call.
 */
export function forEachLineBytes(
  path: string,
  onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void,
  onProgress?: (bytesRead: number) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(1 << 20);
    let kept = 0;
    let lineNo = 0;
    let total = 0;
    for (;;) {
      if (kept === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, kept);
        buf = bigger;
      }
      const n = readSync(fd, buf, kept, buf.length - kept, null);
      if (n === 0) break;
      total += n;
      const filled = kept + n;
      let start = 0;
      for (let i = buf.indexOf(10, kept); i !== -1 && i < filled; i = buf.indexOf(10, start)) {
        lineNo++;
        onLine(buf, start, i > start && buf[i - 1] === 13 ? i - 1 : i, lineNo);
        start = i + 1;
        if (start >= filled) break;
      }
      kept = filled - start;
      if (kept > 0 && start > 0) buf.copy(buf, 0, start, filled);
      onProgress?.(total);
    }
    if (kept > 0) onLine(buf, 0, buf[kept - 1] === 13 ? kept - 1 : kept, lineNo + 1);
  } finally {
    closeSync(fd);
  }
}

/** Calls `onLine(line, lineNo)` for every line of the file, decoded from UTF-8 (`forEachLineBytes`' lines). */
export function forEachLine(path: string, onLine: (line: string, lineNo: number) => void, onProgress?: (bytesRead: number) => void): void {
  forEachLineBytes(path, (buf, start, end, lineNo) => onLine(buf.toString('utf8', start, end), lineNo), onProgress);
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
  /** The log id as UTF-8 bytes (a row's id field is compared to it without making a string). */
  readonly utf8: Buffer;
  base: number;
  bits: Uint8Array;
  named: boolean;
  /** The log of the good row that followed this log (files repeat one order of logs every day). */
  next: SeenLog | undefined;
}

/**
 * The (log, day) pairs already seen, in about one bit per day of each log's span of days: 10,000 logs
 * over a year take ~0.5 MB where a Set of strings would take hundreds. One lookup per row finds the log.
 */
function createPairSet(): {
  /** The log of this id, added (with the next index) when new. */
  entry(log: string, epochDay: number): SeenLog;
  /** Adds the pair; false when it was there already. */
  mark(e: SeenLog, epochDay: number): boolean;
  ids: string[];
} {
  const byLog = new Map<string, SeenLog>();
  const ids: string[] = [];
  return {
    ids,
    entry(log, epochDay) {
      let e = byLog.get(log);
      if (!e) {
        const base = epochDay - (((epochDay % 8) + 8) % 8);
        e = { index: ids.length, utf8: Buffer.from(log), base, bits: new Uint8Array(64), named: false, next: undefined };
        byLog.set(log, e);
        ids.push(log);
      }
      return e;
    },
    mark(e, epochDay) {
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
      return !seen;
    },
  };
}

/** True when buf[start … end) holds exactly the first `n` bytes of `b` (all of it by default). */
function sameBytes(b: Buffer, buf: Buffer, start: number, end: number, n = b.length): boolean {
  if (end - start !== n) return false;
  for (let i = 0; i < n; i++) if (b[i] !== buf[start + i]) return false;
  return true;
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
  /** A good row: counted, its days and name noted, handed to `onRow` (`name`: its name field while the log has none). */
  const keep = (log: SeenLog, epoch: number, day: string, bytes: number, name: string | null) => {
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
    if (name) {
      names.set(pairs.ids[log.index] as string, name.slice(0, 1000));
      log.named = true;
    }
    if (bad === 0) onRow?.(log.index, epoch, bytes);
  };
  const f: string[] = [];
  /** Any line, as text: the header, a bad row (reported), or a row the byte path below leaves to it. */
  const checkLine = (line: string, lineNo: number) => {
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
      const log = pairs.entry(logId, epoch);
      if (!pairs.mark(log, epoch)) {
        report(lineNo, `log ${logId.slice(0, 60)} appears twice on ${day}`);
        return;
      }
      keep(log, epoch, day, Number(bytes), c.name >= 0 && !log.named ? (c.name < n ? (f[c.name] as string).trim() : '') : null);
    }
  };
  // The byte path: a row of printable ASCII without quotes or spaces (nothing to trim or unquote) that passes
  // every check is kept without making strings of its fields; any other line goes to checkLine, which applies
  // the checks and words the messages. The same rows are kept, in the same order, with the same values.
  const starts = new Int32Array(64);
  const ends = new Int32Array(64);
  const dayBytes = Buffer.alloc(64);
  let dayLength = -1;
  let fastDay = '';
  let fastEpoch = NOT_A_DAY;
  let prev: SeenLog | undefined;
  let firstLog: SeenLog | undefined;
  const byteRow = (buf: Buffer, s: number, e: number): boolean => {
    const c = cols as Columns;
    if (c.count > starts.length) return false;
    let k = 0;
    let from = s;
    for (let i = s; i < e; i++) {
      const b = buf[i] as number;
      if (b === 44) {
        if (k + 1 >= c.count) return false;
        starts[k] = from;
        ends[k++] = i;
        from = i + 1;
      } else if (b < 0x21 || b > 0x7e || b === 0x22) return false;
    }
    starts[k] = from;
    ends[k++] = e;
    if (k <= Math.max(c.day, c.logId, c.bytes)) return false;
    // Bytes: 1–15 digits (below 2^53, so the sum is exact and equals Number(text)).
    const bs = starts[c.bytes] as number;
    const be = ends[c.bytes] as number;
    if (be - bs < 1 || be - bs > 15) return false;
    let bytes = 0;
    for (let i = bs; i < be; i++) {
      const d = (buf[i] as number) - 48;
      if (d < 0 || d > 9) return false;
      bytes = bytes * 10 + d;
    }
    const ls = starts[c.logId] as number;
    const le = ends[c.logId] as number;
    if (le === ls || le - ls > 200) return false;
    const ds = starts[c.day] as number;
    const de = ends[c.day] as number;
    if (de - ds > dayBytes.length) return false;
    if (!sameBytes(dayBytes, buf, ds, de, dayLength)) {
      fastDay = buf.toString('latin1', ds, de);
      fastEpoch = epochOf(fastDay);
      dayLength = buf.copy(dayBytes, 0, ds, de);
    }
    if (fastEpoch === NOT_A_DAY || fastEpoch === NOT_PAST) return false;
    // The log that followed the previous row's log last time, or up to 3 logs after it (a day without rows for a
    // few logs keeps the order learnt); else the lookup by id, and the order learnt anew.
    let log = prev ? prev.next : firstLog;
    for (let k = 0; log && k < 4 && !sameBytes(log.utf8, buf, ls, le); k++) log = k < 3 ? log.next : undefined;
    if (!log) {
      log = pairs.entry(buf.toString('latin1', ls, le), fastEpoch);
      if (prev) prev.next = log;
      else firstLog = log;
    }
    if (!pairs.mark(log, fastEpoch)) return false;
    prev = log;
    const name = c.name >= 0 && !log.named ? (c.name < k ? buf.toString('latin1', starts[c.name], ends[c.name]) : '') : null;
    keep(log, fastEpoch, fastDay, bytes, name);
    return true;
  };
  forEachLineBytes(
    path,
    (buf, s, e, lineNo) => {
      if (lineNo === 1 || !byteRow(buf, s, e)) checkLine(buf.toString('utf8', s, e), lineNo);
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
