/**
 * The messages of one alert day (SPEC §7), apart from deciding. The runner (runner.ts) reads, decides (the pure
 * lifecycle) and writes every state change first, and says which messages the day calls for as data
 * (`Outgoing`: idempotency key, method, parent, and a `Draft` of what to show). Here, after every write:
 * 1. each draft is completed into a view model with what it shows (sparklines, the bytes of the resolving day,
 *    a group's rows and their button history) — reads only;
 * 2. each view model is rendered by the pure Block Kit builders (src/slack/blocks/);
 * 3. the messages are queued in the outbox in the order given, replies and updates where their parent went (a
 *    message whose parent was never queued is not sent).
 * The idempotency keys are the runner's (`alert:<id>:post`, `group:<id>:update:<day>`, …), pinned by
 * test/integration/pipeline/daily-e2e.test.ts. Bytes are whole bytes per UTC day.
 */
import { addDays, type Day } from '../days.js';
import type { Finding } from '../detect/types.js';
import type { SlackMessage } from '../slack/block-kit.js';
import { type AlertView, buildAlertMessage, buildNewNormalNotice, buildNoticeMessage, buildResolvedReply } from '../slack/blocks/alert.js';
import {
  buildGroupMessage,
  buildGroupResolvedReply,
  buildLogSetMessage,
  buildOrgEventNotice,
  type GroupView,
} from '../slack/blocks/grouped.js';
import { alertsOfGroup, getAlertGroup } from '../store/alert-groups.js';
import { listAlertActions } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { enqueueOutbox, getOutboxByKey, type OutboxRecord } from '../store/outbox.js';
import { bytesOnDay, logSeries, orgSeries } from '../store/slack-reads.js';
import { listLogs } from '../store/usage.js';
import { isOrgDip, logSetMembers } from './grouping.js';

/** Days of sparkline in alert messages. */
export const SPARK_DAYS = 30;

/** What a message of the day shows, before the store filled it in. */
export type Draft =
  /** An episode's message (open, resolved or new normal); its sparkline is read. */
  | { kind: 'episode'; view: Omit<AlertView, 'spark'> }
  /** The reply when an episode is resolved; the bytes of the resolving day are read. */
  | { kind: 'resolved-reply'; finding: Finding; normalDays: number }
  /** The new-normal notice: a reply in the episode's (or its group's) thread, or a message of its own. */
  | { kind: 'new-normal'; finding: Finding; inThread: boolean }
  /** A one-off notice: a new log, a budget level, an organisation-wide holiday or dip. */
  | { kind: 'notice'; finding: Finding }
  /** A grouped message, built from the group's rows as they are after today's writes. */
  | { kind: 'group'; groupId: number }
  /** The one reply listing a group's rows back to normal today. */
  | { kind: 'group-resolved'; findings: Finding[] };

export interface Outgoing {
  idemKey: string;
  method: 'post' | 'update' | 'reply';
  alertId: number | null;
  /** Channel of a post; an update or a reply goes to its parent's channel. */
  channel?: string;
  /** Idempotency key of the message this one updates or replies to. */
  parentKey?: string;
  draft: Draft;
}

/** A draft with everything it shows: the pure input of `renderView`. */
export type View =
  | { kind: 'episode'; view: AlertView }
  | { kind: 'resolved-reply'; finding: Finding; day: Day; normalDays: number; latest: number | null }
  | { kind: 'new-normal'; finding: Finding; spark: Float64Array; inThread: boolean }
  | { kind: 'notice'; finding: Finding; spark: Float64Array }
  | { kind: 'group'; view: GroupView }
  | { kind: 'group-resolved'; findings: Finding[]; day: Day };

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

/** Step 1: the view model of a draft (reads only); null for a group that no longer exists. */
export function readView(db: Db, day: Day, d: Draft): View | null {
  switch (d.kind) {
    case 'episode':
      return { kind: 'episode', view: { ...d.view, spark: sparkSeries(db, d.view.finding, day) } };
    case 'resolved-reply': {
      const id = d.finding.logId;
      const latest = id ? (bytesOnDay(db, day, [id]).get(id) ?? 0) : null;
      return { kind: 'resolved-reply', finding: d.finding, day, normalDays: d.normalDays, latest };
    }
    case 'new-normal':
      return { kind: 'new-normal', finding: d.finding, spark: sparkSeries(db, d.finding, day), inThread: d.inThread };
    case 'notice':
      return { kind: 'notice', finding: d.finding, spark: sparkSeries(db, d.finding, day) };
    case 'group': {
      const g = getAlertGroup(db, d.groupId);
      if (!g) return null;
      const alerts = alertsOfGroup(db, d.groupId);
      const actions = [
        ...listAlertActions(
          db,
          alerts.map((a) => a.id),
        ).values(),
      ]
        .flat()
        .sort((a, b) => (a.at < b.at ? -1 : 1));
      const rows = [
        ...alerts.map((a) => ({ alertId: a.id, finding: a.lastFinding, status: a.status })),
        ...g.notices.map((f) => ({ alertId: null, finding: f, status: 'notice' as const })),
      ];
      return { kind: 'group', view: { day: g.day, rows, actions } };
    }
    case 'group-resolved':
      return { kind: 'group-resolved', findings: d.findings, day };
  }
}

/** The episode message: the log-set message for a log set down together, else the alert message. */
function buildEpisodeMessage(v: AlertView): SlackMessage {
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

/** Step 2, pure: the Slack message of a view model. */
export function renderView(v: View): SlackMessage {
  switch (v.kind) {
    case 'episode':
      return buildEpisodeMessage(v.view);
    case 'resolved-reply':
      return buildResolvedReply(v.finding, v.day, v.normalDays, v.latest);
    case 'new-normal':
      return buildNewNormalNotice(v.finding, v.spark, { inThread: v.inThread });
    case 'notice':
      return isOrgDip(v.finding) ? buildOrgEventNotice(v.finding, v.spark) : buildNoticeMessage(v.finding, v.spark);
    case 'group':
      return buildGroupMessage(v.view);
    case 'group-resolved':
      return buildGroupResolvedReply(v.findings, v.day);
  }
}

/**
 * Reads the views of the day's messages, renders them, then queues them in order (see the file comment). Called
 * once every state change of the day is written, in the same transaction.
 */
export function queueMessages(db: Db, day: Day, nowIso: string, out: readonly Outgoing[]): void {
  const parents = new Map<string, OutboxRecord | undefined>();
  const parentOf = (key: string) => {
    if (!parents.has(key)) parents.set(key, getOutboxByKey(db, key));
    return parents.get(key);
  };
  const ready = out.flatMap((o) => {
    const parent = o.parentKey === undefined ? undefined : parentOf(o.parentKey);
    if (o.parentKey !== undefined && !parent) return [];
    const view = readView(db, day, o.draft);
    return view ? [{ o, parent, view }] : [];
  });
  const rendered = ready.map((r) => ({ ...r, msg: renderView(r.view) }));
  for (const { o, parent, msg } of rendered) {
    enqueueOutbox(db, {
      idemKey: o.idemKey,
      channel: parent?.channel ?? o.channel ?? '',
      method: o.method,
      payload: { text: msg.text, blocks: msg.blocks },
      alertId: o.alertId,
      ...(parent ? { parentOutboxId: parent.id } : {}),
      now: nowIso,
    });
  }
}
