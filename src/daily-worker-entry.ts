/**
 * The daily worker process (src/daily-worker.ts): receives one job over IPC, opens its own connection to the
 * parent's database file, runs it (the daily run exactly as `run-daily` runs it, the digest preview, or the
 * collection of `/logusage refresh`), sends the result or the error, closes, and exits. Logs and counter increments
 * go to the parent, which writes and counts them.
 */
import { describeCollect, runCollect } from './collect.js';
import { runDaily } from './daily.js';
import type { DailySummary, WorkerInput, WorkerMessage } from './daily-worker.js';
import { previewDigest } from './digest.js';
import { toWireError } from './errors.js';
import { type AppContext, createDailyDeps, createLoggerFromSettings, createRapid7FromSettings } from './main.js';
import type { Counters } from './metrics/counters.js';
import { openDb } from './store/db.js';

if (!process.send) throw new Error('daily-worker-entry runs as the daily worker of `serve` only (it needs an IPC channel)');
const post = (m: WorkerMessage, then?: () => void) => {
  process.send?.(m, undefined, undefined, then);
};
const abort = new AbortController();

async function run(input: WorkerInput): Promise<void> {
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
      return finish({ type: 'result', value: summary });
    }
    if (input.job.kind === 'collect') {
      const client = createRapid7FromSettings(ctx.settings, logger, counters);
      return finish({ type: 'result', value: describeCollect(await runCollect({ db, client, logger, now: ctx.now })) });
    }
    return finish({ type: 'result', value: previewDigest(ctx) });
  } finally {
    ctx.close();
  }
}

/** Sends the last message, then exits (whatever timers or sockets are still open: the job is over). */
function finish(m: WorkerMessage): void {
  post(m, () => process.exit(0));
}

process.on('message', (m: { type: string; input?: WorkerInput }) => {
  if (m.type === 'abort') abort.abort();
  if (m.type !== 'job' || !m.input) return;
  run(m.input).catch((err: unknown) => finish({ type: 'error', error: toWireError(err) }));
});
// The parent went away: nothing to report to.
process.on('disconnect', () => process.exit(1));
