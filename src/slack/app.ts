/**
 * The Bolt 5 app: HTTP mode (signing secret; Bolt's endpoint `/slack/events` serves commands, actions
 * and events; `GET /healthz`, `GET /metrics`) or Socket Mode when SLACK_APP_TOKEN is set (then both are
 * served on PORT by Bolt's socket-mode receiver). Built by `createSlackApp(deps)`; nothing starts until `start()`.
 *
 * No auth.test at start or per request: a fixed `authorize` hands Bolt the bot token (and the bot
 * ids when known). The Web API base comes from SLACK_API_URL. Bolt logs through pino.
 */
import { App, type CustomRoute, LogLevel, webApi } from '@slack/bolt';
import type { Settings } from '../config.js';
import { AppError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { listRoutes } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { recentRuns } from '../store/runs.js';
import { createBoltLogger } from './bolt-logger.js';
import type { BusyRetryOptions } from './busy-retry.js';
import { createFeedbackButton, createTakeButton } from './feedback.js';
import { createHomePublisher, HOME_POLL_MS, type HomePublisher } from './home.js';
import { registerListeners } from './listeners/index.js';
import { channelsToCheck, createMembershipCheck } from './membership.js';
import { createModals } from './modals.js';
import { createSlackService, type ServeFeatures, type SlackService } from './service.js';

/** What `GET /healthz` answers: HTTP status and a JSON body. */
export interface HealthReport {
  status: number;
  body: Record<string, unknown>;
}

export interface SlackAppDeps {
  settings: Settings;
  db: Db;
  logger: Logger;
  now: () => Date;
  features?: ServeFeatures;
  /** How long a change that met the write lock is tried again before the "busy" answer (default 20 s). */
  busyRetry?: BusyRetryOptions;
  /** Body of GET /healthz; default: the newest run of any job from the runs table. */
  health?: () => HealthReport;
  /** Body of GET /metrics (Prometheus text exposition 0.0.4, src/metrics/report.ts); absent: 404. */
  metrics?: () => string;
  /** Extra Web API client options (tests: `retryConfig: { retries: 0 }`). */
  clientOptions?: webApi.WebClientOptions;
  /** Bot ids, when known, are put into every listener context. */
  botId?: string;
  botUserId?: string;
  chartFontPath?: string;
  /** Port of /healthz in Socket Mode (fixed when the app is built); default PORT. HTTP mode takes it in start(). */
  port?: number;
}

export interface SlackApp {
  app: App;
  service: SlackService;
  /** The App Home tab: publish on open and after each daily run (SPEC §9). */
  home: HomePublisher;
  mode: 'http' | 'socket';
  /** Starts listening; in HTTP mode on `port` (default PORT; 0 = a free port). Resolves with the bound port. */
  start(port?: number): Promise<{ port: number | undefined }>;
  stop(): Promise<void>;
}

interface RouteAnswer {
  status: number;
  /** content-type */
  type: string;
  body: string;
}

/** A GET route (never cached) answering `answer()`; when that throws, the error is logged, never sent, and `failed` is answered. */
function getRoute(path: string, logger: Logger, what: string, r: { answer: () => RouteAnswer; failed: RouteAnswer }): CustomRoute {
  return {
    path,
    method: ['GET'],
    handler: (_req, res) => {
      let out: RouteAnswer;
      try {
        out = r.answer();
      } catch (err) {
        logger.error({ err: describeError(err) }, what);
        out = r.failed;
      }
      res.writeHead(out.status, { 'content-type': out.type, 'cache-control': 'no-store' });
      res.end(out.body);
    },
  };
}

function boltLevel(level: string): LogLevel {
  if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}

/** The default /healthz: 200 with the newest run, 503 when the newest daily run failed. */
export function defaultHealth(db: Db, now: () => Date): () => HealthReport {
  return () => {
    const last = recentRuns(db, 1)[0];
    const failed = last?.status === 'failed';
    return {
      status: failed ? 503 : 200,
      body: {
        status: failed ? 'failing' : 'ok',
        time: now().toISOString(),
        lastRun: last
          ? { job: last.job, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt, error: last.errorCode }
          : null,
      },
    };
  };
}

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { settings, logger } = deps;
  const token = settings.slack.botToken;
  if (!token)
    throw new AppError(
      'CONFIG_INVALID',
      'SLACK_BOT_TOKEN is missing: set the bot token (xoxb-…) from the app\'s "OAuth & Permissions" page.',
      { exitCode: 2 },
    );
  const socket = Boolean(settings.slack.appToken);
  if (!socket && !settings.slack.signingSecret) {
    throw new AppError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is missing: set it (Basic Information page) for HTTP mode, or set SLACK_APP_TOKEN (xapp-…) for Socket Mode.',
      { exitCode: 2 },
    );
  }
  const health = deps.health ?? defaultHealth(deps.db, deps.now);
  const json = 'application/json; charset=utf-8';
  const customRoutes: CustomRoute[] = [
    getRoute('/healthz', logger, 'health check failed', {
      answer: () => {
        const report = health();
        return { status: report.status, type: json, body: JSON.stringify(report.body) };
      },
      failed: { status: 500, type: json, body: JSON.stringify({ status: 'error' }) },
    }),
  ];
  const metrics = deps.metrics;
  if (metrics) {
    customRoutes.push(
      getRoute('/metrics', logger, 'metrics could not be read', {
        answer: () => ({ status: 200, type: EXPOSITION_CONTENT_TYPE, body: metrics() }),
        failed: { status: 500, type: 'text/plain; charset=utf-8', body: 'metrics could not be read; see the logs\n' },
      }),
    );
  }
  const boltLogger = createBoltLogger(logger, 'bolt');
  const authorization = {
    botToken: token,
    ...(deps.botId ? { botId: deps.botId } : {}),
    ...(deps.botUserId ? { botUserId: deps.botUserId } : {}),
  };
  const app = new App({
    authorize: async () => authorization,
    ...(socket
      ? { socketMode: true, appToken: settings.slack.appToken, port: deps.port ?? settings.port }
      : { signingSecret: settings.slack.signingSecret }),
    customRoutes,
    logger: boltLogger,
    logLevel: boltLevel(logger.level),
    convoStore: false,
    clientOptions: { slackApiUrl: settings.slack.apiUrl, ...deps.clientOptions },
  });
  app.error(async (err) => {
    logger.error({ err: describeError(err), code: (err as { code?: string }).code }, 'unhandled error in a Slack listener');
  });
  // app.client carries no token (tokens come from `authorize` per request). A client of its own holds the bot
  // token, so it travels in the Authorization header, never in a request body (docs/security.md).
  const membershipClient = new webApi.WebClient(token, {
    slackApiUrl: settings.slack.apiUrl,
    logger: createBoltLogger(logger, 'slack-membership'),
    ...deps.clientOptions,
  });
  const checkMembership = createMembershipCheck(
    { conversations: { info: (a) => membershipClient.conversations.info(a) } },
    logger.child({ component: 'slack' }),
  );
  const service = createSlackService({
    db: deps.db,
    settings,
    logger: logger.child({ component: 'slack' }),
    now: deps.now,
    ...(deps.features ? { features: deps.features } : {}),
    ...(deps.chartFontPath ? { chartFontPath: deps.chartFontPath } : {}),
    ...(deps.busyRetry ? { busyRetry: deps.busyRetry } : {}),
    checkMembership,
  });
  const home = createHomePublisher({
    db: deps.db,
    settings,
    logger: logger.child({ component: 'slack-home' }),
    now: deps.now,
    isAdmin: service.isAdmin,
  });
  const modals = createModals({ db: deps.db, settings, now: deps.now });
  const alertUi = {
    db: deps.db,
    logger: logger.child({ component: 'slack' }),
    now: deps.now,
    isAdmin: service.isAdmin,
    adminsConfigured: settings.slack.admins.length > 0,
  };
  registerListeners(app, service, logger.child({ component: 'slack' }), {
    home,
    modals,
    adminsConfigured: alertUi.adminsConfigured,
    feedback: createFeedbackButton(alertUi),
    take: createTakeButton(alertUi),
  });

  /** At start: a warning for each alert, digest or route channel the bot is not a member of. */
  const warnAboutChannels = async () => {
    const uses = channelsToCheck(settings, listRoutes(deps.db));
    for (const m of await checkMembership(uses.map((u) => u.channel))) {
      if (m.state === 'member') continue;
      const what = uses.find((u) => u.channel === m.channel)?.uses ?? [];
      logger.warn(
        { channel: m.channel, uses: what, state: m.state, code: m.error },
        m.state === 'unknown'
          ? 'could not check that the bot is a member of this channel: add the channels:read and groups:read scopes and reinstall the app'
          : 'the bot is not a member of this channel: invite it with /invite @logusage (it posts there, but cannot check for duplicates; private channels need it)',
      );
    }
  };

  let started = false;
  let homePoll: NodeJS.Timeout | undefined;
  return {
    app,
    service,
    home,
    mode: socket ? 'socket' : 'http',
    async start(port = deps.port ?? settings.port) {
      const server = (await app.start(port)) as unknown;
      started = true;
      // The first summary is computed off the request path, so even the first one answers in the ack.
      setTimeout(() => void service.warm(), 0).unref();
      // Home tabs are published again once a daily run has finished (in this or another process).
      homePoll = setInterval(() => {
        if (home.dailyRunFinished()) void home.refreshAll(app.client, token);
      }, HOME_POLL_MS);
      homePoll.unref();
      // Checked before start resolves (each channel waits at most 5 s for Slack), so the warnings come at start.
      await warnAboutChannels().catch((err: unknown) =>
        logger.warn({ err: describeError(err) }, 'could not check the channels the bot posts to'),
      );
      const addr = (server as { address?: () => unknown } | undefined)?.address?.();
      const bound = addr && typeof addr === 'object' && 'port' in addr ? (addr as { port: number }).port : socket ? undefined : port;
      return { port: bound };
    },
    async stop() {
      if (!started) return;
      started = false;
      clearInterval(homePoll);
      await app.stop();
    },
  };
}
