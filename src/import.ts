/**
 * import FILE.csv: `day,log_id,bytes` with an optional `log_name` column, header required.
 * Two passes over the file: the first checks every row (`checkUsageCsv`, reporting each bad row with its
 * line number), the second writes everything in one transaction. Memory stays flat: rows are streamed.
 * Every day from the file's first to its last day counts as observed (a log without a row on a
 * day used 0 bytes), matching how usage exports list only non-zero entries.
 */
import { statSync } from 'node:fs';
import { type Day, daysInRange, utcDayOf } from './days.js';
import { AppError, describeError } from './errors.js';
import type { Db } from './store/db.js';
import { finishRun, startRun } from './store/runs.js';
import { writeImport } from './store/usage.js';
import { checkUsageCsv, forEachLine, splitCsvLine } from './usage-csv.js';

export interface ImportResult {
  rows: number;
  logs: number;
  days: number;
  from: Day | null;
  to: Day | null;
}

export function runImport(
  db: Db,
  path: string,
  opts: { now: () => Date; progress?: (fraction: number, phase: string) => void },
): ImportResult {
  const today = utcDayOf(opts.now());
  const checked = checkUsageCsv(path, { today, progress: (f) => opts.progress?.(f, 'checking') });
  const minDay = checked.from as Day;
  const maxDay = checked.to as Day;
  const names = checked.names;
  const size = statSync(path).size;
  const days = daysInRange(minDay, maxDay);
  const started = opts.now();
  const runId = startRun(db, 'import', started, { windowFrom: minDay, windowTo: maxDay });
  try {
    const c = checked.columns;
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
