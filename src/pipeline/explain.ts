/**
 * The cause inside a log (SPEC §6.6), impure edge: top keys (cached per log) → a host-like key → one Log Search
 * query over [D−7, D+1) → the contributors (src/detect/root-cause.ts). The daily run calls `explainDay` after
 * the alerts were delivered; its replies go in each alert's thread through the durable outbox, so the alert is
 * never held back by the explanation.
 *
 * A failure (4xx/5xx, timeout, unknown shape, a refused poll link) costs the explanation only: it is logged
 * once with its cause and recorded, and never fails the run. A failure that says Log Search is unavailable
 * (network, 5xx, 401/403, rate limits, timeouts) ends the explanations of the run at once (one line for all).
 */
import { sparkSeries } from '../alerts/messages.js';
import type { Day } from '../days.js';
import {
  analyseCause,
  buildCauseStatement,
  type CauseAnalysis,
  causeWindowMs,
  chooseGroupKey,
  describeCause,
  wantsCause,
} from '../detect/root-cause.js';
import type { Finding } from '../detect/types.js';
import { AppError, describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LogSearchClient } from '../rapid7/query.js';
import { buildAlertMessage } from '../slack/blocks/alert.js';
import { buildCauseMessage, causeChangeText } from '../slack/blocks/cause.js';
import { groupsOfAlerts } from '../store/alert-groups.js';
import { type AlertRecord, listOpenAlerts, updateAlert } from '../store/alerts.js';
import { listAlertActions } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { getExplanation, getTopKeys, putExplanation, putTopKeys } from '../store/explanations.js';
import { enqueueOutbox, getOutboxByKey, type OutboxRecord } from '../store/outbox.js';

export interface ExplainDeps {
  db: Db;
  logger: Logger;
  client: LogSearchClient;
  now: () => Date;
  /** Longest time for one explanation (top keys + query + polls), ms; default 60 s. */
  deadlineMs?: number;
  /** Top keys older than this are asked again, days; default 7. */
  topkeysTtlDays?: number;
}

export type ExplainResult =
  | { status: 'ok'; analysis: CauseAnalysis; text: string }
  | { status: 'none'; text: string }
  | { status: 'failed'; code: string; text: string };

/** Failures that say Log Search is not usable right now (the rest of a run would fail the same way). */
const UNAVAILABLE = new Set([
  'RAPID7_NETWORK',
  'RAPID7_SERVER',
  'RAPID7_TIMEOUT',
  'RAPID7_UNAUTHORIZED',
  'RAPID7_FORBIDDEN',
  'RAPID7_RATE_LIMITED',
]);

async function groupKeyOf(deps: ExplainDeps, logId: string, deadline: number): Promise<string | null> {
  const cached = getTopKeys(deps.db, logId);
  const ttl = (deps.topkeysTtlDays ?? 7) * 86_400_000;
  if (cached && deps.now().getTime() - Date.parse(cached.fetchedAt) < ttl) return cached.groupKey;
  const topkeys = await deps.client.topKeys(logId, deadline);
  const groupKey = chooseGroupKey(topkeys);
  putTopKeys(deps.db, { logId, groupKey, topkeys, fetchedAt: deps.now().toISOString() });
  return groupKey;
}

/**
 * Explains one log's day. `direction`: which way the change went (a spike or threshold: up). Records the
 * result; throws nothing (a failure is a result).
 */
export async function explainLog(deps: ExplainDeps, logId: string, day: Day, direction: 'up' | 'down'): Promise<ExplainResult> {
  const deadline = Date.now() + (deps.deadlineMs ?? 60_000);
  let result: ExplainResult;
  try {
    const key = await groupKeyOf(deps, logId, deadline);
    if (key === null) {
      result = { status: 'none', text: 'Log Search lists no host-like key for this log (host, asset, source …) to group by.' };
    } else {
      const { fromMs, toMs } = causeWindowMs(day);
      const answer = await deps.client.groupBy(logId, buildCauseStatement(key), fromMs, toMs, deadline);
      const analysis = analyseCause(answer, key, direction);
      result = analysis
        ? { status: 'ok', analysis, text: '' }
        : { status: 'none', text: `Log Search shows no value of ${key} that carried the change.` };
    }
  } catch (err) {
    const code = err instanceof AppError ? err.code : 'INTERNAL';
    result = { status: 'failed', code, text: err instanceof AppError ? err.message : describeError(err) };
  }
  putExplanation(deps.db, {
    logId,
    day,
    status: result.status,
    text: result.text,
    details: result.status === 'ok' ? { analysis: result.analysis } : result.status === 'failed' ? { code: result.code } : null,
    createdAt: deps.now().toISOString(),
  });
  return result;
}

export interface ExplainDayResult {
  explained: number;
  none: number;
  failed: number;
  /** Findings left unexplained: the per-run bound, or Log Search unavailable. */
  skipped: number;
  queued: OutboxRecord[];
  counts: ReturnType<LogSearchClient['counts']>;
}

/**
 * The alert's own message gets the cause line too (the thread has the details): the episode's stored finding
 * carries `details.cause`, and the message is updated once (`alert:<id>:cause-update:<day>`).
 */
