/**
 * `/logusage route list | route <logset name> <#channel> | route remove <logset>` (SPEC §9): which channel a log
 * set's alerts go to (others: SLACK_ALERT_CHANNEL). Changes are audited by src/store/controls.ts.
 */
import { listRoutes, removeRoute, setRoute } from '../../store/controls.js';
import { context, fitMessage, listSections } from '../block-kit.js';
import { buildReply, buildUsageError } from '../blocks/common.js';
import { describeMembership } from '../membership.js';
import { ellipsize, escapeMrkdwn, plainName, shownName } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';
import { resolveLogset } from './resolve.js';
import { EXAMPLES } from './table.js';

export const routeCommands: Handlers<'route-list' | 'route-set' | 'route-remove'> = {
  'route-list'({ db, settings }) {
    const routes = listRoutes(db);
    const def = settings.slack.alertChannel;
    const defLine = def ? `Other alerts go to <#${def}>.` : 'No default alert channel (SLACK_ALERT_CHANNEL) is set.';
    if (routes.length === 0) {
      return {
        message: buildReply(
          `No routes: every alert goes to the alert channel. ${defLine}`,
          'No routes: every alert goes to the alert channel.',
        ),
      };
    }
    const lines = routes.map((r) => `• *${shownName(r.logset)}* → <#${r.channel}>`);
    const message = fitMessage({
      text: escapeMrkdwn(`Routes: ${routes.map((r) => `${plainName(r.logset)} → ${r.channel}`).join(', ')}`),
      blocks: [...listSections(lines, { noun: 'routes' }), context(defLine)],
    });
    return { message };
  },

  async 'route-set'(ctx, cmd, caller) {
    const r = resolveLogset(ctx, cmd.logset, (n) => `route ${n} <#${cmd.channel}>`);
    if ('reply' in r) return { message: r.reply };
    const prev = setRoute(ctx.db, r.name, cmd.channel, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    const [member] = ctx.checkMembership ? await ctx.checkMembership([cmd.channel]) : [];
    const membership = member ? describeMembership(member) : 'For a private channel, invite the app there.';
    return {
      message: buildReply(
        `:twisted_rightwards_arrows: Alerts of log set *${shownName(r.name)}* now go to <#${cmd.channel}>${prev && prev !== cmd.channel ? ` (was <#${prev}>)` : ''}.\n${membership}`,
        `Alerts of ${plainName(r.name)} now go to ${cmd.channel}.`,
      ),
    };
  },

  'route-remove'(ctx, cmd, caller) {
    const r = resolveLogset(ctx, cmd.logset, (n) => `route remove ${n}`);
    const name = 'reply' in r ? cmd.logset : r.name;
    const did = removeRoute(ctx.db, name, whoAt(ctx, caller.userId));
    if (did) ctx.cache.clear();
    return {
      message: did
        ? buildReply(
            `Removed the route of *${shownName(name)}*; its alerts go to the alert channel.`,
            `Removed the route of ${plainName(name)}.`,
          )
        : buildUsageError(`log set "${ellipsize(cmd.logset, 60)}" has no route`, EXAMPLES.routeList),
    };
  },
};
