/**
 * Pure builders of the messages that stand for many findings (SPEC §7 "No floods"):
 * - the log-set message: most logs of one log set went silent (or dropped) together — one episode;
 * - the grouped message: past a few alerts in one channel on one day, one message listing them, each row
 *   still its own episode, acted on through menus that choose the log;
 * - the organisation-wide holiday / dip notice.
 * Everything dynamic is escaped; every message has a plain-text fallback and fits Block Kit limits
 * (≤ 50 blocks, ≤ 100 options per menu, option values ≤ 150 characters). Bytes are whole bytes; days UTC.
 */
import type { LogSetMember } from '../../alerts/grouping.js';
import type { Day } from '../../days.js';
import type { Finding } from '../../detect/types.js';
import { changeMoneyText } from '../../money.js';
import { formatBytes } from '../../units.js';
import { ACTION_IDS, type AlertButtonValue } from '../action-ids.js';
import { type Block, context, fitMessage, listSections, type SlackMessage, section } from '../block-kit.js';
import { ellipsize, escapeMrkdwn, escapeUntrusted, plainName, shownName, sparkline, truncate } from '../mrkdwn.js';
import { type AlertAction, type AlertState, buildActionLog, kindLabel, showDay } from './alert.js';
import { formatChangeBytes, formatChangePct } from './common.js';

/** Options of one Block Kit select menu (Slack's limit). */
export const MAX_MENU_OPTIONS = 100;
/** Characters of an option's text (Slack's limit is 75). */
const OPTION_TEXT = 75;

/** A log a menu can act on: the episode (alert id) and/or the log. */
export interface MenuTarget {
  alertId: number | null;
  logId: string | null;
  kind: string;
  /** Shown in the menu (raw). */
  label: string;
}

/**
 * An actions block of four menus (Snooze 1 day, Snooze 1 week, Mark as expected, Mute log) whose options are
 * the logs; the chosen option carries the same value a button of a single alert carries (AlertButtonValue),
 * so the same handler acts on it. Null when there is nothing to act on.
 */
export function buildLogMenus(targets: readonly MenuTarget[], blockId: string): Block | null {
  const shown = targets.slice(0, MAX_MENU_OPTIONS);
  if (shown.length === 0) return null;
  const options = shown.map((t) => {
    // The log id is left out when the alert id names it (option values are at most 150 characters).
    const value: AlertButtonValue = { alertId: t.alertId, logId: t.alertId !== null ? null : t.logId, kind: t.kind };
    return {
      text: {
        type: 'plain_text' as const,
        text: truncate(escapeUntrusted(ellipsize(t.label, OPTION_TEXT - 10)), OPTION_TEXT) || ' ',
        emoji: false,
      },
      value: JSON.stringify(value),
    };
  });
  const menu = (placeholder: string, actionId: string, confirm?: { title: string; text: string; confirm: string }) => ({
    type: 'static_select' as const,
    action_id: actionId,
    placeholder: { type: 'plain_text' as const, text: placeholder, emoji: true },
    options,
    ...(confirm
      ? {
          confirm: {
            title: { type: 'plain_text' as const, text: confirm.title },
            text: { type: 'mrkdwn' as const, text: confirm.text },
            confirm: { type: 'plain_text' as const, text: confirm.confirm },
            deny: { type: 'plain_text' as const, text: 'Cancel' },
            style: 'danger' as const,
          },
        }
      : {}),
  });
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      menu('Snooze 1 day…', ACTION_IDS.snoozeDay),
      menu('Snooze 1 week…', ACTION_IDS.snoozeWeek),
      menu('Mark as expected…', ACTION_IDS.acceptNormal),
      menu('Mute log…', ACTION_IDS.muteLog, {
        title: 'Mute this log?',
        text: 'No more alerts for the chosen log until `/logusage unmute`.',
        confirm: 'Mute',
      }),
    ],
  } as Block;
}

// ---------------------------------------------------------------------------------------------------
// Log set message

/** One affected log, as the finding's `details.members` hold it (src/alerts/grouping.ts); money is not shown per member. */
export type LogSetMemberView = Omit<LogSetMember, 'changeMoney'>;

export interface LogSetView {
  alertId: number;
  finding: Finding;
  members: LogSetMemberView[];
  /** Logs of the set that normally report. */
  reporting: number;
  state: AlertState;
  firstDay: Day;
  dayNumber: number;
  endDay?: Day;
  spark: ArrayLike<number>;
  actions?: readonly AlertAction[];
}

function memberLine(m: LogSetMemberView): string {
  const name = `*${shownName(m.logName, 100)}*`;
  if (m.kind === 'silent') {
    const since = m.silentSince ? ` since ${showDay(m.silentSince)}` : '';
    return `• ${name} — sent nothing${since} (usually ${formatBytes(m.expected)})`;
  }
  return `• ${name} — ${formatBytes(m.value)}, usually ${formatBytes(m.expected)} (${formatChangePct(m.value, m.expected) || 'n/a'})`;
}

