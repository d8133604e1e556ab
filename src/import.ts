/**
 * import FILE.csv: `day,log_id,bytes` with an optional `log_name` column, header required.
 * Two passes over the file: the first validates every row (reporting each bad row with its line
 * number), the second writes everything in one transaction. Memory stays flat: rows are streamed.
 * Every day from the file's first to its last day counts as observed (a log without a row on a
 * day used 0 bytes), matching how usage exports list only non-zero entries.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type Day, daysInRange, isDay } from './days.js';
import { AppError } from './errors.js';
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

/** Calls `onLine(line, lineNo)` for every line of the file, reading in 1 MiB chunks. */
export function forEachLine(path: string, onLine: (line: string, lineNo: number) => void, onProgress?: (bytesRead: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let rest = '';
    let lineNo = 0;
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      const chunk = rest + buf.toString('utf8', 0, n);
      let start = 0;
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', start)) {
        lineNo++;
        const line = chunk.charCodeAt(i - 1) === 13 ? chunk.slice(start, i - 1) : chunk.slice(start, i);
        onLine(line, lineNo);
        start = i + 1;
      }
      rest = chunk.slice(start);
      onProgress?.(total);
    }
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
  const seenKeys = new Set<string>();
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
      if (f.length < 3 || f.length > c.count) {
        report(lineNo, `expected ${c.count} columns, found ${f.length}`);
        return;
      }
      const day = (f[c.day] ?? '').trim();
      const logId = (f[c.logId] ?? '').trim();
      const bytes = (f[c.bytes] ?? '').trim();
      if (!isDay(day)) report(lineNo, `day "${day.slice(0, 40)}" is not a date YYYY-MM-DD`);
      else if (day >= today) report(lineNo, `day ${day} is today or in the future; only complete past days can be imported`);
      else if (logId === '' || logId.length > 200) report(lineNo, 'log_id is empty or longer than 200 characters');
      else if (!BYTES_RE.test(bytes) || !Number.isSafeInteger(Number(bytes)))
        report(lineNo, `bytes "${bytes.slice(0, 40)}" is not a whole non-negative number`);
      else {
        const key = `${logId}\u0000${day}`;
        if (seenKeys.has(key)) {
          report(lineNo, `log ${logId.slice(0, 60)} appears twice on ${day}`);
          return;
        }
        seenKeys.add(key);
        count++;
        if (minDay === null || day < minDay) minDay = day;
        if (maxDay === null || day > maxDay) maxDay = day;
        if (c.name >= 0) {
          const n = (f[c.name] ?? '').trim();
          if (n && !names.has(logId)) names.set(logId, n.slice(0, 1000));
        }
      }
    },
    (read) => opts.progress?.(read / Math.max(1, size), 'checking'),
  );
  seenKeys.clear();
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
    finishRun(db, runId, opts.now(), { status: 'failed', errorCode: 'DB_WRITE', error: String((err as Error).message ?? err) });
    if (err instanceof AppError) throw err;
    throw new AppError('DB_WRITE', `Import failed while writing: ${(err as Error).message}. Nothing was imported; check disk space.`, {
      cause: err,
    });
  }
}
