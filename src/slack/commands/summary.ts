/**
 * `/logusage summary [DATE]` (SPEC §9): the organisation's total of a day (default the newest collected) against
 * its typical day, the month to date and its projection, the budget, the largest logs and the day's findings. The
 * answer is cached for the current data (`summaryKey`), so a repeated question is answered in the ack.
 */
import { addDays, type Day, daysInRange, firstOfMonth, lastOfMonth, monthOf, toEpochDay } from '../../days.js';
import { projectMonth } from '../../detect/org-rules.js';
import { listOpenAlerts } from '../../store/alerts.js';
import { effectiveBudget } from '../../store/controls.js';
import { countOpenAlerts, dataVersion, isObserved, orgSeries } from '../../store/slack-reads.js';
import { latestObservedDay } from '../../store/usage.js';
import { typicalAt } from '../baseline.js';
import type { SlackMessage } from '../block-kit.js';
import { buildReply } from '../blocks/common.js';
import { buildSummary } from '../blocks/summary.js';
import { sparkline } from '../mrkdwn.js';
import { type CommandContext, type Handlers, HISTORY, LOOKBACK, withPrice } from './context.js';
import { rankedLogs } from './top.js';

const SUMMARY_TOP = 5;

/** Cache key of the summary of day `d` for the current data. */
export const summaryKey = (ctx: Pick<CommandContext, 'db'>, d: Day) => `summary|${d}|${dataVersion(ctx.db)}`;

/** Findings listed in the summary: the open alerts whose last day is `d`. */
function findingsOf(ctx: CommandContext, d: Day): Array<{ kind: string; logName: string; reason: string }> {
  return listOpenAlerts(ctx.db)
    .filter((a) => a.lastDay === d)
    .map((a) => ({ kind: a.kind, logName: a.lastFinding.logName, reason: a.lastFinding.reason }));
}

/** The summary of `day` (default the newest collected day), from the cache when the data has not changed. */
export function summaryOf(ctx: CommandContext, day: Day | undefined): SlackMessage {
  const { db, settings } = ctx;
  const latest = latestObservedDay(db);
  if (latest === null) {
    return buildReply(
      ':grey_question: No usage has been collected yet. Run `logusage collect` (or `/logusage refresh`), or import history with `logusage import`.',
      'No usage has been collected yet.',
    );
  }
  const d = day ?? latest;
  const key = summaryKey(ctx, d);
  const hit = ctx.cache.get(key);
  if (hit) return hit;
  const observed = isObserved(db, d);
  const from = addDays(d, -(HISTORY - 1 + LOOKBACK));
  const days = daysInRange(from, d);
  const org = orgSeries(db, from, d);
  const i = days.length - 1;
  const total = org[i] as number;
  const band = typicalAt(days, org, i);
  const month = projectMonth(days, org, i);
  const daysInMonth = toEpochDay(lastOfMonth(d)) - toEpochDay(firstOfMonth(d)) + 1;
  const budget = effectiveBudget(db, settings.monthlyBudget);
  const { ranking, rows: top } = rankedLogs(ctx, d, SUMMARY_TOP);
  const findings = findingsOf(ctx, d);
  return ctx.cache.remember(
    key,
    buildSummary({
      day: d,
      observed,
      total: Number.isFinite(total) ? total : null,
      expected: band ?? null,
      spark: sparkline(org.subarray(org.length - HISTORY)),
      month: {
        month: monthOf(d),
        toDate: month?.monthToDate ?? 0,
        daysCounted: month?.knownDays ?? 0,
        daysInMonth,
        projected: month?.projected ?? null,
      },
      budget: budget.bytes === undefined ? null : { bytes: budget.bytes, source: budget.source === 'slack' ? 'slack' : 'env' },
      top,
      logsWithData: ranking.logsWithData,
      openAlerts: countOpenAlerts(db),
      findings: findings.length > 0 ? findings : null,
      ...withPrice(ctx),
    }),
  );
}

export const summaryCommands: Handlers<'summary'> = {
  summary: (ctx, cmd) => ({ message: summaryOf(ctx, cmd.day) }),
};
