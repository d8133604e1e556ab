/**
 * `logusage serve` (SPEC §3, §10): the Slack app (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set) and the
 * daily schedule beside it, until SIGTERM/SIGINT; then everything stops cleanly (the schedule, then the app, then
 * the database) and the command returns 0.
 * - The schedule (`createDailyService`) starts once the app listens; `/healthz` reports its health, `/logusage
 *   status` its next run, `/logusage digest` previews the digest, `/logusage refresh` collects now.
 * - The daily run and the digest preview run in a worker thread (src/daily-worker.ts) when the database is a file,
 *   and the Slack thread waits at most SLACK_THREAD_BUSY_TIMEOUT_MS for SQLite's write lock, so the app keeps
 *   answering within Slack's 3 s while the daily work goes on (SPEC §10).
 * - `GET /metrics` (src/metrics/report.ts) reads the store and `ctx.counters`, which serve creates when the context
 *   has none, so the Rapid7 client and the delivery of the daily run count into it.
 * `runServe(ctx, …)` is the same thing without commander or process signals (tests, benches).
 */
import type { Command } from 'commander';
import { describeCollect, runCollect } from '../collect.js';
import { requireSettings } from '../config.js';
import { canRunInWorker, runInWorker, type WorkerDeps } from '../daily-worker.js';
import { previewDigest } from '../digest.js';
import { AppError, describeError } from '../errors.js';
import { type AppContext, createDailyDeps, createRapid7FromSettings } from '../main.js';
import { createCounters } from '../metrics/counters.js';
import { createMetricsReport } from '../metrics/report.js';
import { createDailyService, type DailyService } from '../schedule.js';
import { createSlackApp, type HealthReport, type SlackApp, type SlackAppDeps } from '../slack/app.js';
import { SLACK_THREAD_BUSY_TIMEOUT_MS } from '../slack/busy-retry.js';
import type { ServeFeatures } from '../slack/service.js';
import { refreshReadCaches } from '../store/read-caches.js';
import { explainHook } from './daily.js';
import type { CliIo, OpenContext } from './io.js';

export interface ServeOptions {
  /** False: the Slack app alone, no daily schedule (tests of the app's own lifecycle). Default true. */
  schedule?: boolean;
  /** Resolves (with the signal name) when serve should stop. */
  until: Promise<string>;
  /** HTTP port (default PORT; 0 = a free port). */
  port?: number;
  /** Called once the app listens (tests learn the port). */
  onListening?: (info: { port: number | undefined; mode: 'http' | 'socket' }) => void;
  /** Extra app dependencies (tests: Web API client options). */
  appDeps?: Partial<SlackAppDeps>;
}

const STOP_TIMEOUT_MS = 15_000;

/**
 * `/logusage refresh`: a collection with the default window, when a Rapid7 key is configured — in the daily worker
 * when `inWorker` (its parse and write take about a second of CPU at 10,000 logs), else on this thread.
 */
function defaultFeatures(ctx: AppContext, worker?: WorkerDeps): Partial<ServeFeatures> {
  if (!ctx.settings.rapid7.apiKey) return {};
  return {
    refresh: async () => {
      if (worker) return runInWorker(worker, { kind: 'collect' });
      const client = createRapid7FromSettings(ctx.settings, ctx.logger, ctx.counters);
      return describeCollect(await runCollect({ db: ctx.db, client, logger: ctx.logger, now: ctx.now }));
    },
  };
}

