/**
 * Applies the alert lifecycle (lifecycle.ts) for one day: reads episodes and controls, decides, then
 * writes every alert change, every notice and every outbox message it causes in ONE transaction,
 * together with the mark that the day was processed. A crash leaves all of it or none of it, and a
 * day already processed is never applied again (running a day twice posts nothing new).
 * A dry run does the same inside a transaction that is rolled back and returns what would be sent.
 */
import { addDays, type Day, monthOf } from '../days.js';
import type { Finding } from '../detect/types.js';
import type { Logger } from '../logger.js';
import { withEpisodeImpact } from '../money.js';
import {
  type AlertAction,
  buildAlertMessage,
  buildNewNormalNotice,
  buildNoticeMessage,
  buildResolvedReply,
} from '../slack/blocks/alert.js';
import type { SlackMessage } from '../slack/mrkdwn.js';
import {
  type AlertRecord,
  claimNotice,
  hasNotice,
  insertAlert,
  isAlertDayProcessed,
  latestAlertDay,
  listOpenAlerts,
  markAlertDayProcessed,
  updateAlert,
} from '../store/alerts.js';
import { getBaselineFrom, getSnooze, isMuted, listAlertActions, routeFor } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { enqueueOutbox, getOutboxByKey, maxOutboxId, type OutboxRecord, outboxAfter, writeOrPreview } from '../store/outbox.js';
import { bytesOnDay, isObserved, logSeries, orgSeries } from '../store/slack-reads.js';
import { listLogs } from '../store/usage.js';
import { decideDay, type Effect, episodeDayNumber, keyOf, type LogControls, type OpenEpisode } from './lifecycle.js';

export interface AlertRunDeps {
  db: Db;
  logger: Logger;
  /** The run's clock reading (snooze expiry, timestamps). */
  now: Date;
  /** Default channel id of alerts (routes by log set override it). */
  alertChannel: string;
  /** Consecutive normal days that resolve an episode. */
  resolveAfterDays: number;
}

export interface AlertDayResult {
  day: Day;
  /**
   * applied: processed now; already-processed: nothing to do; stale: older than the newest processed
   * day; not-observed: the day was never collected, so it is left for a run that has its data.
   */
  status: 'applied' | 'already-processed' | 'stale' | 'not-observed';
  effects: Array<{ type: Effect['type']; key: string; reason?: string }>;
  /** Outbox rows queued by this day (in a dry run: what would have been queued). */
  queued: OutboxRecord[];
}

/** Days of sparkline in alert messages. */
export const SPARK_DAYS = 30;

function toEpisode(a: AlertRecord): OpenEpisode {
  return {
    id: a.id,
    episodeKey: a.episodeKey,
    scope: a.scope,
    logId: a.logId,
    kind: a.kind,
    firstDay: a.firstDay,
    lastDay: a.lastDay,
    evaluatedDay: a.evaluatedDay,
    findingDays: a.findingDays,
    normalDays: a.normalDays,
    lastFinding: a.lastFinding,
  };
}

/** Bytes per day of the 30 days ending at `day` for what a finding is about. */
export function sparkSeries(db: Db, f: Finding, day: Day): Float64Array {
  const from = addDays(day, -(SPARK_DAYS - 1));
  if (f.scope === 'log' && f.logId) return logSeries(db, f.logId, from, day);
  if (f.scope === 'org') return orgSeries(db, from, day);
  const members = listLogs(db).filter((l) => l.logsets.some((s) => s.name === f.logName));
  const out = new Float64Array(SPARK_DAYS).fill(Number.NaN);
  for (const l of members) {
    const s = logSeries(db, l.id, from, day);
    for (let i = 0; i < SPARK_DAYS; i++) {
      const v = s[i] as number;
      if (Number.isFinite(v)) out[i] = (Number.isFinite(out[i] as number) ? (out[i] as number) : 0) + v;
    }
  }
  return out;
}

function channelFor(db: Db, f: Finding, fallback: string): string {
  if (f.kind === 'budget' || f.scope === 'org') return fallback;
  return routeFor(db, f.scope === 'logset' ? [f.logName] : f.logsets) ?? fallback;
}

