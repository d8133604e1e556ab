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
import {
  buildGroupMessage,
  buildGroupResolvedReply,
  buildLogSetMessage,
  buildOrgEventNotice,
  type GroupRow,
} from '../slack/blocks/grouped.js';
import type { SlackMessage } from '../slack/mrkdwn.js';
import { alertsOfGroup, getAlertGroup, groupsOfAlerts, insertAlertGroup, setAlertGroup } from '../store/alert-groups.js';
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
import { dropOrgDipDrops, type GroupableEffect, groupLogSets, isOrgDip, logSetMembers, planChannelGroups } from './grouping.js';
import { decideDay, type Effect, episodeDayNumber, keyOf, type LogControls, type OpenEpisode } from './lifecycle.js';
import { withOwners } from './owners-stage.js';
import { withPlannedChanges } from './planned-stage.js';

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
    // Planned changes (`/logusage expect`) cover what they announced (detection itself is unchanged),
    // and each finding names its log set's owner (mentioned in its message).
    const dayFindings = withOwners(
      db,
      withPlannedChanges(
        db,
        day,
        groupDayFindings(db, day, findings, open, controls, nowIso),
        new Set(open.map((e) => e.episodeKey)),
        deps.logger,
      ),
    );
    // Bytes of the logs of log-set episodes too: a set is back when most of its logs send again.
    for (const f of [...dayFindings, ...open.map((e) => e.lastFinding)]) for (const m of logSetMembers(f)) logIds.add(m.logId);
    const noticeKeys = new Set<string>();
    for (const f of dayFindings) {
      const k = keyOf(f);
      if (hasNotice(db, k.key)) noticeKeys.add(k.key);
      const shift = `shift:${k.key}:${day}`;
      if (hasNotice(db, shift)) noticeKeys.add(shift);
    }
    const effects = decideDay({
      day,
      nowIso,
      findings: dayFindings,
      open,
      controls,
      noticesGiven: noticeKeys,
      bytesOnDay: bytesOnDay(db, day, [...logIds]),
      resolveAfterDays: deps.resolveAfterDays,
    });
    // Changes made from the buttons of episodes whose message this day rebuilds (one audit scan).
    const rebuilt = effects.flatMap((e) => (e.type === 'continue' || e.type === 'resolve' || e.type === 'accept' ? [e.episode.id] : []));
    const actions = listAlertActions(db, rebuilt);
    const groups: GroupState = {
      ofEffect: new Map(),
      ofAlert: groupsOfAlerts(db, rebuilt),
      created: new Set(),
      touched: new Set(),
      resolved: new Map(),
    };
    for (const [channel, list] of planChannelGroups(effects, (f) => channelFor(db, f, deps.alertChannel))) {
      const notices = list.flatMap((e) => (e.type === 'notice' ? [e.finding] : []));
      const id = insertAlertGroup(db, { channel, day, notices, now: nowIso });
      groups.created.add(id);
      for (const e of list) groups.ofEffect.set(e, id);
    }
    const summary: AlertDayResult['effects'] = [];
    for (const e of effects) {
      summary.push(applyEffect(deps, day, e, actions, groups));
    }
    queueGroupMessages(deps, day, groups);
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
  groups: GroupState,
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
  /** A grouped episode has no message of its own: its group's message is rebuilt, replies go in its thread. */
  const groupPostOf = (alertId: number) => {
    const g = groups.ofAlert.get(alertId);
    if (g === undefined) return undefined;
    groups.touched.add(g);
    return getOutboxByKey(db, `group:${g}:post`);
  };

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
      const group = groups.ofEffect.get(e);
      if (group !== undefined) {
        setAlertGroup(db, id, group);
        return { type: e.type, key: e.key, reason: 'grouped' };
      }
      const msg = buildEpisodeMessage({
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
      groupPostOf(ep.id);
      const post = postOf(ep.id);
      if (post) {
        const msg = buildEpisodeMessage({
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
      // A grouped episode: one reply per group and day lists every row back to normal (queueGroupMessages).
      const g = groups.ofAlert.get(ep.id);
      if (g !== undefined) {
        groups.touched.add(g);
        groups.resolved.set(g, [...(groups.resolved.get(g) ?? []), ep.lastFinding]);
      }
      const post = postOf(ep.id);
      if (post) {
        const f = ep.lastFinding;
        const msg = buildEpisodeMessage({
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
      const inGroup = groupPostOf(ep.id);
      if (inGroup && e.reason === 'level-shift') {
        const spark = sparkSeries(db, f, day);
        queue(`alert:${ep.id}:new-normal`, inGroup.channel, 'reply', buildNewNormalNotice(f, spark, { inThread: true }), ep.id, inGroup.id);
      }
      const post = e.reason === 'level-shift' ? postOf(ep.id) : undefined;
      if (post) {
        const spark = sparkSeries(db, f, day);
        const msg = buildEpisodeMessage({
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
      // Listed in the day's grouped message of its channel instead of a message of its own.
      if (groups.ofEffect.has(e)) return { type: e.type, key: e.key, reason: 'grouped' };
      const channel = channelFor(db, f, deps.alertChannel);
      const spark = sparkSeries(db, f, day);
      const msg = e.key.startsWith('shift:')
        ? buildNewNormalNotice(f, spark, { inThread: false })
        : isOrgDip(f)
          ? buildOrgEventNotice(f, spark)
          : buildNoticeMessage(f, spark);
      queue(`notice:${e.key}`, channel, 'post', msg, null);
      return { type: e.type, key: e.key };
    }
    case 'suppressed':
      return { type: e.type, key: keyOf(e.finding).key, reason: e.reason };
  }
}

/** Grouped messages of one day's run: which new effect goes into which group, and which groups to (re)build. */
interface GroupState {
  /** New messages of the day listed in a group instead (planChannelGroups). */
  ofEffect: Map<GroupableEffect, number>;
  /** Group of each rebuilt episode that belongs to one. */
  ofAlert: Map<number, number>;
  /** Groups made today: their message is posted. */
  created: Set<number>;
  /** Earlier groups with an episode that changed today: their message is updated. */
  touched: Set<number>;
  /** Per group, the findings of its episodes resolved today (one reply in its thread lists them). */
  resolved: Map<number, Finding[]>;
}

/**
 * The day's findings as the lifecycle sees them (grouping.ts): no per-log drop opened on an organisation-wide
 * holiday or dip day; logs of one log set down together → one log-set finding. Findings of snoozed logs
 * without an open episode are left to the lifecycle (suppressed) rather than counted into a log set.
 */
function groupDayFindings(
  db: Db,
  day: Day,
  findings: Finding[],
  open: OpenEpisode[],
  controls: ReadonlyMap<string, LogControls>,
  nowIso: string,
): Finding[] {
  const openKeys = new Set(open.map((e) => e.episodeKey));
  const quiet = (f: Finding) => {
    const c = f.logId ? controls.get(f.logId) : undefined;
    return !!c && (c.muted || (c.snoozedUntil !== null && c.snoozedUntil > nowIso)) && !openKeys.has(keyOf(f).key);
  };
  const kept = dropOrgDipDrops(day, findings, openKeys);
  const candidates = kept.filter((f) => !quiet(f));
  if (!candidates.some((f) => f.scope === 'log' && (f.kind === 'silent' || f.kind === 'drop'))) return kept;
  // Logs of a set that normally report: listed and with data in the fortnight before the day.
  const since = addDays(day, -14);
  const reporting = new Map<string, number>();
  for (const l of listLogs(db)) {
    if (!l.inManagement || l.lastSeen === null || l.lastSeen < since) continue;
    for (const s of l.logsets) reporting.set(s.name, (reporting.get(s.name) ?? 0) + 1);
  }
  const grouped = groupLogSets({ day, findings: candidates, openKeys, reportingLogs: reporting });
  return [...grouped, ...kept.filter(quiet)];
}

/** The episode message: the log-set message for a log set down together, else the alert message. */
function buildEpisodeMessage(v: Parameters<typeof buildAlertMessage>[0]): SlackMessage {
  const members = logSetMembers(v.finding);
  if (members.length === 0) return buildAlertMessage(v);
  return buildLogSetMessage({
    alertId: v.alertId ?? 0,
    finding: v.finding,
    members,
    reporting: Number(v.finding.details?.logsReporting ?? members.length),
    state: v.state,
    firstDay: v.firstDay,
    dayNumber: v.dayNumber,
    ...(v.endDay ? { endDay: v.endDay } : {}),
    spark: v.spark,
    ...(v.actions ? { actions: v.actions } : {}),
  });
}

/** Posts the groups made today and updates the earlier groups whose episodes changed (one update each). */
function queueGroupMessages(deps: AlertRunDeps, day: Day, groups: GroupState): void {
  const { db } = deps;
  const now = deps.now.toISOString();
  for (const id of [...groups.created, ...groups.touched]) {
    const g = getAlertGroup(db, id);
    if (!g) continue;
    const alerts = alertsOfGroup(db, id);
    const rows: GroupRow[] = [
      ...alerts.map((a) => ({ alertId: a.id, finding: a.lastFinding, status: a.status })),
      ...g.notices.map((f) => ({ alertId: null, finding: f, status: 'notice' as const })),
    ];
    const actions = [
      ...listAlertActions(
        db,
        alerts.map((a) => a.id),
      ).values(),
    ]
      .flat()
      .sort((a, b) => (a.at < b.at ? -1 : 1));
    const msg = buildGroupMessage({ day: g.day, rows, actions });
    const payload = { text: msg.text, blocks: msg.blocks };
    if (groups.created.has(id)) {
      enqueueOutbox(db, { idemKey: `group:${id}:post`, channel: g.channel, method: 'post', payload, alertId: null, now });
      continue;
    }
    const post = getOutboxByKey(db, `group:${id}:post`);
    if (post) {
      enqueueOutbox(db, {
        idemKey: `group:${id}:update:${day}`,
        channel: post.channel,
        method: 'update',
        payload,
        alertId: null,
        parentOutboxId: post.id,
        now,
      });
      const back = groups.resolved.get(id) ?? [];
      if (back.length > 0) {
        const reply = buildGroupResolvedReply(back, day);
        enqueueOutbox(db, {
          idemKey: `group:${id}:resolved:${day}`,
          channel: post.channel,
          method: 'reply',
          payload: { text: reply.text, blocks: reply.blocks },
          alertId: null,
          parentOutboxId: post.id,
          now,
        });
      }
    }
  }
}