async function withTimeout(what: string, p: Promise<void> | void, ctx: AppContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve(p),
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new AppError('INTERNAL', `${what} did not stop within ${STOP_TIMEOUT_MS / 1000} s`)),
          STOP_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (err) {
    ctx.logger.error({ err: describeError(err) }, `${what} failed to stop cleanly`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Runs the Slack app and the background services until `opts.until` resolves. Does not close `ctx`. */
/**
 * What serve runs beside the app: the daily schedule, and the features and health report of the Slack app. The
 * daily run and the digest preview run in a worker thread (src/daily-worker.ts) when the database is a file, so
 * the Slack app keeps answering within Slack's 3 s while they work (SPEC §10).
 */
export function createServeParts(ctx: AppContext): { schedule: DailyService; features: ServeFeatures; health: () => HealthReport } {
  const inWorker = canRunInWorker(ctx.db);
  const workerDeps = {
    settings: ctx.settings,
    db: ctx.db,
    logger: ctx.logger,
    now: ctx.now,
    ...(ctx.counters ? { counters: ctx.counters } : {}),
  };
  const schedule = createDailyService({
    ...createDailyDeps(ctx, { dryRun: false }),
    ...(inWorker ? { run: ({ day, signal }) => runInWorker(workerDeps, { kind: 'daily', day }, { signal }) } : {}),
  });
  return {
    schedule,
    features: {
      ...defaultFeatures(ctx, inWorker ? workerDeps : undefined),
      previewDigest: () => (inWorker ? runInWorker(workerDeps, { kind: 'preview' }) : previewDigest(ctx)),
      ...explainHook(ctx),
      nextRun: () => {
        const n = schedule.health().nextRun;
        return n ? new Date(n) : null;
      },
    },
    health: () => {
      const h = schedule.health();
      return { status: h.status === 'failing' ? 503 : 200, body: { ...h, time: ctx.now().toISOString() } };
    },
  };
}

/** Runs the Slack app and the daily schedule until `opts.until` resolves. Does not close `ctx`. */
export async function runServe(given: AppContext, opts: ServeOptions): Promise<void> {
  const counters = given.counters ?? createCounters();
  const ctx: AppContext = { ...given, counters };
  // The Slack thread waits at most a moment for the write lock (the daily worker or another process may hold
  // it); its changes are tried again on a timer (src/slack/busy-retry.ts).
  ctx.db.pragma(`busy_timeout = ${SLACK_THREAD_BUSY_TIMEOUT_MS}`);
  const parts = opts.schedule === false ? null : createServeParts(ctx);
  const features: ServeFeatures = parts ? parts.features : defaultFeatures(ctx);
  const health = parts?.health;
  const slack: SlackApp = createSlackApp({
    settings: ctx.settings,
    db: ctx.db,
    logger: ctx.logger,
    now: ctx.now,
    features,
    ...(health ? { health } : {}),
    metrics: createMetricsReport({ db: ctx.db, envBudget: ctx.settings.monthlyBudget, counters }),
    port: opts.port ?? ctx.settings.port,
    ...opts.appDeps,
  });
  // The log list and the latest day's ranking are read before the first command, not by it (SPEC §10).
  await refreshReadCaches(ctx.db);
  const info = await slack.start();
  let scheduled = false;
  try {
    if (parts) {
      await parts.schedule.start();
      scheduled = true;
      ctx.logger.info('daily schedule started');
    }
    ctx.logger.info(
      { mode: slack.mode, port: info.port },
      slack.mode === 'http'
        ? `logusage serve: HTTP mode on port ${info.port}; Slack request URL https://<your host>/slack/events; health at /healthz`
        : `logusage serve: Socket Mode${info.port ? `; health at http://localhost:${info.port}/healthz` : ''}`,
    );
    opts.onListening?.({ port: info.port, mode: slack.mode });
    const signal = await opts.until;
    ctx.logger.info({ signal }, 'logusage serve: stopping');
  } finally {
    if (parts && scheduled) await withTimeout('the daily schedule', parts.schedule.stop({ timeoutMs: 12_000 }), ctx);
    await withTimeout('the Slack app', slack.stop(), ctx);
    ctx.logger.info('logusage serve: stopped');
  }
}

/** A `runServe` going on in the background (`startServe`). */
export interface RunningServe {
  /** The HTTP port it listens on (undefined in Socket Mode without PORT). */
  port: number | undefined;
  mode: 'http' | 'socket';
  /** Asks it to stop (as the signal `signal` would) and resolves once it has stopped. */
  stop(signal?: string): Promise<void>;
}

/**
 * `runServe` until `stop()`: resolves once the app listens (rejects when it fails to start). For tests and benches
 * that drive `serve` as it is wired.
 */
export async function startServe(ctx: AppContext, opts: Omit<ServeOptions, 'until' | 'onListening'> = {}): Promise<RunningServe> {
  let stopWith: (signal: string) => void = () => {};
  const until = new Promise<string>((r) => {
    stopWith = r;
  });
  let listening: (info: { port: number | undefined; mode: 'http' | 'socket' }) => void = () => {};
  const started = new Promise<{ port: number | undefined; mode: 'http' | 'socket' }>((r) => {
    listening = r;
  });
  const running = runServe(ctx, { ...opts, until, onListening: (info) => listening(info) });
  const info = await Promise.race([
    started,
    running.then(() => Promise.reject(new AppError('INTERNAL', 'serve stopped before it listened'))),
  ]);
  return {
    ...info,
    stop: async (signal = 'SIGTERM') => {
      stopWith(signal);
      await running;
    },
  };
}

/**
 * `until` resolves with the name of the first SIGTERM/SIGINT; later signals while stopping are only
 * logged (each stop step is bounded by a timeout). `dispose` removes the handlers.
 */
function processSignals(ctx: AppContext): { until: Promise<string>; dispose: () => void } {
  let seen = false;
  let resolveFn: (sig: string) => void = () => {};
  const until = new Promise<string>((resolve) => {
    resolveFn = resolve;
  });
  const on = (sig: string) => {
    if (seen) {
      ctx.logger.warn({ signal: sig }, 'already stopping');
      return;
    }
    seen = true;
    resolveFn(sig);
  };
  const term = () => on('SIGTERM');
  const int = () => on('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  return {
    until,
    dispose: () => {
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
    },
  };
}

export function registerServeCommands(program: Command, io: CliIo, open: OpenContext): void {
  program
    .command('serve')
    .description('run the Slack app (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set) and the daily schedule until SIGTERM/SIGINT')
    .option('--port <port>', 'HTTP port (default PORT, 3000)', (v: string) => {
      if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
        throw new AppError('USAGE', `--port "${v}" is not a port number: write e.g. 3000.`, { exitCode: 2 });
      }
      return Number(v);
    })
    .action(async (o: { port?: number }) => {
      const ctx = open();
      const signals = processSignals(ctx);
      try {
        requireSettings(ctx.settings, ['slackHttp']);
        await runServe(ctx, {
          until: signals.until,
          ...(o.port === undefined ? {} : { port: o.port }),
          onListening: ({ port, mode }) =>
            io.err(`logusage serve: ${mode === 'http' ? `listening on port ${port}` : 'connected in Socket Mode'}\n`),
        });
      } finally {
        signals.dispose();
        ctx.close();
      }
    });
}
