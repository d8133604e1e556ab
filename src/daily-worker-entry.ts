/**
 * Worker side of src/daily-worker.ts: opens its own connection to the parent's database file, runs one job (the daily run
 * exactly as `run-daily` runs it, or the digest preview), posts the result or the error, closes, and ends.
 * Logs and counter increments go to the parent, which writes and counts them.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { previewDigest } from './commands/daily.js';
import { runDaily } from './daily.js';
import type { DailySummary, WorkerInput, WorkerMessage } from './daily-worker.js';
import { AppError, describeError } from './errors.js';
import { type AppContext, createDailyDeps, createLoggerFromSettings } from './main.js';
import type { Counters } from './metrics/counters.js';
import { openDb } from './store/db.js';

const port = parentPort;
if (!port) throw new Error('daily-worker-entry runs in a worker thread only');
const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => port.postMessage(m);

// On Linux the nice value is per thread: the app's thread wins the CPU whenever both want it.
if (process.platform === 'linux') {
  try {
    setPriority(0, 10);
  } catch {
    // Not allowed here: the worker runs at the process's priority.
  }
}

const abort = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'abort') abort.abort();
});

const logger = createLoggerFromSettings(
  { ...input.settings, logLevel: input.logLevel as WorkerInput['settings']['logLevel'] },
  {
    write: (line: string) => post({ type: 'log', line }),
  },
);
const counters: Counters = {
  add: (id, labels = {}, by = 1) => post({ type: 'count', id, labels, by }),
  samples: () => [],
};

async function main(): Promise<void> {
  const db = openDb(input.dbPath);
  const ctx: AppContext = {
    settings: input.settings,
    logger,
    db,
    now: () => new Date(Date.now() + input.clockOffsetMs),
    counters,
    close: () => {
      if (db.open) db.close();
    },
  };
  try {
    if (input.job.kind === 'daily') {
      const r = await runDaily(createDailyDeps(ctx, { dryRun: false }), { day: input.job.day, signal: abort.signal });
      const summary: DailySummary = { day: r.day, runId: r.runId, findings: r.findings.length, queued: r.messages.length };
      post({ type: 'result', value: summary });
    } else {
      post({ type: 'result', value: previewDigest(ctx) });
    }
  } finally {
    ctx.close();
  }
}

try {
  await main();
} catch (err) {
  const e = err instanceof AppError ? err : new AppError('INTERNAL', describeError(err));
  post({ type: 'error', error: { name: e.name, code: e.code, message: e.message, exitCode: e.exitCode } });
}
port.close();
