/**
 * `/logusage mute <name> | unmute <name>` (SPEC §9): no alerts at all for a log until it is unmuted. Changes are
 * audited by src/store/controls.ts.
 */
import { setMuted } from '../../store/controls.js';
import { displayName } from '../../store/usage.js';
import { buildReply } from '../blocks/common.js';
import type { Command } from '../command-parser.js';
import { plainName, shownName } from '../mrkdwn.js';
import { type Caller, type CommandContext, type CommandResult, type Handlers, whoAt } from './context.js';
import { resolveLog } from './resolve.js';

function setMute(ctx: CommandContext, cmd: Extract<Command, { kind: 'mute' | 'unmute' }>, caller: Caller): CommandResult {
  const r = resolveLog(ctx, cmd.name, (id) => `${cmd.kind} ${id}`);
  if ('reply' in r) return { message: r.reply };
  const did = setMuted(ctx.db, r.log.id, cmd.kind === 'mute', whoAt(ctx, caller.userId));
  if (did) ctx.cache.clear();
  const n = shownName(displayName(r.log));
  return {
    message: buildReply(
      did
        ? cmd.kind === 'mute'
          ? `:no_bell: *${n}* muted: no alerts for it until \`/logusage unmute\`.`
          : `:bell: *${n}* unmuted.`
        : `*${n}* was already ${cmd.kind === 'mute' ? 'muted' : 'not muted'}; nothing changed.`,
      `${plainName(displayName(r.log))} ${did ? `${cmd.kind}d` : 'unchanged'}.`,
    ),
  };
}

export const muteCommands: Handlers<'mute' | 'unmute'> = { mute: setMute, unmute: setMute };
