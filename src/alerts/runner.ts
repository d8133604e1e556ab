/**
 * Applies the alert lifecycle (lifecycle.ts) for one day, in ONE transaction: reads episodes, controls and
 * notices; decides (the pure lifecycle); writes every alert change and notice; then renders the messages those
 * call for from view models and queues them (messages.ts), together with the mark that the day was processed.
 * A crash leaves all of it or none of it, and a day already processed is never applied again (running a day
 * twice posts nothing new). A dry run does the same inside a transaction that is rolled back and returns what
 * would be sent.
 */
import { addDays, type Day, monthOf } from '../days.js';
import type { Finding } from '../detect/types.js';
import type { Logger } from '../logger.js';
import { withEpisodeImpact } from '../money.js';
import type { AlertAction, AlertView } from '../slack/blocks/alert.js';
import { groupsOfAlerts, insertAlertGroup, setAlertGroup } from '../store/alert-groups.js';
import {
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
import { maxOutboxId, type OutboxRecord, outboxAfter, writeOrPreview } from '../store/outbox.js';
import { bytesOnDay, isObserved } from '../store/slack-reads.js';
import { listLogs } from '../store/usage.js';
import { dropOrgDipDrops, type GroupableEffect, groupLogSets, logSetMembers, planChannelGroups } from './grouping.js';
import { decideDay, type Effect, episodeDayNumber, keyOf, type LogControls, type OpenEpisode } from './lifecycle.js';
import { type Draft, type Outgoing, queueMessages } from './messages.js';
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

    // An alert record is an open episode as the lifecycle reads it (its other fields are ignored there).
    const open: OpenEpisode[] = listOpenAlerts(db, 100_000);
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
      created: new Map(),
      touched: new Set(),
      resolved: new Map(),
    };
    for (const [channel, list] of planChannelGroups(effects, (f) => channelFor(db, f, deps.alertChannel))) {
      const notices = list.flatMap((e) => (e.type === 'notice' ? [e.finding] : []));
      const id = insertAlertGroup(db, { channel, day, notices, now: nowIso });
      groups.created.set(id, channel);
      for (const e of list) groups.ofEffect.set(e, id);
    }
    // Every state change first, then the messages it calls for (messages.ts: view models → builders → outbox).
    const out: Outgoing[] = [];
    const summary = effects.map((e) => applyEffect(deps, day, e, actions, groups, out));
    groupMessages(day, groups, out);
    queueMessages(db, day, nowIso, out);
    markAlertDayProcessed(db, day, findings.filter((f) => f.day === day).length, nowIso);
    return { day, status: 'applied', effects: summary, queued: outboxAfter(db, firstNew) };
  };

  const r = writeOrPreview(db, work, opts.dryRun ?? false);
  if (!opts.dryRun) for (const e of r.effects) deps.logger.info({ day, effect: e.type, key: e.key, reason: e.reason }, 'alert lifecycle');
  return r;
}

/**
 * Writes the state change of one effect and says which messages it calls for (`out`, rendered and queued by
 * messages.ts once every change of the day is written). `actions`: per alert id, the changes made from its
 * message's buttons (shown on every rebuild).
 */