function withCauseLine(
  deps: ExplainDeps,
  a: AlertRecord,
  day: Day,
  cause: string,
  postId: number,
  channel: string,
): OutboxRecord | undefined {
  const finding: Finding = { ...a.lastFinding, details: { ...(a.lastFinding.details ?? {}), cause } };
  updateAlert(deps.db, a.id, { evaluatedDay: a.evaluatedDay, lastFinding: finding, now: deps.now().toISOString() });
  const msg = buildAlertMessage({
    alertId: a.id,
    finding,
    state: 'open',
    firstDay: a.firstDay,
    dayNumber: 1,
    findingDays: a.findingDays,
    spark: sparkSeries(deps.db, finding, day),
    actions: listAlertActions(deps.db, [a.id]).get(a.id) ?? [],
  });
  const key = `alert:${a.id}:cause-update:${day}`;
  enqueueOutbox(deps.db, {
    idemKey: key,
    channel,
    method: 'update',
    payload: { text: msg.text, blocks: msg.blocks },
    alertId: a.id,
    parentOutboxId: postId,
    now: deps.now().toISOString(),
  });
  return getOutboxByKey(deps.db, key);
}

function directionOf(f: Finding): 'up' | 'down' {
  return f.kind === 'drop' ? 'down' : 'up';
}

/** Queries in flight at once in one run. */
export const EXPLAIN_CONCURRENCY = 4;

/**
 * Explains the alerts opened on `day` (episodes whose finding is a spike, drop or threshold of one log),
 * largest change first, at most `maxExplanations`, and queues each explanation as a reply in its
 * alert's thread. Already explained (log, day) pairs are not asked again.
 */
export async function explainDay(
  deps: ExplainDeps,
  day: Day,
  opts: { maxExplanations?: number; concurrency?: number } = {},
): Promise<ExplainDayResult> {
  const max = opts.maxExplanations ?? 20;
  const out: ExplainDayResult = { explained: 0, none: 0, failed: 0, skipped: 0, queued: [], counts: deps.client.counts() };
  const alerts = listOpenAlerts(deps.db, 100_000)
    // Asked once per episode, on the day it opens; later days are one `/logusage explain` away.
    .filter((a) => a.firstDay === day && a.lastDay === day && a.logId !== null && wantsCause(a.lastFinding))
    .filter((a) => {
      if (getOutboxByKey(deps.db, `alert:${a.id}:cause:${day}`)) return false;
      return getExplanation(deps.db, a.logId as string, day)?.status !== 'none';
    })
    .sort((a, b) => Math.abs(b.lastFinding.changeBytes) - Math.abs(a.lastFinding.changeBytes) || a.id - b.id);
  let unavailable = null as { code: string; text: string } | null;
  const one = async (a: (typeof alerts)[number]): Promise<void> => {
    const f = a.lastFinding;
    // An explanation made by an earlier, interrupted run is posted without asking again.
    const stored = getExplanation(deps.db, a.logId as string, day);
    const r: ExplainResult =
      stored?.status === 'ok' && stored.details?.analysis
        ? { status: 'ok', analysis: stored.details.analysis as CauseAnalysis, text: stored.text }
        : await explainLog(deps, a.logId as string, day, directionOf(f));
    if (r.status === 'ok') {
      out.explained++;
      // The alert's own message, or the grouped message that lists it (SPEC §7): the reply goes in its thread.
      const group = groupsOfAlerts(deps.db, [a.id]).get(a.id);
      const post =
        getOutboxByKey(deps.db, `alert:${a.id}:post`) ?? (group === undefined ? undefined : getOutboxByKey(deps.db, `group:${group}:post`));
      if (post) {
        // The reply, the stored cause and the message's update: all of them or none (a crash mid-way is redone).
        const rows = deps.db
          .transaction((): OutboxRecord[] => {
            const msg = buildCauseMessage({ logName: f.logName, day, analysis: r.analysis, finding: f });
            const key = `alert:${a.id}:cause:${day}`;
            enqueueOutbox(deps.db, {
              idemKey: key,
              channel: post.channel,
              method: 'reply',
              payload: { text: msg.text, blocks: msg.blocks },
              alertId: a.id,
              parentOutboxId: post.id,
              now: deps.now().toISOString(),
            });
            const reply = getOutboxByKey(deps.db, key);
            const update =
              group === undefined
                ? withCauseLine(deps, a, day, describeCause(r.analysis, causeChangeText(f)), post.id, post.channel)
                : undefined;
            return [reply, update].filter((x): x is OutboxRecord => x !== undefined);
          })
          .immediate();
        out.queued.push(...rows);
      }
    } else if (r.status === 'none') out.none++;
    else {
      out.failed++;
      if (UNAVAILABLE.has(r.code)) unavailable ??= r;
      else
        deps.logger.warn({ logId: a.logId, day, code: r.code, cause: r.text }, 'no root cause for this alert; the alert stands without it');
    }
  };
  // A few queries run at once (each polls): 20 explanations take a few polls' time, not twenty.
  const queue = alerts.slice(0, max);
  out.skipped += alerts.length - queue.length;
  const worker = async (): Promise<void> => {
    for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
      if (unavailable) {
        out.skipped++;
        continue;
      }
      await one(a);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? EXPLAIN_CONCURRENCY, queue.length) }, worker));
  if (unavailable) {
    deps.logger.warn(
      {
        day,
        code: (unavailable as { code: string }).code,
        cause: (unavailable as { text: string }).text,
        unexplained: out.failed + out.skipped,
      },
      'Log Search is unavailable: alerts of this run go without their root cause',
    );
  } else if (out.skipped > 0) {
    deps.logger.info({ day, unexplained: out.skipped, bound: max }, 'root causes: the per-run bound left some alerts unexplained');
  }
  out.counts = deps.client.counts();
  return out;
}
