/**
 * `/logusage snooze <name> <DURATION> | unsnooze <name>` (SPEC §9): no alerts for a log until a time (UTC), then
 * alerts as before. Changes are audited by src/store/controls.ts.
 */
import { snoozeLog, unsnoozeLog } from '../../store/controls.js';
import { displayName } from '../../store/usage.js';
import { formatDuration } from '../../units.js';
import { buildReply } from '../blocks/common.js';
import { plainName, shownName } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';
import { resolveLog } from './resolve.js';

export const snoozeCommands: Handlers<'snooze' | 'unsnooze'> = {
  snooze(ctx, cmd, caller) {
    const r = resolveLog(ctx, cmd.name, (id) => `snooze ${id} ${cmd.durationText}`);
    if ('reply' in r) return { message: r.reply };
    const until = new Date(ctx.now().getTime() + cmd.ms).toISOString();
    snoozeLog(ctx.db, r.log.id, until, whoAt(ctx, caller.userId), { durationMs: cmd.ms, via: 'command' });
    ctx.cache.clear();
    return {
      message: buildReply(
        `:zzz: *${shownName(displayName(r.log))}* snoozed for ${formatDuration(cmd.ms)}, until ${until.slice(0, 16).replace('T', ' ')} UTC.`,
        `${plainName(displayName(r.log))} snoozed until ${until}.`,
      ),
    };
  },

  unsnooze(ctx, cmd, caller) {
    const r = resolveLog(ctx, cmd.name, (id) => `unsnooze ${id}`);
    if ('reply' in r) return { message: r.reply };
    const was = unsnoozeLog(ctx.db, r.log.id, whoAt(ctx, caller.userId));
    if (was) ctx.cache.clear();
    const shown = shownName(displayName(r.log));
    const plain = plainName(displayName(r.log));
    return {
      message: buildReply(
        was ? `:bell: *${shown}* alerts again.` : `*${shown}* was not snoozed; nothing changed.`,
        was ? `${plain} unsnoozed.` : `${plain} was not snoozed.`,
      ),
    };
  },
};
