/**
 * `/logusage threshold list | set (log <name>|logset <name>|org) <SIZE|MONEY>[/day] | remove <ID>` (SPEC §9): fixed
 * limits per day, checked from the next daily run. Money is turned into bytes at the price in force. Changes are
 * audited by src/store/controls.ts.
 */
import { listThresholds, removeThreshold, setThreshold } from '../../store/controls.js';
import { displayName } from '../../store/usage.js';
import { formatBytes } from '../../units.js';
import { context, fitMessage, listSections } from '../block-kit.js';
import { buildReply, buildUsageError } from '../blocks/common.js';
import { mentionUser } from '../blocks/log-detail.js';
import { escapeMrkdwn, shownName } from '../mrkdwn.js';
import { type Handlers, nameOf, whoAt } from './context.js';
import { resolveMoneyArgument } from './money-argument.js';
import { resolveLog, resolveLogset } from './resolve.js';
import { EXAMPLES } from './table.js';

export const thresholdCommands: Handlers<'threshold-list' | 'threshold-set' | 'threshold-remove' | 'threshold-modal'> = {
  'threshold-list'(ctx) {
    const list = listThresholds(ctx.db);
    if (list.length === 0) {
      return {
        message: buildReply(
          `No thresholds. Admins add one with \`/logusage ${EXAMPLES.thresholdSet}\`.`,
          `No thresholds. Example: /logusage ${EXAMPLES.thresholdSet}`,
        ),
      };
    }
    const name = nameOf(ctx.logList.byId());
    const lines = list.map((t) => {
      const what =
        t.scope === 'org' ? 'organisation' : t.scope === 'log' ? `log *${shownName(name(t.target))}*` : `log set *${shownName(t.target)}*`;
      return `• *#${t.id}* ${what}: ${formatBytes(t.bytesPerDay)}/day — set by ${mentionUser(t.createdBy ?? '?')} ${t.createdAt.slice(0, 10)}`;
    });
    const message = fitMessage({
      text: escapeMrkdwn(
        `${list.length} threshold${list.length === 1 ? '' : 's'}: ${list.map((t) => `#${t.id} ${formatBytes(t.bytesPerDay)}/day`).join(', ')}`,
      ),
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*Thresholds* (bytes per day)` } },
        ...listSections(lines, { noun: 'thresholds' }),
        context('Remove one with `/logusage threshold remove &lt;ID&gt;`.'),
      ],
    });
    return { message };
  },

  'threshold-set'(ctx, typed, caller) {
    const money = resolveMoneyArgument(ctx, typed);
    if ('reply' in money) return { message: money.reply };
    const cmd = money.cmd;
    let target = '';
    let label = 'the organisation';
    if (cmd.scope === 'log') {
      const r = resolveLog(ctx, cmd.name, (id) => `threshold set log ${id} ${cmd.sizeText}/day`);
      if ('reply' in r) return { message: r.reply };
      target = r.log.id;
      label = `log *${shownName(displayName(r.log))}*`;
    } else if (cmd.scope === 'logset') {
      const r = resolveLogset(ctx, cmd.name, (n) => `threshold set logset ${n} ${cmd.sizeText}/day`);
      if ('reply' in r) return { message: r.reply };
      target = r.name;
      label = `log set *${shownName(r.name)}*`;
    }
    const { threshold, previousBytesPerDay } = setThreshold(
      ctx.db,
      { scope: cmd.scope, target, bytesPerDay: cmd.bytesPerDay },
      whoAt(ctx, caller.userId),
    );
    ctx.cache.clear();
    const prev = previousBytesPerDay === null ? '' : ` (was ${formatBytes(previousBytesPerDay)}/day)`;
    return {
      message: buildReply(
        `:white_check_mark: Threshold *#${threshold.id}* for ${label}: alert when a day exceeds *${formatBytes(cmd.bytesPerDay)}*${escapeMrkdwn(money.note)}${prev}. Checked from the next daily run.`,
        `Threshold #${threshold.id} set to ${formatBytes(cmd.bytesPerDay)}/day.`,
      ),
    };
  },

  'threshold-remove'(ctx, cmd, caller) {
    const removed = removeThreshold(ctx.db, cmd.id, whoAt(ctx, caller.userId));
    if (!removed) {
      const ids = listThresholds(ctx.db).map((t) => t.id);
      return {
        message: buildUsageError(
          `there is no threshold #${cmd.id}${ids.length > 0 ? `; existing ids: ${ids.slice(0, 10).join(', ')}` : ' (there are none)'}`,
          ids.length > 0 ? `threshold remove ${ids[0]}` : EXAMPLES.thresholdList,
        ),
      };
    }
    ctx.cache.clear();
    return {
      message: buildReply(
        `:wastebasket: Removed threshold *#${removed.id}* (${formatBytes(removed.bytesPerDay)}/day).`,
        `Removed threshold #${removed.id}.`,
      ),
    };
  },

  // Opened by the listener with the command's trigger_id (src/slack/listeners/modals.ts); here only when there is none.
  'threshold-modal': () => ({
    message: buildUsageError('the form opens only from Slack; type the whole command instead', EXAMPLES.thresholdSet),
  }),
};
