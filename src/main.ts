/**
 * Composition root: settings → logger → database → clients. Everything is built here (or in a
 * test) and passed down; nothing is created at import time.
 */
import { type Env, readSettings, type Settings, type SettingsOverrides } from './config.js';
import { createLogger, type Logger, type LoggerOptions } from './logger.js';
import { createRapid7Client, type Rapid7Client } from './rapid7/client.js';
import { createLogSearchClient, type LogSearchClient, type LogSearchOptions } from './rapid7/query.js';
import { type Db, openDb } from './store/db.js';

export interface AppContext {
  settings: Settings;
  logger: Logger;
  db: Db;
  now: () => Date;
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
    close: () => {
      if (db.open) db.close();
    },
  };
}

export function createRapid7FromSettings(settings: Settings, logger: Logger): Rapid7Client {
  return createRapid7Client({
    baseUrl: settings.rapid7.baseUrl,
    apiKey: settings.rapid7.apiKey ?? '',
    region: settings.rapid7.region,
    timeoutMs: settings.rapid7.timeoutMs,
    maxRetries: settings.rapid7.maxRetries,
    retryBaseMs: settings.rapid7.retryBaseMs,
    retryMaxWaitMs: settings.rapid7.retryMaxWaitMs,
    logger: logger.child({ component: 'rapid7' }),
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