function applyEffect(
  deps: AlertRunDeps,
  day: Day,
  e: Effect,
  actions: ReadonlyMap<number, readonly AlertAction[]>,
  groups: GroupState,
  out: Outgoing[],
): AlertDayResult['effects'][number] {
  const { db } = deps;
  const now = deps.now.toISOString();
  const postKey = (alertId: number) => `alert:${alertId}:post`;
  /** A grouped episode has no message of its own: its group's message is rebuilt, replies go in its thread. */
  const groupOf = (alertId: number) => {
    const g = groups.ofAlert.get(alertId);
    if (g !== undefined) groups.touched.add(g);
    return g;
  };
  const episodeView = (ep: OpenEpisode, v: Omit<AlertView, 'spark' | 'alertId' | 'firstDay' | 'actions'>) => ({
    kind: 'episode' as const,
    view: { alertId: ep.id, firstDay: ep.firstDay, actions: actions.get(ep.id) ?? [], ...v },
  });

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
      const view = { alertId: id, finding: f, state: 'open' as const, firstDay: day, dayNumber: 1, findingDays: 1 };
      out.push({ idemKey: postKey(id), method: 'post', channel, alertId: id, draft: { kind: 'episode', view } });
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
      groupOf(ep.id);
      out.push({
        idemKey: `alert:${ep.id}:update:${day}`,
        method: 'update',
        parentKey: postKey(ep.id),
        alertId: ep.id,
        draft: episodeView(ep, { finding: f, state: 'open', dayNumber: e.dayNumber, findingDays: ep.findingDays + 1 }),
      });
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
      // A grouped episode: one reply per group and day lists every row back to normal (groupMessages).
      const g = groupOf(ep.id);
      if (g !== undefined) groups.resolved.set(g, [...(groups.resolved.get(g) ?? []), ep.lastFinding]);
      const f = ep.lastFinding;
      const view = episodeView(ep, {
        finding: f,
        state: 'resolved',
        dayNumber: episodeDayNumber(ep.firstDay, day),
        findingDays: ep.findingDays,
        endDay: addDays(day, -(e.normalDays - 1)),
      });
      out.push(
        { idemKey: `alert:${ep.id}:resolved`, method: 'update', parentKey: postKey(ep.id), alertId: ep.id, draft: view },
        {
          idemKey: `alert:${ep.id}:resolved-reply`,
          method: 'reply',
          parentKey: postKey(ep.id),
          alertId: ep.id,
          draft: { kind: 'resolved-reply', finding: f, normalDays: e.normalDays },
        },
      );
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
      const g = groupOf(ep.id);
      if (e.reason !== 'level-shift') return { type: e.type, key: ep.episodeKey, reason: e.reason };
      const newNormal = { kind: 'new-normal' as const, finding: f, inThread: true };
      if (g !== undefined) {
        out.push({ idemKey: `alert:${ep.id}:new-normal`, method: 'reply', parentKey: `group:${g}:post`, alertId: ep.id, draft: newNormal });
      }
      const view = episodeView(ep, {
        finding: f,
        state: 'level-shift',
        dayNumber: episodeDayNumber(ep.firstDay, day),
        findingDays: ep.findingDays + 1,
        endDay: day,
      });
      out.push(
        { idemKey: `alert:${ep.id}:level-shift`, method: 'update', parentKey: postKey(ep.id), alertId: ep.id, draft: view },
        { idemKey: `alert:${ep.id}:new-normal`, method: 'reply', parentKey: postKey(ep.id), alertId: ep.id, draft: newNormal },
      );
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
      const draft: Draft = e.key.startsWith('shift:')
        ? { kind: 'new-normal', finding: f, inThread: false }
        : { kind: 'notice', finding: f };
      out.push({ idemKey: `notice:${e.key}`, method: 'post', channel: channelFor(db, f, deps.alertChannel), alertId: null, draft });
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
  /** Groups made today (with their channel): their message is posted. */
  created: Map<number, string>;
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

/** Posts the groups made today and updates the earlier groups whose episodes changed (one update each). */
function groupMessages(day: Day, groups: GroupState, out: Outgoing[]): void {
  for (const [id, channel] of groups.created) {
    out.push({ idemKey: `group:${id}:post`, method: 'post', channel, alertId: null, draft: { kind: 'group', groupId: id } });
  }
  for (const id of groups.touched) {
    if (groups.created.has(id)) continue;
    const parentKey = `group:${id}:post`;
    out.push({ idemKey: `group:${id}:update:${day}`, method: 'update', parentKey, alertId: null, draft: { kind: 'group', groupId: id } });
    const back = groups.resolved.get(id) ?? [];
    if (back.length > 0) {
      out.push({
        idemKey: `group:${id}:resolved:${day}`,
        method: 'reply',
        parentKey,
        alertId: null,
        draft: { kind: 'group-resolved', findings: back },
      });
    }
  }
}
