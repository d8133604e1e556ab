/**
 * `/logusage log <name|id>` (SPEC §9): one log's history against its typical day, its thresholds, mute and snooze,
 * accepted baseline, alerts, sensitivity, planned changes and the recent changes made to it.
 */
import { addDays, daysInRange } from '../../days.js';
import { listAlertsForLog } from '../../store/alerts.js';
import { getBaselineFrom, getSnooze, isMuted, listAudit, thresholdsForLog } from '../../store/controls.js';
import { logSeries } from '../../store/slack-reads.js';
import { displayName, isInternalLog, type LogInfo, latestObservedDay } from '../../store/usage.js';
import { typicalAt } from '../baseline.js';
import { buildLogDetail } from '../blocks/log-detail.js';
import { describeChange } from '../describe-change.js';
import { logPlanLines, logSensitivityView } from '../log-extras.js';
import { sparkline } from '../mrkdwn.js';
import { type CommandContext, type Handlers, HISTORY, LOOKBACK, nameOf, todayOf, withPrice } from './context.js';
import { resolveLog } from './resolve.js';

/** The 10 newest changes to a log: its own audit rows and the log thresholds set on it. */
function changesFor(ctx: CommandContext, logId: string, logs: Map<string, LogInfo>) {
  const own = listAudit(ctx.db, { target: logId, limit: 20 });
  const thresholdChanges = listAudit(ctx.db, { limit: 200 }).filter(
    (a) => a.action.startsWith('threshold.') && a.details?.scope === 'log' && a.details?.target === logId,
  );
  return [...own, ...thresholdChanges]
    .sort((a, b) => b.id - a.id)
    .slice(0, 10)
    .map((a) => ({ at: a.at, actor: a.actor, what: describeChange(a, nameOf(logs)) }));
}

export const logCommands: Handlers<'log'> = {
  log(ctx, cmd) {
    const { db } = ctx;
    const r = resolveLog(ctx, cmd.name, (id) => `log ${id}`);
    if ('reply' in r) return { message: r.reply };
    const log = r.log;
    const latest = latestObservedDay(db);
    const to = latest ?? todayOf(ctx);
    const from = addDays(to, -(HISTORY - 1 + LOOKBACK));
    const days = daysInRange(from, to);
    const s = logSeries(db, log.id, from, to);
    const i = days.length - 1;
    const snooze = getSnooze(db, log.id);
    const nowIso = ctx.now().toISOString();
    const message = buildLogDetail({
      log: {
        id: log.id,
        name: displayName(log),
        logsets: log.logsets.map((x) => x.name),
        inManagement: log.inManagement,
        everListed: log.everListed,
        internal: isInternalLog(log),
        firstSeen: log.firstSeen,
        lastSeen: log.lastSeen,
      },
      latestDay: latest,
      latest: latest === null ? null : Number.isFinite(s[i] as number) ? (s[i] as number) : null,
      typical: latest === null ? null : (typicalAt(days, s, i) ?? null),
      days: days.slice(-HISTORY),
      values: Array.from(s.subarray(s.length - HISTORY)),
      spark: sparkline(s.subarray(s.length - HISTORY)),
      thresholds: thresholdsForLog(
        db,
        log.id,
        log.logsets.map((x) => x.name),
      ),
      muted: isMuted(db, log.id),
      snoozedUntil: snooze && snooze.until > nowIso ? snooze.until : null,
      baselineFrom: getBaselineFrom(db, log.id),
      alerts: listAlertsForLog(db, log.id, 10).map((a) => ({
        id: a.id,
        kind: a.kind,
        status: a.status,
        firstDay: a.firstDay,
        lastDay: a.lastDay,
        reason: a.lastFinding.reason,
      })),
      changes: changesFor(ctx, log.id, ctx.logList.byId()),
      sensitivity: logSensitivityView(db, log.id),
      plans: logPlanLines(db, log, todayOf(ctx)),
      ...withPrice(ctx),
    });
    return { message };
  },
};
