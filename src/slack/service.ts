/**
 * What `/logusage` and the alert buttons do, between the Bolt listeners (thin: parse → call → reply) and the store:
 * the command dispatcher (src/slack/commands/dispatch.ts: the table, one handler per subcommand) and the alert
 * buttons (src/slack/buttons.ts), over one context. No Bolt here: the chart upload and the features of `serve`
 * (digest preview, refresh, next run, Log Search) arrive as plain functions (`ServeFeatures`).
 */
import type { Settings } from '../config.js';
import type { Logger } from '../logger.js';
import { createDayRanks } from '../store/day-ranks.js';
import type { Db } from '../store/db.js';
import { createLogList } from '../store/log-list.js';
import type { BusyRetryOptions } from './busy-retry.js';
import { type ButtonOutcome, handleAlertButton } from './buttons.js';
import { type Caller, type CommandContext, createAnswerCache, type ServeFeatures } from './commands/context.js';
import { type CommandDispatcher, createCommandDispatcher } from './commands/dispatch.js';
import type { CheckMembership } from './membership.js';

export type { ButtonOutcome } from './buttons.js';
export type { Caller, CommandResult, ServeFeatures, UploadPng } from './commands/context.js';

export interface SlackServiceDeps {
  db: Db;
  settings: Settings;
  logger: Logger;
  now: () => Date;
  features?: ServeFeatures;
  /** Chart font file (default DejaVu Sans). */
  chartFontPath?: string;
  /** How long a change that met SQLite's write lock is tried again (src/slack/busy-retry.ts; default 20 s). */
  busyRetry?: BusyRetryOptions;
  /** conversations.info per channel (src/slack/membership.ts); without it status and route say nothing of membership. */
  checkMembership?: CheckMembership;
}

export interface SlackService extends CommandDispatcher {
  /** Handles an alert button; never throws. */
  button(actionId: string, rawValue: string, caller: Caller): Promise<ButtonOutcome>;
  isAdmin(userId: string): boolean;
}

/** The context every handler is given, from the service's deps. */
export function createCommandContext(deps: Omit<SlackServiceDeps, 'busyRetry'>): CommandContext {
  return {
    db: deps.db,
    settings: deps.settings,
    logger: deps.logger,
    now: deps.now,
    features: deps.features ?? {},
    ...(deps.chartFontPath ? { chartFontPath: deps.chartFontPath } : {}),
    ...(deps.checkMembership ? { checkMembership: deps.checkMembership } : {}),
    admins: new Set(deps.settings.slack.admins),
    logList: createLogList(deps.db),
    dayRanks: createDayRanks(deps.db),
    cache: createAnswerCache(),
  };
}

export function createSlackService(deps: SlackServiceDeps): SlackService {
  const ctx = createCommandContext(deps);
  const dispatcher = createCommandDispatcher(ctx, deps.busyRetry);
  return {
    ...dispatcher,
    isAdmin: (userId) => ctx.admins.has(userId),
    button: (actionId, rawValue, caller) => handleAlertButton(ctx, actionId, rawValue, caller, deps.busyRetry),
  };
}