/** Processes `day` (see the file comment). Findings of other days are ignored. */
export function applyAlertDay(deps: AlertRunDeps, day: Day, findings: Finding[], opts: { dryRun?: boolean } = {}): AlertDayResult {
  const { db } = deps;
  const nowIso = deps.now.toISOString();
  const work = (): AlertDayResult => {
    const firstNew = maxOutboxId(db);
    if (isAlertDayProcessed(db, day)) return { day, status: 'already-processed', effects: [], queued: [] };
    const latest = latestAlertDay(db);
    if (latest !== null && day < latest) return { day, status: 'stale', effects: [], queued: [] };
    if (!isObserved(db, day)) return { day, status: 'not-observed', effects: [], queued: [] };

    const open = listOpenAlerts(db, 100_000).map(toEpisode);
    const logIds = new Set<string>();
    for (const e of open) if (e.logId) logIds.add(e.logId);
    for (const f of findings) if (f.logId) logIds.add(f.logId);
    const controls = new Map<string, LogControls>();
    for (const id of logIds) {
      const snooze = getSnooze(db, id);
      controls.set(id, { muted: isMuted(db, id), snoozedUntil: snooze?.until ?? null, baselineFrom: getBaselineFrom(db, id) });
    }
    const noticeKeys = new Set<string>();
    for (const f of findings) {
      const k = keyOf(f);
      if (hasNotice(db, k.key)) noticeKeys.add(k.key);
      const shift = `shift:${k.key}:${day}`;
      if (hasNotice(db, shift)) noticeKeys.add(shift);
    }
    const effects = decideDay({
      day,
      nowIso,
      findings,
      open,
      controls,
      noticesGiven: noticeKeys,
      bytesOnDay: bytesOnDay(db, day, [...logIds]),
      resolveAfterDays: deps.resolveAfterDays,
    });
    // Changes made from the buttons of episodes whose message this day rebuilds (one audit scan).
    const rebuilt = effects.flatMap((e) => (e.type === 'continue' || e.type === 'resolve' || e.type === 'accept' ? [e.episode.id] : []));
    const actions = listAlertActions(db, rebuilt);
    const summary: AlertDayResult['effects'] = [];
    for (const e of effects) {
      summary.push(applyEffect(deps, day, e, actions));
    }
    markAlertDayProcessed(db, day, findings.filter((f) => f.day === day).length, nowIso);
    return { day, status: 'applied', effects: summary, queued: outboxAfter(db, firstNew) };
  };

  const r = writeOrPreview(db, work, opts.dryRun ?? false);
  if (!opts.dryRun) for (const e of r.effects) deps.logger.info({ day, effect: e.type, key: e.key, reason: e.reason }, 'alert lifecycle');
  return r;
}