/** The one message of a log set whose logs went silent or dropped together (an episode). */
export function buildLogSetMessage(v: LogSetView): SlackMessage {
  const f = v.finding;
  const set = shownName(f.logName, 120);
  const n = v.members.length;
  const of = `${n} of ${Math.max(n, v.reporting)} logs of *${set}*`;
  const verb = f.kind === 'silent' ? 'sent nothing' : 'dropped together';
  const day = showDay(f.day);
  let head: string;
  let plain: string;
  if (v.state === 'resolved') {
    head = `:white_check_mark: *Resolved — log set ${set}*\nIts logs are sending again since ${showDay(v.endDay ?? f.day)}.`;
    plain = `Resolved: the logs of log set ${plainName(f.logName)} are sending again.`;
  } else if (v.state === 'level-shift') {
    head = `:arrows_counterclockwise: *New normal — log set ${set}*\nThe change persisted: ${of} stay at their new level.`;
    plain = `New normal: the logs of log set ${plainName(f.logName)} stay at their new level.`;
  } else {
    const likely = f.kind === 'silent' ? 'a collector or integration is likely down' : 'a collector or integration is likely failing';
    head = `:rotating_light: *Log set ${f.kind === 'silent' ? 'silent' : 'drop'} — ${set}*\n${of} ${verb} on ${day} — ${likely}.`;
    plain = `${n} of ${Math.max(n, v.reporting)} logs of log set ${plainName(f.logName)} ${verb} on ${f.day} — ${likely}.`;
  }
  const lines = v.members.map(memberLine);
  const blocks: Block[] = [
    section(head),
    {
      type: 'section',
      fields: [
        `*Log set*\n${set}`,
        `*Actual*\n${formatBytes(f.value)}`,
        `*Expected*\n${formatBytes(f.expected)}`,
        `*Change*\n${formatChangePct(f.value, f.expected) || 'n/a'} (${formatChangeBytes(f.changeBytes)}${changeMoneyText(f) ? ` ${changeMoneyText(f)}` : ''})`,
        `*Day*\n${v.dayNumber > 1 ? `${day} (day ${v.dayNumber})` : day}`,
      ].map((text) => ({ type: 'mrkdwn' as const, text })),
    },
    ...listSections(lines, { noun: 'logs', maxSections: 2 }),
    context(`Last ${v.spark.length} days of the log set \`${sparkline(v.spark)}\``),
    context(
      `${v.dayNumber > 1 ? `Since ${showDay(v.firstDay)}` : `First seen ${showDay(v.firstDay)}`} · alert #${v.alertId} · one message for the log set`,
    ),
  ];
  if (v.state === 'open') {
    const menus = buildLogMenus(
      v.members.map((m) => ({ alertId: null, logId: m.logId, kind: m.kind, label: m.logName })),
      'logset_actions',
    );
    if (menus) blocks.push(menus);
  }
  const log = buildActionLog(v.actions ?? [], f.logName);
  if (log) blocks.push(log);
  return fitMessage({ text: escapeMrkdwn(plain), blocks });
}

// ---------------------------------------------------------------------------------------------------
// Grouped message

export interface GroupRow {
  /** Alert id of the row's episode; null for a one-off notice. */
  alertId: number | null;
  finding: Finding;
  /** open, resolved (back to normal), accepted (new normal / marked as expected / muted), or a notice. */
  status: 'open' | 'resolved' | 'accepted' | 'notice';
}

export interface GroupView {
  day: Day;
  rows: GroupRow[];
  actions?: readonly AlertAction[];
}

/** What became of a row's episode: " · :white_check_mark: <back>", " · ended", its alert number, or nothing yet. */
function rowState(r: GroupRow, back: string): string {
  if (r.status === 'resolved') return ` · :white_check_mark: ${back}`;
  if (r.status === 'accepted') return ' · ended';
  return r.alertId !== null ? ` · #${r.alertId}` : '';
}

function rowLine(r: GroupRow): string {
  const f = r.finding;
  const { emoji, label } = kindLabel(f.kind);
  if (f.scope === 'logset') {
    const state = rowState(r, 'back');
    return `${emoji} Log set ${label.toLowerCase()} — *${shownName(f.logName, 100)}*: ${escapeUntrusted(f.reason)}${state}`;
  }
  const name = `*${shownName(f.logName, 100)}*`;
  const sets = f.logsets.length > 0 && !f.logName.includes(' · ') ? ` (${f.logsets.map((s) => shownName(s, 40)).join(', ')})` : '';
  const pct = formatChangePct(f.value, f.expected);
  const money = changeMoneyText(f);
  const change =
    f.kind === 'new'
      ? `${formatBytes(f.value)} on its first day`
      : `${formatBytes(f.value)} vs ${formatBytes(f.expected)} (${pct || 'n/a'}, ${formatChangeBytes(f.changeBytes)}${money ? ` ${money}` : ''})`;
  const tail = rowState(r, 'back to normal');
  return `${emoji} ${label} — ${name}${sets}: ${change}${tail}`;
}

