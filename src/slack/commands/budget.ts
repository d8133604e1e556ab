/**
 * `/logusage budget show | set <SIZE|MONEY>/month | clear` (SPEC §9): the monthly budget in force (a Slack setting
 * over MONTHLY_BUDGET) and the month to date against it. Money is turned into bytes at the price in force. Changes
 * are audited by src/store/controls.ts.
 */
import { firstOfMonth, monthOf } from '../../days.js';
import { effectiveBudget, setBudget } from '../../store/controls.js';
import { orgSeries } from '../../store/slack-reads.js';
import { latestObservedDay } from '../../store/usage.js';
import { formatBytes } from '../../units.js';
import { buildReply, buildUsageError } from '../blocks/common.js';
import { escapeMrkdwn } from '../mrkdwn.js';
import { type Handlers, whoAt } from './context.js';
import { resolveMoneyArgument } from './money-argument.js';
import { EXAMPLES } from './table.js';

export const budgetCommands: Handlers<'budget-show' | 'budget-set' | 'budget-clear' | 'budget-modal'> = {
  'budget-show'({ db, settings }) {
    const b = effectiveBudget(db, settings.monthlyBudget);
    if (b.bytes === undefined) {
      const t =
        b.source === 'cleared'
          ? `No monthly budget: cleared from Slack${b.updatedBy ? ` by ${b.updatedBy}` : ''}${settings.monthlyBudget ? ` (MONTHLY_BUDGET=${formatBytes(settings.monthlyBudget)} is overridden)` : ''}.`
          : 'No monthly budget is set.';
      return { message: buildReply(`${escapeMrkdwn(t)} Set one with \`/logusage ${EXAMPLES.budgetSet}\`.`, t) };
    }
    const latest = latestObservedDay(db);
    let usage = '';
    if (latest) {
      const from = firstOfMonth(latest);
      const org = orgSeries(db, from, latest);
      const sum = Array.from(org).reduce((a, v) => (Number.isFinite(v) ? a + v : a), 0);
      usage = ` Month to date (${monthOf(latest)}): ${formatBytes(sum)} = ${((sum / b.bytes) * 100).toFixed(0)}%.`;
    }
    const src = b.source === 'slack' ? `set from Slack by ${b.updatedBy ?? '?'}` : 'from MONTHLY_BUDGET';
    const t = `Monthly budget: ${formatBytes(b.bytes)} (${src}).${usage}`;
    return { message: buildReply(escapeMrkdwn(t), t) };
  },

  'budget-set'(ctx, typed, caller) {
    const money = resolveMoneyArgument(ctx, typed);
    if ('reply' in money) return { message: money.reply };
    const cmd = money.cmd;
    const { settings } = ctx;
    setBudget(ctx.db, cmd.bytesPerMonth, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    const env = settings.monthlyBudget ? ` It overrides MONTHLY_BUDGET (${formatBytes(settings.monthlyBudget)}).` : '';
    return {
      message: buildReply(
        `:white_check_mark: Monthly budget set to *${formatBytes(cmd.bytesPerMonth)}*${escapeMrkdwn(money.note)}.${env}`,
        `Monthly budget set to ${formatBytes(cmd.bytesPerMonth)}.`,
      ),
    };
  },

  'budget-clear'(ctx, _cmd, caller) {
    const { settings } = ctx;
    setBudget(ctx.db, null, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    const env = settings.monthlyBudget
      ? ` MONTHLY_BUDGET (${formatBytes(settings.monthlyBudget)}) stays overridden until a budget is set again.`
      : '';
    return { message: buildReply(`:white_check_mark: Monthly budget cleared: no budget alerts.${env}`, 'Monthly budget cleared.') };
  },

  // Opened by the listener with the command's trigger_id (src/slack/listeners/modals.ts); here only when there is none.
  'budget-modal': () => ({
    message: buildUsageError('the form opens only from Slack; type the whole command instead', EXAMPLES.budgetSet),
  }),
};