/** `actions`: per alert id, the changes made from its message's buttons (shown on every rebuild). */
function applyEffect(
  deps: AlertRunDeps,
  day: Day,
  e: Effect,
  actions: ReadonlyMap<number, readonly AlertAction[]>,
): AlertDayResult['effects'][number] {
  const { db } = deps;
  const now = deps.now.toISOString();
  const queue = (
    idemKey: string,
    channel: string,
    method: 'post' | 'update' | 'reply',
    msg: SlackMessage,
    alertId: number | null,
    parent?: number,
  ) =>
    enqueueOutbox(db, {
      idemKey,
      channel,
      method,
      payload: { text: msg.text, blocks: msg.blocks },
      alertId,
      ...(parent === undefined ? {} : { parentOutboxId: parent }),
      now,
    });
  const postOf = (alertId: number) => getOutboxByKey(db, `alert:${alertId}:post`);

  switch (e.type) {
    case 'open': {
      const f = e.finding;
      const channel = channelFor(db, f, deps.alertChannel);
      const id = insertAlert(db, {
        episodeKey: e.key,
        scope: f.scope,
        logId: f.logId,
        target: f.scope === 'log' ? null : f.logName,
        kind: f.kind,
        status: 'open',
        day,
        channel,
        finding: f,
        now,
      });
      const msg = buildAlertMessage({
        alertId: id,
        finding: f,
        state: 'open',
        firstDay: day,
        dayNumber: 1,
        findingDays: 1,
        spark: sparkSeries(db, f, day),
      });
      queue(`alert:${id}:post`, channel, 'post', msg, id);
      return { type: e.type, key: e.key };
    }
    case 'continue': {
      const ep = e.episode;
      // The episode's money so far (SPEC §7) rides on the finding it stores as its last one.
      const f = withEpisodeImpact(e.finding, ep.lastFinding);
      updateAlert(db, ep.id, {
        kind: f.kind,
        lastDay: day,
        evaluatedDay: day,
        findingDays: ep.findingDays + 1,
        normalDays: 0,
        lastFinding: f,
        now,
      });
      const post = postOf(ep.id);
      if (post) {
        const msg = buildAlertMessage({
          alertId: ep.id,
          finding: f,
          state: 'open',
          firstDay: ep.firstDay,
          dayNumber: e.dayNumber,
          findingDays: ep.findingDays + 1,
          spark: sparkSeries(db, f, day),
          actions: actions.get(ep.id) ?? [],
        });
        queue(`alert:${ep.id}:update:${day}`, post.channel, 'update', msg, ep.id, post.id);
      }
      return { type: e.type, key: ep.episodeKey };
    }
    case 'normal':
      updateAlert(db, e.episode.id, { evaluatedDay: day, normalDays: e.normalDays, now });
      return { type: e.type, key: e.episode.episodeKey };
    case 'hold':
      updateAlert(db, e.episode.id, { evaluatedDay: day, now });
      return { type: e.type, key: e.episode.episodeKey, reason: e.reason };
    case 'resolve': {
      const ep = e.episode;
      updateAlert(db, ep.id, {
        status: 'resolved',
        evaluatedDay: day,
        normalDays: e.normalDays,
        resolvedDay: day,
        endReason: 'normal',
        now,
      });
      const post = postOf(ep.id);
      if (post) {
        const f = ep.lastFinding;
        const msg = buildAlertMessage({
          alertId: ep.id,
          finding: f,
          state: 'resolved',
          firstDay: ep.firstDay,
          dayNumber: episodeDayNumber(ep.firstDay, day),
          findingDays: ep.findingDays,
          endDay: addDays(day, -(e.normalDays - 1)),
          spark: sparkSeries(db, f, day),
          actions: actions.get(ep.id) ?? [],
        });
        queue(`alert:${ep.id}:resolved`, post.channel, 'update', msg, ep.id, post.id);
        const latest = f.logId ? (bytesOnDay(db, day, [f.logId]).get(f.logId) ?? 0) : null;
        queue(`alert:${ep.id}:resolved-reply`, post.channel, 'reply', buildResolvedReply(f, day, e.normalDays, latest), ep.id, post.id);
      }
      return { type: e.type, key: ep.episodeKey };
    }
    case 'accept': {
      const ep = e.episode;
      const f = e.finding ?? ep.lastFinding;
      updateAlert(db, ep.id, {
        status: 'accepted',
        evaluatedDay: day,
        resolvedDay: day,
        endReason: e.reason,
        ...(e.finding ? { lastFinding: e.finding, lastDay: day, findingDays: ep.findingDays + 1, kind: e.finding.kind } : {}),
        now,
      });
      // Muted / marked as expected: the button (or command) that did it already said so on the
      // message (src/slack/listeners/alert-actions.ts); the episode ends without another word.
      const post = e.reason === 'level-shift' ? postOf(ep.id) : undefined;
      if (post) {
        const spark = sparkSeries(db, f, day);
        const msg = buildAlertMessage({
          alertId: ep.id,
          finding: f,
          state: 'level-shift',
          firstDay: ep.firstDay,
          dayNumber: episodeDayNumber(ep.firstDay, day),
          findingDays: ep.findingDays + 1,
          endDay: day,
          spark,
          actions: actions.get(ep.id) ?? [],
        });
        queue(`alert:${ep.id}:level-shift`, post.channel, 'update', msg, ep.id, post.id);
        queue(`alert:${ep.id}:new-normal`, post.channel, 'reply', buildNewNormalNotice(f, spark, { inThread: true }), ep.id, post.id);
      }
      return { type: e.type, key: ep.episodeKey, reason: e.reason };
    }
    case 'notice': {
      const f = e.finding;
      claimNotice(db, e.key, now, { kind: f.kind, day, logId: f.logId, logName: f.logName, level: f.details?.level ?? null });
      // A budget notice of a higher level stands for the lower levels reached with it (no 80% after 100%).
      const levels = f.kind === 'budget' && Array.isArray(f.details?.levels) ? (f.details.levels as unknown[]) : [];
      for (const level of levels)
        claimNotice(db, `budget:${monthOf(day)}:${String(level)}`, now, { kind: f.kind, day, level, coveredBy: e.key });
      const channel = channelFor(db, f, deps.alertChannel);
      const spark = sparkSeries(db, f, day);
      const msg = e.key.startsWith('shift:') ? buildNewNormalNotice(f, spark, { inThread: false }) : buildNoticeMessage(f, spark);
      queue(`notice:${e.key}`, channel, 'post', msg, null);
      return { type: e.type, key: e.key };
    }
    case 'suppressed':
      return { type: e.type, key: keyOf(e.finding).key, reason: e.reason };
  }
}
