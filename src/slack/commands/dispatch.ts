/**
 * `/logusage` from text to reply: parse (src/slack/command-parser.ts) → permission check (the table's admin kinds,
 * LOGUSAGE_ADMINS) → the kind's handler (src/slack/commands/index.ts) → its reply; a failure becomes a message with
 * its stable code, never a throw. Changes that meet SQLite's write lock are tried again (src/slack/busy-retry.ts).
 */
import { AppError, describeError } from '../../errors.js';
import { refreshReadCaches } from '../../store/read-caches.js';
import { latestObservedDay } from '../../store/usage.js';
import type { SlackMessage } from '../block-kit.js';
import { buildFailure, buildNotAllowed, buildUsageError } from '../blocks/common.js';
import { type BusyRetryOptions, retryWhileBusy } from '../busy-retry.js';
import { type Command, parseCommand } from '../command-parser.js';
import { describeFailure } from '../failure.js';
import type { Caller, CommandContext, CommandResult, UploadPng } from './context.js';
import { helpFor } from './help.js';
import { HANDLERS } from './index.js';
import { summaryKey, summaryOf } from './summary.js';
import { adminWhat, isChanging } from './table.js';
import { topKey } from './top.js';

export interface CommandDispatcher {
  /** Parses and runs `/logusage <text>`; never throws (errors become messages). */
  run(text: string, caller: Caller, upload: UploadPng): Promise<CommandResult>;
  /**
   * An answer available at once — help, usage errors, refusals, or a summary / top list already computed
   * for the current data — or undefined. The listener sends it as the ack body (no response_url call).
   */
  quickAnswer(text: string, caller: Caller): SlackMessage | undefined;
  /** Computes the latest summary ahead of the first request (call off the request path). */
  warm(): Promise<void>;
  /**
   * Runs an already parsed command (a modal's submission) exactly as `run` runs typed text: the same
   * permission check, change, audit and reply. Never throws.
   */
  apply(cmd: Command, caller: Caller, upload?: UploadPng): Promise<CommandResult>;
}

/** Where a command comes without a channel to upload to (a modal): charts are not among them. */
const noUpload: UploadPng = async () => {
  throw new AppError('INTERNAL', 'no upload from a modal');
};

type AnyHandler = (ctx: CommandContext, cmd: Command, caller: Caller, upload: UploadPng) => CommandResult | Promise<CommandResult>;

export function createCommandDispatcher(ctx: CommandContext, busyRetry?: BusyRetryOptions): CommandDispatcher {
  const { admins, logger } = ctx;
  const refusal = (cmd: Command, caller: Caller): SlackMessage | undefined =>
    isChanging(cmd) && !admins.has(caller.userId) ? buildNotAllowed(adminWhat(cmd), caller.userId, admins.size > 0) : undefined;

  async function execute(cmd: Command, caller: Caller, upload: UploadPng): Promise<CommandResult> {
    const refused = refusal(cmd, caller);
    if (refused) return { message: refused };
    await refreshReadCaches(ctx.db, cmd.kind === 'summary' ? cmd.day : undefined);
    return (HANDLERS[cmd.kind] as AnyHandler)(ctx, cmd, caller, upload);
  }

  async function apply(cmd: Command, caller: Caller, upload: UploadPng = noUpload): Promise<CommandResult> {
    try {
      return await retryWhileBusy(() => execute(cmd, caller, upload), busyRetry);
    } catch (err) {
      const f = describeFailure(err);
      logger.error({ err: describeError(err), code: f.code, command: cmd.kind, user: caller.userId }, '/logusage command failed');
      return { message: buildFailure(`\`/logusage ${cmd.kind.split('-')[0]}\``, f.code, f.hint) };
    }
  }

  return {
    quickAnswer(text, caller) {
      const cmd = parseCommand(text);
      if (cmd.kind === 'error') return buildUsageError(cmd.message, cmd.example);
      if (cmd.kind === 'help') return helpFor(ctx, caller.userId);
      const refused = refusal(cmd, caller);
      if (refused) return refused;
      if (cmd.kind === 'summary' || cmd.kind === 'top') {
        // A summary or top list already computed for the current data answers in the ack itself.
        try {
          const d = cmd.kind === 'summary' ? (cmd.day ?? latestObservedDay(ctx.db)) : latestObservedDay(ctx.db);
          if (d === null) return undefined;
          return ctx.cache.get(cmd.kind === 'top' ? topKey(ctx, cmd.n, d) : summaryKey(ctx, d));
        } catch (err) {
          logger.warn({ err: describeError(err) }, 'cache lookup failed');
          return undefined;
        }
      }
      return undefined;
    },
    async warm() {
      try {
        summaryOf(ctx, undefined);
      } catch (err) {
        logger.warn({ err: describeError(err) }, 'could not precompute the summary');
      }
    },
    async run(text, caller, upload) {
      const cmd = parseCommand(text);
      if (cmd.kind === 'error') return { message: buildUsageError(cmd.message, cmd.example) };
      return apply(cmd, caller, upload);
    },
    apply,
  };
}
