/**
 * `/logusage top [N]` (SPEC §9): the N largest logs on the newest collected day, each against its typical day. The
 * answer is cached for the current data (`topKey`), so a repeated question is answered in the ack.
 */
import { addDays, type Day, daysInRange } from '../../days.js';
import { dataVersion, logSeries } from '../../store/slack-reads.js';
import { displayName, latestObservedDay } from '../../store/usage.js';
import { typicalAt } from '../baseline.js';
import { buildReply } from '../blocks/common.js';
import { buildTop } from '../blocks/top.js';
import { sparkline } from '../mrkdwn.js';
import { type CommandContext, type Handlers, HISTORY, LOOKBACK, withPrice } from './context.js';

/** Cache key of the top `n` of day `d` for the current data. */
export const topKey = (ctx: Pick<CommandContext, 'db'>, n: number, d: Day) => `top|${n}|${d}|${dataVersion(ctx.db)}`;

/** The `n` largest logs of day `d`, each with its typical day and the sparkline of the last HISTORY days. */
export function rankedLogs(ctx: CommandContext, d: Day, n: number) {
  const from = addDays(d, -(HISTORY - 1 + LOOKBACK));
  const days = daysInRange(from, d);
  const ranking = ctx.dayRanks.rank(d, n);
  const rows = ranking.rows.map((r) => {
    const s = logSeries(ctx.db, r.logId, from, d);
    const log = ctx.logList.byId().get(r.logId);
    return {
      logId: r.logId,
      name: log ? displayName(log) : `unknown log ${r.logId}`,
      logsets: log?.logsets.map((x) => x.name) ?? [],
      bytes: r.bytes,
      expected: typicalAt(days, s, days.length - 1)?.expected ?? null,
      spark: sparkline(s.subarray(s.length - HISTORY)),
    };
  });
  return { ranking, rows };
}

export const topCommands: Handlers<'top'> = {
  top(ctx, { n }) {
    const { db } = ctx;
    const d = latestObservedDay(db);
    if (d === null) return { message: buildReply(':grey_question: No usage has been collected yet.', 'No usage has been collected yet.') };
    const key = topKey(ctx, n, d);
    const hit = ctx.cache.get(key);
    if (hit) return { message: hit };
    const { ranking, rows } = rankedLogs(ctx, d, n);
    const message = buildTop({
      day: d,
      observed: true,
      requested: n,
      rows,
      logsWithData: ranking.logsWithData,
      totalBytes: ranking.totalBytes,
      ...withPrice(ctx),
    });
    return { message: ctx.cache.remember(key, message) };
  },
};
