/**
 * `/logusage owner …`: a log set's owner (a Slack user or user group), mentioned in the alerts of its logs
 * from the next daily run (src/alerts/owners-stage.ts). Stored and audited by src/store/owners.ts.
 */
import { listOwners, removeOwner, setOwner } from '../../store/owners.js';
import { listLogs } from '../../store/usage.js';
import { mentionOwner } from '../blocks/alert-ui.js';
import { buildReply, buildUsageError } from '../blocks/common.js';
import { buildCandidates } from '../blocks/log-detail.js';
import { capLines, ellipsize, escapeMrkdwn, escapeUntrusted, fitMessage, plainName, section, shownName } from '../mrkdwn.js';
import { logsetNames, matchLogset } from '../names.js';
import { type Handlers, whoAt } from './context.js';
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
    const message = fitMessage({
      text: escapeMrkdwn(`Owners: ${owners.map((o) => `${plainName(o.logset)} → ${plainName(o.owner, 40)}`).join(', ')}`),
      blocks: [section(`*Log set owners* (mentioned in their alerts)\n${capLines(lines, { maxChars: 2800, noun: 'owners' })}`)],
    });
    return { message };
  },

  'owner-remove'(ctx, cmd, caller) {
    ctx.cache.clear();
    const m = matchLogset(cmd.logset, logsetNames(listLogs(ctx.db)));
    const name = m.ok ? m.item : cmd.logset;
    return {
      message: removeOwner(ctx.db, name, whoAt(ctx, caller.userId))
        ? buildReply(`Removed the owner of *${shownName(name)}*.`, `Removed the owner of ${name}.`)
        : buildUsageError(`log set "${ellipsize(cmd.logset, 60)}" has no owner`, EXAMPLES.ownerList),
    };
  },

  'owner-set'(ctx, cmd, caller) {
    ctx.cache.clear();
    const names = logsetNames(listLogs(ctx.db));
    const m = matchLogset(cmd.logset, names);
    if (!m.ok) {
      if (m.reason === 'ambiguous') {
        return {
          message: buildCandidates(
            cmd.logset,
            m.candidates.map((n) => ({ id: n, name: n })),
            m.total,
            `owner "${m.candidates[0] ?? ''}" <@${cmd.owner}>`,
          ),
        };
      }
      return {
        message: buildUsageError(
          `no log set matches "${ellipsize(cmd.logset, 60)}"${names.length > 0 ? `; known log sets include ${names.slice(0, 5).join(', ')}` : ''}`,
          EXAMPLES.owner,
        ),
      };
    }
    const prev = setOwner(ctx.db, m.item, cmd.owner, whoAt(ctx, caller.userId));
    const mention = mentionOwner(cmd.owner) ?? escapeUntrusted(cmd.owner);
    return {
      message: buildReply(
        `:bust_in_silhouette: ${mention} now owns log set *${shownName(m.item)}*: its alerts mention them from the next daily run${prev && prev !== cmd.owner ? ` (was ${mentionOwner(prev) ?? escapeUntrusted(prev)})` : ''}.`,
        `${plainName(cmd.owner, 40)} now owns log set ${plainName(m.item)}.`,
      ),
    };
  },
};
