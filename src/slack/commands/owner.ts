/**
 * `/logusage owner …`: a log set's owner (a Slack user or user group), mentioned in the alerts of its logs
 * from the next daily run (src/alerts/owners-stage.ts). Stored and audited by src/store/owners.ts.
 */
import { listOwners, removeOwner, setOwner } from '../../store/owners.js';
import { mentionOwner } from '../blocks/alert-ui.js';
import { buildListReply, buildReply, buildUsageError } from '../blocks/common.js';
import { ellipsize, escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';
import { resolveLogset } from './resolve.js';
import { EXAMPLES } from './table.js';

export const ownerCommands: Handlers<'owner-set' | 'owner-list' | 'owner-remove'> = {
  'owner-list'(ctx) {
    const owners = listOwners(ctx.db);
    if (owners.length === 0) {
      return {
        message: buildReply(`No log set has an owner. Admins set one with \`/logusage ${escapeMrkdwn(EXAMPLES.owner)}\`.`, 'No owners.'),
      };
    }
    const lines = owners.map((o) => `• *${shownName(o.logset)}* → ${mentionOwner(o.owner) ?? escapeUntrusted(o.owner)}`);
    const message = buildListReply({
      title: '*Log set owners* (mentioned in their alerts)',
      lines,
      noun: 'owners',
      plain: `Owners: ${owners.map((o) => `${plainName(o.logset)} → ${plainName(o.owner, 40)}`).join(', ')}`,
    });
    return { message };
  },

  'owner-remove'(ctx, cmd, caller) {
    ctx.cache.clear();
    const r = resolveLogset(ctx, cmd.logset, (n) => `owner remove ${n}`);
    const name = 'reply' in r ? cmd.logset : r.name;
    return {
      message: removeOwner(ctx.db, name, whoAt(ctx, caller.userId))
        ? buildReply(`Removed the owner of *${shownName(name)}*.`, `Removed the owner of ${name}.`)
        : buildUsageError(`log set "${ellipsize(cmd.logset, 60)}" has no owner`, EXAMPLES.ownerList),
    };
  },

  'owner-set'(ctx, cmd, caller) {
    ctx.cache.clear();
    const r = resolveLogset(ctx, cmd.logset, (n) => `owner ${n} <@${cmd.owner}>`, EXAMPLES.owner);
    if ('reply' in r) return { message: r.reply };
    const prev = setOwner(ctx.db, r.name, cmd.owner, whoAt(ctx, caller.userId));
    const mention = mentionOwner(cmd.owner) ?? escapeUntrusted(cmd.owner);
    return {
      message: buildReply(
        `:bust_in_silhouette: ${mention} now owns log set *${shownName(r.name)}*: its alerts mention them from the next daily run${prev && prev !== cmd.owner ? ` (was ${mentionOwner(prev) ?? escapeUntrusted(prev)})` : ''}.`,
        `${plainName(cmd.owner, 40)} now owns log set ${plainName(r.name)}.`,
      ),
    };
  },
};
