/**
 * `logusage serve`: the Slack app (HTTP mode, or Socket Mode when SLACK_APP_TOKEN is set) plus
 * background services, until SIGTERM/SIGINT; then everything stops cleanly (services in reverse
 * order, then the app, then the database) and the command returns 0.
 *
 * HOOK FOR OTHER AREAS (the daily schedule, the outbox sender, the digest preview …): pass
 * `ServeExtension`s as the 4th argument of `registerServeCommands` in src/cli.ts:
 *
 *     registerServeCommands(program, io, open, [createScheduleServeExtension]);
 *
 * An extension is called once with the opened context (settings, logger, db, now) before the app
 * starts, and returns any of:
 *   - `services`: `BackgroundService[]` — `start()` runs after the Slack app listens (in order);
 *     `stop()` runs on shutdown before the app stops (reverse order; each awaited, at most 15 s).
 *   - `hooks`: `Partial<SlackHooks>` (src/slack/service.ts) — `previewDigest()` for `/logusage digest`,
 *     `refresh({ actor })` for `/logusage refresh`,
 *     `nextRun()` for `/logusage status`.
 *     Later extensions override earlier ones; serve's own default `refresh` runs `collect`.
 *   - `health`: `() => HealthReport` — the body of `GET /healthz` (default: the newest run).
 * `GET /metrics` (src/metrics/report.ts) reads the store and `ctx.counters`, which serve creates when the
 * context has none, so the Rapid7 client and the delivery built by extensions count into it.
 * `runServe(ctx, …)` is the same thing without commander or process signals (tests, the demo).
 */
import type { Command } from 'commander';
import { runCollect } from '../collect.js';
import { requireSettings } from '../config.js';
import { AppError, describeError } from '../errors.js';
import { type AppContext, createRapid7FromSettings } from '../main.js';
import { createCounters } from '../metrics/counters.js';
import { createMetricsReport } from '../metrics/report.js';
import { createSlackApp, type HealthReport, type SlackApp, type SlackAppDeps } from '../slack/app.js';
import type { SlackHooks } from '../slack/service.js';
import type { CliIo, OpenContext } from './io.js';

export interface BackgroundService {
  /** Shown in logs. */
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ServePlugin {
  services?: BackgroundService[];
  hooks?: Partial<SlackHooks>;
  health?: () => HealthReport;
}

export type ServeExtension = (ctx: AppContext) => ServePlugin;

export interface ServeOptions {
  extensions?: ServeExtension[];
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

/** The default `refresh`: a collection with the default window, when a Rapid7 key is configured. */
function defaultHooks(ctx: AppContext): Partial<SlackHooks> {
  if (!ctx.settings.rapid7.apiKey) return {};
  return {
    refresh: async () => {
      const client = createRapid7FromSettings(ctx.settings, ctx.logger, ctx.counters);
      const r = await runCollect({ db: ctx.db, client, logger: ctx.logger, now: ctx.now });
      return `Collected ${r.window.from} … ${r.window.to}: ${r.usageRows} values for ${r.logs} logs${r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}, see the logs)` : ''}.`;
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
export async function runServe(given: AppContext, opts: ServeOptions): Promise<void> {
  const counters = given.counters ?? createCounters();
  const ctx: AppContext = { ...given, counters };
  const plugins = (opts.extensions ?? []).map((e) => e(ctx));
  const hooks: SlackHooks = Object.assign({}, defaultHooks(ctx), ...plugins.map((p) => p.hooks ?? {}));
  const health = plugins.reduce<(() => HealthReport) | undefined>((h, p) => p.health ?? h, undefined);
  const services = plugins.flatMap((p) => p.services ?? []);
  const slack: SlackApp = createSlackApp({
    settings: ctx.settings,
    db: ctx.db,
    logger: ctx.logger,
    now: ctx.now,
    hooks,
    ...(health ? { health } : {}),
    metrics: createMetricsReport({ db: ctx.db, envBudget: ctx.settings.monthlyBudget, counters }),
    port: opts.port ?? ctx.settings.port,
    ...opts.appDeps,
  });
  const info = await slack.start();
  const started: BackgroundService[] = [];
  try {
    for (const s of services) {
      await s.start();
      started.push(s);
      ctx.logger.info({ service: s.name }, 'background service started');
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
    for (const s of [...started].reverse()) await withTimeout(`service ${s.name}`, s.stop(), ctx);
    await withTimeout('the Slack app', slack.stop(), ctx);
    ctx.logger.info('logusage serve: stopped');
  }
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

export function registerServeCommands(program: Command, io: CliIo, open: OpenContext, extensions: ServeExtension[] = []): void {
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
          extensions,
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
