/**
 * import FILE.csv: `day,log_id,bytes` with an optional `log_name` column, header required.
 * Two passes over the file: the first validates every row (reporting each bad row with its line
 * number), the second writes everything in one transaction. Memory stays flat: rows are streamed.
 * Every day from the file's first to its last day counts as observed (a log without a row on a
 * day used 0 bytes), matching how usage exports list only non-zero entries.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type Day, daysInRange, isDay, toEpochDay } from './days.js';
import { AppError, describeError } from './errors.js';
import type { Db } from './store/db.js';
import { finishRun, startRun } from './store/runs.js';
import { writeImport } from './store/usage.js';

export interface ImportResult {
  rows: number;
  logs: number;
  days: number;
  from: Day | null;
  to: Day | null;
}

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

interface Columns {
  day: number;
  logId: number;
  bytes: number;
  name: number;
  count: number;
}

function readHeader(line: string): Columns {
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

export function runImport(
  db: Db,
  path: string,
  opts: { now: () => Date; progress?: (fraction: number, phase: string) => void },
): ImportResult {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new AppError('IMPORT_INVALID', `Cannot read ${path}: the file does not exist or is not readable.`, { exitCode: 1 });
  }
  const today = opts.now().toISOString().slice(0, 10);
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
      e = !isDay(day) ? NOT_A_DAY : day >= today ? NOT_PAST : toEpochDay(day);
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
      else if (epoch === NOT_PAST) report(lineNo, `day ${day} is today or in the future; only complete past days can be imported`);
      else if (logId === '' || logId.length > 200) report(lineNo, 'log_id is empty or longer than 200 characters');
      else if (!BYTES_RE.test(bytes) || !Number.isSafeInteger(Number(bytes)))
        report(lineNo, `bytes "${bytes.slice(0, 40)}" is not a whole non-negative number`);
      else if (!pairs.add(logId, epoch)) report(lineNo, `log ${logId.slice(0, 60)} appears twice on ${day}`);
      else {
        count++;
        if (minDay === null || day < minDay) minDay = day;
        if (maxDay === null || day > maxDay) maxDay = day;
        if (c.name >= 0 && !names.has(logId)) {
          const n = (f[c.name] ?? '').trim();
          if (n) names.set(logId, n.slice(0, 1000));
        }
      }
    },
    (read) => opts.progress?.(read / Math.max(1, size), 'checking'),
  );
  if (!cols) throw new AppError('IMPORT_INVALID', `${path} is empty: it needs a header line day,log_id,bytes and rows.`);
  if (bad > 0) {
    const more = bad > errors.length ? `\n  … and ${bad - errors.length} more bad rows` : '';
    throw new AppError(
      'IMPORT_INVALID',
      `${path} has ${bad} bad row(s); nothing was imported. Fix them and import again:\n  ${errors.join('\n  ')}${more}`,
    );
  }
  if (count === 0 || minDay === null || maxDay === null) {
    throw new AppError('IMPORT_INVALID', `${path} has a header but no rows; nothing was imported.`);
  }
  const days = daysInRange(minDay, maxDay);
  const started = opts.now();
  const runId = startRun(db, 'import', started, { windowFrom: minDay, windowTo: maxDay });
  try {
    const c = cols as Columns;
    const written = writeImport(db, {
      days,
      names,
      now: started.toISOString(),
      each: (emit) => {
        forEachLine(
          path,
          (line, lineNo) => {
            if (lineNo === 1 || line.trim() === '') return;
            const f = splitCsvLine(line);
            emit((f[c.logId] ?? '').trim(), (f[c.day] ?? '').trim(), Number((f[c.bytes] ?? '').trim()));
          },
          (read) => opts.progress?.(read / Math.max(1, size), 'writing'),
        );
      },
    });
    finishRun(db, runId, opts.now(), { status: 'ok', details: { rows: written.rows, logs: written.logs, days: days.length } });
    return { rows: written.rows, logs: written.logs, days: days.length, from: minDay, to: maxDay };
  } catch (err) {
    const e =
      err instanceof AppError
        ? err
        : new AppError('DB_WRITE', `Import failed while writing: ${describeError(err)}. Nothing was imported; check disk space.`, {
            cause: err,
          });
    try {
      finishRun(db, runId, opts.now(), { status: 'failed', errorCode: e.code, error: e.message });
    } catch {
      // The database refused even the run record; the error below says what failed first.
    }
    throw e;
  }
}