/** One message listing the alerts of one channel and day (each row its own episode). */
export function buildGroupMessage(v: GroupView): SlackMessage {
  const open = v.rows.filter((r) => r.status === 'open');
  const n = v.rows.length;
  const episodes = v.rows.filter((r) => r.alertId !== null).length;
  const state = episodes === 0 ? '' : open.length === 0 ? '; all are over' : `; ${open.length} still open`;
  const head = `:bell: *${n} alerts on ${showDay(v.day)}* — grouped into one message${state}.`;
  const sorted = [...v.rows].sort((a, b) => Math.abs(b.finding.changeBytes) - Math.abs(a.finding.changeBytes));
  const blocks: Block[] = [section(head), ...listSections(sorted.map(rowLine), { noun: 'alerts', maxSections: 3 })];
  blocks.push(context('Each row is its own alert: later days update this message. Choose a log in a menu to act on it.'));
  const menus = buildLogMenus(
    // Menus act on one log: log-set rows are acted on from `/logusage` or their own log-set messages.
    open.flatMap((r) =>
      r.alertId !== null && r.finding.scope === 'log'
        ? [
            {
              alertId: r.alertId,
              logId: r.finding.logId,
              kind: r.finding.kind,
              label: `${kindLabel(r.finding.kind).label}: ${r.finding.logName}`,
            },
          ]
        : [],
    ),
    'group_actions',
  );
  if (menus) blocks.push(menus);
  const log = buildActionLog(v.actions ?? [], 'the chosen log');
  if (log) blocks.push(log);
  const names = sorted
    .slice(0, 5)
    .map(
      (r) =>
        `${r.finding.scope === 'logset' ? `Log set ${kindLabel(r.finding.kind).label.toLowerCase()}` : kindLabel(r.finding.kind).label}: ${plainName(r.finding.logName)}`,
    );
  const plain = `${n} alerts on ${v.day}: ${names.join('; ')}${n > names.length ? `; and ${n - names.length} more` : ''}.`;
  return fitMessage({ text: escapeMrkdwn(ellipsize(plain, 3900)), blocks });
}

/** One reply in a grouped message's thread: the rows back to normal on `day`. */
export function buildGroupResolvedReply(findings: readonly Finding[], day: Day): SlackMessage {
  const names = findings.map((f) => plainName(f.logName));
  const lines = findings.map((f) => `• *${shownName(f.logName, 100)}* (was: ${kindLabel(f.kind).label.toLowerCase()})`);
  return fitMessage({
    text: escapeMrkdwn(ellipsize(`Back to normal on ${day}: ${names.join(', ')}.`, 3900)),
    blocks: [section(`:white_check_mark: Back to normal on ${showDay(day)}:`), ...listSections(lines, { noun: 'logs', maxSections: 3 })],
  });
}

// ---------------------------------------------------------------------------------------------------
// Organisation-wide holiday / dip notice

/** The one notice of a day most logs dipped together (`details.orgEvent` 'holiday' | 'dip'). */
export function buildOrgEventNotice(f: Finding, spark: ArrayLike<number>): SlackMessage {
  const d = f.details ?? {};
  const holiday = d.orgEvent === 'holiday';
  const affected = Number(d.logsAffected);
  const reporting = Number(d.logsReporting);
  const counts =
    Number.isFinite(affected) && Number.isFinite(reporting) && reporting > 0 ? `${affected} of ${reporting} logs` : 'most logs';
  const what = holiday
    ? `${counts} sent less on ${showDay(f.day)}, a holiday`
    : `${counts} dipped together on ${showDay(f.day)} — an organisation-wide quiet day or outage`;
  const total =
    Number.isFinite(f.value) && f.expected > 0
      ? ` The organisation sent ${formatBytes(f.value)} (usually ${formatBytes(f.expected)}, ${formatChangePct(f.value, f.expected)}).`
      : '';
  const text = `${holiday ? ':palm_tree:' : ':chart_with_downwards_trend:'} *${holiday ? 'Holiday' : 'Organisation-wide dip'}* — ${escapeMrkdwn(what)}.${escapeMrkdwn(total)}\nNo per-log drop alerts for this day.`;
  return fitMessage({
    text: escapeMrkdwn(`${holiday ? 'Holiday' : 'Organisation-wide dip'}: ${what}.${total} No per-log drop alerts for this day.`),
    blocks: [section(text), context(`Organisation, last ${spark.length} days \`${sparkline(spark)}\``)],
  });
}
