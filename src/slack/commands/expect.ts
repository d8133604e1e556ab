/**
 * `/logusage expect …` (SPEC §9): records, lists and ends planned changes (src/store/planned.ts). The
 * name is a log or a log set: a log by id or exact name first, then a log set by exact name, then a
 * unique part of a log's name, then of a log set's; ambiguous names list the candidates. The last day
 * must be today or later (UTC) and at most a year ahead. Changes are audited by the store.
 */

import { planLabel } from '../../alerts/planned.js';
import { addDays, diffDays } from '../../days.js';
import type { Db } from '../../store/db.js';
import { activePlans, addPlan, endPlan, type PlanRecord } from '../../store/planned.js';
import { displayName, type LogInfo, listLogs } from '../../store/usage.js';
import type { SlackMessage } from '../block-kit.js';
import { buildListReply, buildReply, buildUsageError } from '../blocks/common.js';
import { buildCandidates } from '../blocks/log-detail.js';
import { ellipsize, escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
import { logsetNames, matchLog, matchLogset } from '../names.js';
import { type CommandContext, type Handlers, nameOf, todayOf, whoAt } from './context.js';
import { EXAMPLES } from './table.js';

/** Furthest a plan may reach (days after today). */
export const MAX_PLAN_DAYS = 366;

type Target = { scope: 'log'; log: LogInfo } | { scope: 'logset'; name: string };

/** Resolves a typed name to a log or a log set (see the file comment), or the reply that says why not. */
export function resolvePlanTarget(db: Db, query: string, example: (q: string) => string): Target | { reply: SlackMessage } {
  const logs = listLogs(db);
  const q = query.trim();
  const lower = q.toLowerCase();
  const exactLog = logs.find((l) => l.id === q) ?? logs.filter((l) => l.name === q || l.name?.toLowerCase() === lower);
  if (!Array.isArray(exactLog)) return { scope: 'log', log: exactLog };
  if (exactLog.length === 1) return { scope: 'log', log: exactLog[0] as LogInfo };
  const sets = logsetNames(logs);
  const exactSet = sets.find((n) => n === q) ?? sets.find((n) => n.toLowerCase() === lower);
  if (exactSet && exactLog.length === 0) return { scope: 'logset', name: exactSet };
  const m = matchLog(q, logs);
  if (m.ok) return { scope: 'log', log: m.item };
  if (m.reason === 'ambiguous') {
    return {
      reply: buildCandidates(
        q,
        m.candidates.map((l) => ({ id: l.id, name: displayName(l) })),
        m.total,
        example(m.candidates[0]?.id ?? 'ID'),
      ),
    };
  }
  const s = matchLogset(q, sets);
  if (s.ok) return { scope: 'logset', name: s.item };
  if (s.reason === 'ambiguous') {
    return {
      reply: buildCandidates(
        q,
        s.candidates.map((n) => ({ id: n, name: n })),
        s.total,
        example(`"${s.candidates[0] ?? ''}"`),
      ),
    };
  }
  return { reply: buildUsageError(`no log or log set matches "${ellipsize(q, 60)}"`, EXAMPLES.expect) };
}

/** One line (raw text) describing a plan: "#3 firewall-eu: up to +50 % until 2026-04-30 (migration)". */
export function describePlan(p: PlanRecord, nameOf: (logId: string) => string): string {
  const what = p.scope === 'log' ? nameOf(p.target) : `log set ${p.target}`;
  const how =
    p.kind === 'pct' ? `up to ${planLabel(p)} over its usual day` : `up to ${planLabel(p)}${p.scope === 'logset' ? ' in total' : ''}`;
  return `#${p.id} ${what}: ${how} until ${p.untilDay}${p.why ? ` (${p.why})` : ''}`;
}

/** A log's shown name by id, for the plans' lines. */
const planNames = (ctx: CommandContext) => nameOf(new Map(listLogs(ctx.db).map((l) => [l.id, l])));

export const expectCommands: Handlers<'expect-set' | 'expect-list' | 'expect-remove'> = {
  'expect-list'(ctx) {
    const plans = activePlans(ctx.db, todayOf(ctx));
    if (plans.length === 0) {
      return {
        message: buildReply(
          `No planned changes. Admins add one with \`/logusage ${escapeMrkdwn(EXAMPLES.expect)}\`.`,
          'No planned changes.',
        ),
      };
    }
    const name = planNames(ctx);
    const lines = plans.map((p) => `• ${escapeUntrusted(describePlan(p, name))}`);
    const message = buildListReply({
      title: '*Planned changes* (no alert within them)',
      lines,
      noun: 'plans',
      plain: `${plans.length} planned change${plans.length === 1 ? '' : 's'}: ${plans.map((p) => plainName(describePlan(p, name), 200)).join('; ')}`,
      note: 'End one early with `/logusage expect remove &lt;ID&gt;`.',
    });
    return { message };
  },

  'expect-remove'(ctx, cmd, caller) {
    const today = todayOf(ctx);
    const ended = endPlan(ctx.db, cmd.id, today, whoAt(ctx, caller.userId));
    ctx.cache.clear();
    if (!ended) {
      const ids = activePlans(ctx.db, today).map((p) => p.id);
      return {
        message: buildUsageError(
          `there is no planned change #${cmd.id} in force${ids.length > 0 ? `; in force: ${ids.slice(0, 10).join(', ')}` : ' (there are none)'}`,
          ids.length > 0 ? `expect remove ${ids[0]}` : EXAMPLES.expectList,
        ),
      };
    }
    const line = describePlan(ended, planNames(ctx));
    return {
      message: buildReply(
        `:wastebasket: Ended planned change ${escapeUntrusted(line)}. Its log alerts as usual from the next run.`,
        `Ended planned change ${plainName(line, 300)}.`,
      ),
    };
  },

  'expect-set'(ctx, cmd, caller) {
    ctx.cache.clear();
    const today = todayOf(ctx);
    const days = diffDays(cmd.until, today);
    if (days < 0) {
      return { message: buildUsageError(`${cmd.until} is in the past; a planned change lasts until today or later`, EXAMPLES.expect) };
    }
    if (days > MAX_PLAN_DAYS) {
      return {
        message: buildUsageError(
          `${cmd.until} is more than a year away; plan at most until ${addDays(today, MAX_PLAN_DAYS)}`,
          EXAMPLES.expect,
        ),
      };
    }
    const t = resolvePlanTarget(ctx.db, cmd.name, (q) => `expect ${q} ${cmd.amountText} until ${cmd.until}`);
    if ('reply' in t) return { message: t.reply };
    const plan = addPlan(
      ctx.db,
      {
        scope: t.scope,
        target: t.scope === 'log' ? t.log.id : t.name,
        kind: cmd.plan.kind,
        amount: cmd.plan.kind === 'pct' ? cmd.plan.pct : cmd.plan.bytesPerDay,
        untilDay: cmd.until,
        why: cmd.why || null,
      },
      whoAt(ctx, caller.userId),
    );
    const name = t.scope === 'log' ? `*${shownName(displayName(t.log))}*` : `log set *${shownName(t.name)}*`;
    const how =
      plan.kind === 'pct'
        ? `up to ${planLabel(plan)} over its usual day`
        : `up to ${planLabel(plan)}${plan.scope === 'logset' ? ' in total' : ''}`;
    const why = plan.why ? ` (${escapeUntrusted(plan.why)})` : '';
    return {
      message: buildReply(
        `:calendar: Planned change *#${plan.id}*: ${name} may grow ${how} until ${plan.untilDay}${why}. No alert within it; beyond it the alert says "above the planned ${escapeMrkdwn(planLabel(plan))}". It ends by itself after ${plan.untilDay}.`,
        `Planned change #${plan.id}: ${plainName(t.scope === 'log' ? displayName(t.log) : t.name)} ${how} until ${plan.untilDay}.`,
        `\`/logusage expect remove ${plan.id}\` ends it early.`,
      ),
    };
  },
};
