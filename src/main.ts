/**
 * The composition root: settings → logger → database → clients (`createContext`), and the ONE assembly of
 * the daily run's dependencies (`createDailyDeps`), used by the CLI, `serve`, the demo, the tests and the
 * benches. Everything is built here and passed down; nothing is created at import time.
 */
import { renderUsageChartPng, type UsageChartInput } from './charts.js';
import { type Env, readSettings, type Settings, type SettingsOverrides } from './config.js';
import type { DailyDeps } from './daily.js';
import { createLogger, type Logger, type LoggerOptions } from './logger.js';
import { type Counters, createCounters } from './metrics/counters.js';
import { createRapid7Client, type Rapid7Client } from './rapid7/client.js';
import { createLogSearchClient, type LogSearchClient, type LogSearchOptions } from './rapid7/query.js';
import { createWebApiSender, type SlackSender } from './slack/outbox.js';
import { type Db, openDb } from './store/db.js';

export interface AppContext {
  settings: Settings;
  logger: Logger;
  db: Db;
  now: () => Date;
  /** Event counters of this process for GET /metrics (absent in contexts built by hand: nothing is counted). */
  counters?: Counters;
  close(): void;
}

export interface ContextOptions {
  overrides?: SettingsOverrides;
  logger?: Logger;
  /** Where the settings-built logger writes (tests capture lines); ignored when `logger` is given. */
  logDestination?: LoggerOptions['destination'];
  now?: () => Date;
  /** Skip migrations (used by `migrate`, which reports what it applies). */
  migrate?: boolean;
}

export function createLoggerFromSettings(settings: Settings, destination?: LoggerOptions['destination']): Logger {
  return createLogger({
    level: settings.logLevel,
    secrets: [settings.rapid7.apiKey, settings.slack.botToken, settings.slack.appToken, settings.slack.signingSecret],
    ...(destination ? { destination } : { pretty: Boolean(process.stderr.isTTY) }),
  });
}

export function createContext(env: Env, opts: ContextOptions = {}): AppContext {
  const settings = readSettings(env, opts.overrides);
  const logger = opts.logger ?? createLoggerFromSettings(settings, opts.logDestination);
  const db = openDb(settings.databasePath, { migrate: opts.migrate ?? true });
  return {
    settings,
    logger,
    db,
    now: opts.now ?? (() => new Date()),
    counters: createCounters(),
    close: () => {
      if (db.open) db.close();
    },
  };
}

export function createRapid7FromSettings(settings: Settings, logger: Logger, counters?: Counters): Rapid7Client {
  return createRapid7Client({
    baseUrl: settings.rapid7.baseUrl,
    apiKey: settings.rapid7.apiKey ?? '',
    region: settings.rapid7.region,
    timeoutMs: settings.rapid7.timeoutMs,
    maxRetries: settings.rapid7.maxRetries,
    retryBaseMs: settings.rapid7.retryBaseMs,
    retryMaxWaitMs: settings.rapid7.retryMaxWaitMs,
    logger: logger.child({ component: 'rapid7' }),
    ...(counters ? { counters } : {}),
  });
}

/** A Log Search query client for one run (SPEC §6.6), or null when no key is set or ROOT_CAUSE is off. */
export function createLogSearchFromSettings(
  settings: Settings,
  logger: Logger,
  tuning: Partial<Pick<LogSearchOptions, 'pollStartMs' | 'pollMaxMs'>> = {},
): LogSearchClient | null {
  if (!settings.rapid7.apiKey || !settings.rootCause) return null;
  return createLogSearchClient({
    baseUrl: settings.rapid7.baseUrl,
    apiKey: settings.rapid7.apiKey,
    timeoutMs: settings.rapid7.timeoutMs,
    retryMaxWaitMs: settings.rapid7.retryMaxWaitMs,
    logger: logger.child({ component: 'log-search' }),
    ...tuning,
  });
}

/** How the daily run of a context is tuned: everything but the context's own parts (db, settings, logger, clock). */
export interface DailyOptions
  extends Partial<
    Pick<DailyDeps, 'outbox' | 'resolveAfterDays' | 'lockTtlMs' | 'deliverTimeoutMs' | 'owner' | 'onStage' | 'logSearch' | 'explainMax'>
  > {
  /** Nothing is sent (Slack stays null): messages are only previewed or queued. */
  dryRun?: boolean;
  /** Rapid7 client in place of the one built from the settings (the demo's simulated API); null: no collection. */
  rapid7?: Rapid7Client | null;
  /** Slack sender in place of the Web API one (the demo's terminal); null: nothing is delivered now. */
  sender?: SlackSender | null;
  /** Timeout of one Slack Web API call, ms (default 30 s). */
  slackTimeoutMs?: number;
  renderChart?: (input: UsageChartInput) => Buffer;
}

/**
 * The daily run's dependencies for a context: Rapid7 when a key is set, the Slack Web API when a bot token is
 * set and this is not a dry run, the PNG chart renderer, and Log Search for root causes when ROOT_CAUSE is on.
 */
export function createDailyDeps(ctx: Pick<AppContext, 'settings' | 'logger' | 'db' | 'now' | 'counters'>, o: DailyOptions = {}): DailyDeps {
  const { dryRun, rapid7, sender, slackTimeoutMs, renderChart, ...tuning } = o;
  const s = ctx.settings;
  const webApi = (): SlackSender | null =>
    !dryRun && s.slack.botToken
      ? createWebApiSender({ token: s.slack.botToken, apiUrl: s.slack.apiUrl, logger: ctx.logger, timeoutMs: slackTimeoutMs ?? 30_000 })
      : null;
  return {
    db: ctx.db,
    settings: s,
    logger: ctx.logger,
    now: ctx.now,
    rapid7: rapid7 !== undefined ? rapid7 : s.rapid7.apiKey ? createRapid7FromSettings(s, ctx.logger, ctx.counters) : null,
    sender: sender !== undefined ? (dryRun ? null : sender) : webApi(),
    renderChart: renderChart ?? ((input) => renderUsageChartPng(input)),
    // One Log Search client per run: its bounds are per run (SPEC §6.6).
    logSearch: s.rapid7.apiKey && s.rootCause ? () => createLogSearchFromSettings(s, ctx.logger) as LogSearchClient : null,
    ...(ctx.counters ? { counters: ctx.counters } : {}),
    ...tuning,
  };
}
