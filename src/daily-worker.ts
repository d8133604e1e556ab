/**
 * The daily work of `serve` off the Slack app's process (SPEC §10: the daily work never makes Slack's 3-second acks
 * late). A job — one daily run, or the digest preview — runs in a child process of its own (the daily worker) with
 * its own SQLite connection to the same file (WAL: the app keeps reading while the worker writes), and ends with the
 * job: no per-run state (history matrices, chart buffers, caches) outlives it, and all of its memory goes back to the
 * system when it exits, so the app's process stays flat. The run itself is `runDaily` unchanged: the lease (owned by
 * the worker's pid, so a killed worker's lease is taken over at once), the run record and the outbox are the same rows.
 *
 * Across the boundary (IPC, never argv or the environment: the settings hold the keys): settings, the database file
 * and the job go in the first message; the worker's log lines come back and are written by this process's logger; its
 * counter increments are added to this process's counters (GET /metrics); errors come back as AppError with their
 * code (LOCKED, RunInterruptedError …). The clock is passed as an offset from the wall clock at the start of the job
 * (`now` may be a simulated day). The worker runs at nice 10, so the app wins the CPU whenever both want it.
 *
 * Entry: `daily-worker-entry.js` beside this file in `dist/`, started by `forkEntry` (src/fork-entry.ts).
 */
import type { ChildProcess } from 'node:child_process';
import type { Settings } from './config.js';
import { RunInterruptedError } from './daily.js';
import type { Day } from './days.js';
import { AppError, describeError, fromWireError, type WireError } from './errors.js';
import { forkEntry } from './fork-entry.js';
import type { Logger } from './logger.js';
import type { CounterId, Counters, Labels } from './metrics/counters.js';
import type { SlackMessage } from './slack/block-kit.js';
import type { Db } from './store/db.js';

/** daily: the daily run of a day; preview: the digest preview; collect: `/logusage refresh`'s collection. */
export type WorkerJob = { kind: 'daily'; day: Day } | { kind: 'preview' } | { kind: 'collect' };
export type WorkerJobResult<J extends WorkerJob> = J extends { kind: 'daily' }
  ? DailySummary
  : J extends { kind: 'preview' }
    ? SlackMessage
    : string;

/** What a daily run in the worker reports back (the rows it wrote are in the database). */
export interface DailySummary {
  day: Day;
  runId: number | null;
  findings: number;
  queued: number;
}

export interface WorkerInput {
  settings: Settings;
  /** File of the database the parent's connection has open (the worker opens its own connection to it). */
  dbPath: string;
  job: WorkerJob;
  /** `now()` of the job minus the wall clock, ms. */
  clockOffsetMs: number;
  /** Level of this process's logger (the worker logs nothing below it). */
  logLevel: string;
}

export type WorkerMessage =
  | { type: 'log'; line: string }
  | { type: 'count'; id: CounterId; labels: Labels; by: number }
  | { type: 'result'; value: unknown }
  | { type: 'error'; error: WireError };

export interface WorkerDeps {
  settings: Settings;
  /** The parent's connection: the worker opens the same file. */
  db: Db;
  logger: Logger;
  now: () => Date;
  counters?: Counters;
}

/** How long a job may go on after a shutdown asked it to stop before the worker is killed, ms. */
const ABORT_GRACE_MS = 10_000;

/** Whether jobs can run in the worker: it opens the connection's database file (an in-memory database has none). */
export function canRunInWorker(db: Db): boolean {
  return !db.memory && db.name !== '' && db.name !== ':memory:';
}

function relog(logger: Logger, line: string): void {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    logger.info({ worker: 'daily' }, line.trim());
    return;
  }
  const { level, time: _time, name: _name, msg, ...rest } = o;
  const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
  const fn = (label && label in logger ? logger[label as 'info'] : logger.info).bind(logger);
  fn({ ...rest, worker: 'daily' }, typeof msg === 'string' ? msg : '');
}

function toError(e: WireError): AppError {
  if (e.name === 'RunInterruptedError') {
    const err = new RunInterruptedError('next');
    err.message = e.message;
    return err;
  }
  return fromWireError(e);
}

/** Runs `job` in a fresh worker process; resolves with its result, rejects with its AppError. */
export function runInWorker<J extends WorkerJob>(
  deps: WorkerDeps,
  job: J,
  opts: { signal?: AbortSignal } = {},
): Promise<WorkerJobResult<J>> {
  const input: WorkerInput = {
    settings: deps.settings,
    dbPath: deps.db.name,
    job,
    clockOffsetMs: deps.now().getTime() - Date.now(),
    logLevel: deps.logger.level,
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const worker = forkEntry('daily-worker-entry');
    const send = (m: unknown) => {
      if (worker.connected) worker.send(m as Parameters<ChildProcess['send']>[0]);
    };
    const onAbort = () => {
      send({ type: 'abort' });
      killTimer = setTimeout(() => {
        deps.logger.warn({ graceMs: ABORT_GRACE_MS }, 'the daily worker did not stop after the shutdown request; killing it');
        worker.kill('SIGKILL');
      }, ABORT_GRACE_MS);
      killTimer.unref();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      fn();
    };
    send({ type: 'job', input });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'log') relog(deps.logger, m.line);
      else if (m.type === 'count') deps.counters?.add(m.id, m.labels, m.by);
      else if (m.type === 'result') done(() => resolve(m.value as WorkerJobResult<J>));
      else if (m.type === 'error') done(() => reject(toError(m.error)));
    });
    worker.on('error', (err) =>
      done(() => reject(new AppError('INTERNAL', `The daily worker failed: ${describeError(err)}`, { cause: err }))),
    );
    worker.on('exit', (code, signal) =>
      done(() =>
        reject(
          opts.signal?.aborted
            ? new RunInterruptedError('next')
            : new AppError('INTERNAL', `The daily worker exited (${signal ?? `code ${code}`}) before it finished its job.`),
        ),
      ),
    );
  });
}
