/**
 * `/logusage refresh` (SPEC §9): a collection from Rapid7 now (`serve` with an API key only). The answer says it
 * started; the follow-up says what it did, or why it failed (the error's message only: never internals).
 */
import { AppError, describeError } from '../../errors.js';
import { recordAudit } from '../../store/controls.js';
import { buildReply } from '../blocks/common.js';
import { escapeUntrusted, plainName } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';

export const refreshCommands: Handlers<'refresh'> = {
  refresh(ctx, _cmd, caller) {
    const refresh = ctx.features.refresh;
    if (!refresh) {
      return {
        message: buildReply(
          ':information_source: Collection is not available in this process (no Rapid7 API key is configured for `logusage serve`). Run `logusage collect` where the key is set.',
          'Collection is not available in this process.',
        ),
      };
    }
    recordAudit(ctx.db, whoAt(ctx, caller.userId), 'refresh', null);
    ctx.cache.clear();
    return {
      message: buildReply(':hourglass_flowing_sand: Collecting from Rapid7 now… I will answer here when it is done.', 'Collecting now…'),
      followUp: async () => {
        try {
          const line = await refresh({ actor: caller.userId });
          ctx.cache.clear();
          return buildReply(`:white_check_mark: ${escapeUntrusted(line)}`, plainName(line, 500));
        } catch (err) {
          ctx.logger.error({ err: describeError(err) }, 'refresh from Slack failed');
          const msg = err instanceof AppError ? err.message : 'an unexpected error; the details are in the logs';
          return buildReply(`:x: Collection failed: ${escapeUntrusted(msg)}`, `Collection failed: ${plainName(msg, 500)}`);
        }
      },
    };
  },
};
