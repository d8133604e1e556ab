/**
 * `/logusage status` (SPEC §9): the recent runs, the next one, coverage, the budget, what is open, snoozed, planned
 * and muted, the admins, the recent changes and, when it can be checked, whether the app is in the channels it posts to.
 */
import { describeError } from '../../errors.js';
import { activeSnoozes, effectiveBudget, listAudit, listMutedLogIds, listRoutes, listThresholds } from '../../store/controls.js';
import { recentRuns } from '../../store/runs.js';
import { countOpenAlerts } from '../../store/slack-reads.js';
import { coverage } from '../../store/usage.js';
import { buildStatus } from '../blocks/status.js';
import { describeChange } from '../describe-change.js';
import { planLines } from '../log-extras.js';
import { channelsToCheck } from '../membership.js';
import { type Handlers, nameOf, todayOf } from './context.js';

export const statusCommands: Handlers<'status'> = {
  async status(ctx) {
    const { db, settings, logger } = ctx;
    const uses = channelsToCheck(settings, listRoutes(db));
    const checked = ctx.checkMembership ? await ctx.checkMembership(uses.map((u) => u.channel)) : [];
    const channels = checked.map((m) => ({ ...m, uses: uses.find((u) => u.channel === m.channel)?.uses ?? [] }));
    const name = nameOf(ctx.logList.byId());
    let next: Date | null = null;
    try {
      next = ctx.features.nextRun?.() ?? null;
    } catch (err) {
      logger.warn({ err: describeError(err) }, 'nextRun hook failed');
    }
    const message = buildStatus({
      runs: recentRuns(db, 6).map((r) => ({
        job: r.job,
        status: r.status,
        startedAt: r.startedAt,
        durationMs: r.durationMs,
        error: r.error,
        day: r.day ?? (r.windowFrom ? `${r.windowFrom}…${r.windowTo}` : null),
      })),
      nextRun: next ? next.toISOString() : null,
      coverage: coverage(db),
      budget: effectiveBudget(db, settings.monthlyBudget),
      openAlerts: countOpenAlerts(db),
      snoozed: activeSnoozes(db, ctx.now().toISOString()).length,
      plans: planLines(db, todayOf(ctx)),
      muted: listMutedLogIds(db).length,
      thresholds: listThresholds(db).length,
      admins: ctx.admins.size,
      changes: listAudit(db, { limit: 10 }).map((a) => ({ at: a.at, actor: a.actor, what: describeChange(a, name) })),
      ...(ctx.checkMembership ? { channels } : {}),
    });
    return { message };
  },
};
