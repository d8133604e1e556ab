/**
 * Pure builders of alert messages: the episode message (open / resolved / new normal), the replies in its thread, and one-off notices (new log, budget level, new normal).
 * Everything dynamic is escaped; every message has a plain-text fallback and fits Block Kit limits.
 * Bytes are whole bytes; days are UTC 'YYYY-MM-DD'.
 */
import { type Day, WEEKDAY_NAMES, weekdayOf } from '../../days.js';
import type { Finding } from '../../detect/types.js';
import { bytesMoneyText, changeMoneyText, impactText, priceOfFinding } from '../../money.js';
import { formatBytes, formatDuration } from '../../units.js';
import { ACTION_IDS, type AlertButtonValue } from '../action-ids.js';
import { type Block, capLines, context, fitMessage, mrkdwn, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, flattenText, plainName, shownName, sparkline, truncate } from '../mrkdwn.js';
import { alertUiContext, buildAlertUiActions, describeUiAction } from './alert-ui.js';
import { formatChangeBytes, formatChangePct } from './common.js';
import { mentionUser } from './log-detail.js';
import { contributorLines } from './org.js';

export type AlertState = 'open' | 'resolved' | 'level-shift';

export interface AlertView {
  /** Alert id (button values, context line); null for notices. */
  alertId: number | null;
  finding: Finding;
  state: AlertState;
  /** First day of the episode. */
  firstDay: Day;
  /** Day N of the episode (first day = 1). */
  dayNumber: number;
  /** Days with a finding so far. */
  findingDays: number;
  /** Resolved / accepted day, when ended. */
  endDay?: Day;
  /** Bytes per day of the 30 days ending at the finding's day (NaN = never observed). */
  spark: ArrayLike<number>;
  /** Changes made from this episode's buttons, oldest first (audit rows tagged with its id); default none. */
  actions?: readonly AlertAction[];
}

/** One change made from an alert message's buttons: an audit row (src/store/controls.ts) tagged with the alert id. */
export interface AlertAction {
  /** ISO-8601 UTC timestamp of the change. */
  at: string;
  /** Slack user id, or 'cli'. */
  actor: string;
  /** Audit action: 'snooze', 'accept-normal', 'mute', … */
  action: string;
  /** Audit details: snooze `{ until, durationMs }`, accept-normal `{ baselineFrom }`. */
  details: Record<string, unknown> | null;
}

/** block_id of the context block that lists who did what from the message's buttons. */
export const ACTION_LOG_BLOCK_ID = 'logusage_action_log';
/** Newest changes shown in the action log (older ones are in `/logusage log`). */
export const ACTION_LOG_LINES = 5;

const KIND_LABEL: Record<string, { emoji: string; label: string }> = {
  spike: { emoji: ':chart_with_upwards_trend:', label: 'Spike' },
  drop: { emoji: ':chart_with_downwards_trend:', label: 'Drop' },
  silent: { emoji: ':mute:', label: 'Silent' },
  new: { emoji: ':new:', label: 'New log' },
  threshold: { emoji: ':rotating_light:', label: 'Over threshold' },
  budget: { emoji: ':moneybag:', label: 'Budget' },
  org: { emoji: ':office:', label: 'Organisation' },
  creep: { emoji: ':chart_with_upwards_trend:', label: 'Creep' },
};

export function kindLabel(kind: string): { emoji: string; label: string } {
  return KIND_LABEL[kind] ?? { emoji: ':warning:', label: escapeUntrusted(kind) };
}

/** "Tue 2026-11-03". */
export function showDay(day: Day): string {
  return `${(WEEKDAY_NAMES[weekdayOf(day)] ?? '').slice(0, 3)} ${day}`;
}

function subjectLabel(f: Finding): string {
  if (f.scope === 'org') return 'Organisation';
  if (f.scope === 'logset') return 'Log set';
  return 'Log';
}

function logsetsText(f: Finding): string {
  return f.logsets.length === 0 ? '_none_' : f.logsets.map((s) => shownName(s, 60)).join(', ');
}

function bandText(f: Finding): string {
  if (f.kind === 'threshold') return `limit ${formatBytes(f.expected)}/day`;
  return `${formatBytes(f.expected)} (normal ${formatBytes(f.low)} – ${formatBytes(f.high)})`;
}

function changeText(f: Finding): string {
  const pct =
    f.changePct === null ? formatChangePct(f.value, f.expected) : `${f.changePct >= 0 ? '+' : '−'}${Math.abs(Math.round(f.changePct))}%`;
  const money = changeMoneyText(f);
  return `${pct || 'n/a'} (${formatChangeBytes(f.changeBytes)}${money ? ` ${money}` : ''})`;
}

/** " (+25 GB ≈ +$8.75 today, +$26 so far, 3 days)" for the headline; '' without a price. */
function impactTail(f: Finding): string {
  const money = impactText(f);
  return money ? ` (${formatChangeBytes(f.changeBytes)}: ${money})` : '';
}

function budgetLevelText(f: Finding): string {
  const level = String(f.details?.level ?? '');
  if (level === 'actual-100') return 'Month to date is over the budget';
  if (level === 'projected-100') return 'The month is projected to go over the budget';
  if (level === 'projected-80') return 'The month is projected to reach 80% of the budget';
  return 'Budget notice';
}

function fields(f: Finding, dayLine: string): Block {
  const p = priceOfFinding(f);
  const mtd = Number(f.details?.monthToDate ?? f.value);
  const projected = Number(f.details?.projected ?? f.value);
  const items =
    f.kind === 'budget'
      ? [
          `*Month to date*\n${formatBytes(mtd)}${bytesMoneyText(mtd, p)}`,
          `*Projected month end*\n${formatBytes(projected)}${bytesMoneyText(projected, p)}`,
          `*Budget*\n${formatBytes(f.expected)}/month${bytesMoneyText(f.expected, p)}`,
          `*Share of budget*\n${f.expected > 0 ? `${Math.round((f.value / f.expected) * 100)}%` : 'n/a'}`,
          `*Day*\n${dayLine}`,
        ]
      : [
          `*${subjectLabel(f)}*\n${f.scope === 'org' ? 'the whole organisation' : shownName(f.logName, 120)}`,
          ...(f.scope === 'log' ? [`*Log sets*\n${logsetsText(f)}`] : []),
          `*Actual*\n${formatBytes(f.value)}`,
          `*${f.kind === 'threshold' ? 'Threshold' : 'Expected'}*\n${bandText(f)}`,
          `*Change*\n${changeText(f)}`,
          `*Day*\n${dayLine}`,
        ];
  return { type: 'section', fields: items.map((text) => mrkdwn(truncate(text, 1900))) };
}

function sparkBlock(v: ArrayLike<number>): Block {
  return context(`Last ${v.length} days \`${sparkline(v)}\``);
}

function buttons(v: AlertView): Block | null {
  const f = v.finding;
  if (v.state !== 'open' || f.scope !== 'log' || f.logId === null) return null;
  const value: AlertButtonValue = { alertId: v.alertId, logId: f.logId, kind: f.kind };
  const json = JSON.stringify(value);
  const button = (text: string, actionId: string, style?: 'primary' | 'danger') => ({
    type: 'button' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    action_id: actionId,
    value: json,
    ...(style ? { style } : {}),
    // A destructive button asks first (SLACK.md "Rules"): Slack shows this dialog before sending the click.
    ...(style === 'danger' ? { confirm: confirmMute(f.logName) } : {}),
  });
  return {
    type: 'actions',
    block_id: 'alert_actions',
    elements: [
      button('Snooze 1 day', ACTION_IDS.snoozeDay),
      button('Snooze 1 week', ACTION_IDS.snoozeWeek),
      button('Mark as expected', ACTION_IDS.acceptNormal, 'primary'),
      button('Mute log', ACTION_IDS.muteLog, 'danger'),
    ],
  };
}

/** The confirmation dialog of the Mute button (plain text, escaped like all text: the name on one line, shortened, without markup). */
function confirmMute(logName: string) {
  const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });
  return {
    title: plain('Mute this log?'),
    text: plain(truncate(escapeMrkdwn(`No alerts at all for ${plainName(logName, 120)} until someone runs /logusage unmute.`), 300)),
    confirm: plain('Mute'),
    deny: plain('Cancel'),
    style: 'danger' as const,
  };
}

function headline(v: AlertView): { mrkdwn: string; plain: string } {
  const f = v.finding;
  const { emoji, label } = kindLabel(f.kind);
  const name = shownName(f.logName, 120);
  switch (v.state) {
    case 'resolved':
      return {
        mrkdwn: `:white_check_mark: *Resolved — ${name}* (was: ${label.toLowerCase()})\nBack to normal since ${showDay(v.endDay ?? f.day)}.`,
        plain: `Resolved: ${plainName(f.logName)} is back to normal (was: ${label.toLowerCase()}).`,
      };
    case 'level-shift':
      return {
        mrkdwn: `:arrows_counterclockwise: *New normal — ${name}*\nThe change persisted: about ${formatBytes(f.value)}/day is now its normal level.`,
        plain: `New normal: ${plainName(f.logName)} now sends about ${formatBytes(f.value)}/day.`,
      };
    default: {
      const what = f.kind === 'budget' ? budgetLevelText(f) : f.reason;
      const tail = f.kind === 'budget' || f.kind === 'silent' ? '' : impactTail(f);
      // The cause inside the log, once Log Search told it (SPEC §6.6; the details are in the thread).
      const cause = typeof f.details?.cause === 'string' ? f.details.cause : '';
      return {
        mrkdwn: `${emoji} *${label} — ${name}*\n${escapeUntrusted(what)}${escapeMrkdwn(tail)}${cause ? `\n:mag: ${escapeUntrusted(cause)}` : ''}`,
        plain: `${label}: ${plainName(f.logName)}: ${plainName(what, 300)}${tail}${cause ? ` ${plainName(cause, 300)}` : ''}`,
      };
    }
  }
}

/** "2026-03-11 08:00 UTC" from an ISO timestamp we stored (escaped, one line). */
function showTime(iso: string): string {
  return `${escapeMrkdwn(flattenText(String(iso).slice(0, 16).replace('T', ' ')))} UTC`;
}

/** One line of the action log (escaped mrkdwn): who did what, when. `logName` is raw. */
export function describeAlertAction(a: AlertAction, logName: string): string {
  const by = mentionUser(a.actor);
  const name = shownName(logName);
  const d = a.details ?? {};
  const when = showTime(a.at);
  switch (a.action) {
    case 'snooze': {
      const ms = typeof d.durationMs === 'number' && d.durationMs > 0 ? d.durationMs : null;
      const span = ms === 86_400_000 ? '1 day' : ms === 7 * 86_400_000 ? '1 week' : ms !== null ? formatDuration(ms) : null;
      const until = typeof d.until === 'string' ? ` (until ${showTime(d.until)})` : '';
      return `:zzz: ${by} snoozed *${name}*${span ? ` for ${span}` : ''}${until} · ${when}`;
    }
    case 'accept-normal': {
      const from = typeof d.baselineFrom === 'string' ? escapeMrkdwn(flattenText(d.baselineFrom)) : null;
      return `:white_check_mark: ${by} marked this as expected${from ? `: the level of *${name}* since ${from} is its new normal` : ''} · ${when}`;
    }
    case 'mute':
      return `:no_bell: ${by} muted *${name}*: no alerts for it until \`/logusage unmute\` · ${when}`;
    default:
      return describeUiAction(a, by, name, when) ?? `${by} ${escapeUntrusted(a.action)} · ${when}`;
  }
}

/**
 * The action log of an alert message: a context block (block_id ACTION_LOG_BLOCK_ID) with the newest
 * ACTION_LOG_LINES changes made from its buttons, or null when there are none. Built here for every
 * rebuild of the message and by the button listener for its immediate update, so both show the same.
 */
export function buildActionLog(actions: readonly AlertAction[], logName: string): Block | null {
  if (actions.length === 0) return null;
  const lines = actions.slice(-ACTION_LOG_LINES).map((a) => describeAlertAction(a, logName));
  return { ...context(...lines), block_id: ACTION_LOG_BLOCK_ID } as Block;
}

/** The episode's message: posted when it opens, updated on later days and when it ends. */
export function buildAlertMessage(v: AlertView): SlackMessage {
  const f = v.finding;
  const h = headline(v);
  const dayLine = v.dayNumber > 1 ? `${showDay(f.day)} (day ${v.dayNumber})` : showDay(f.day);
  const act = buttons(v);
  const more = buildAlertUiActions(v);
  const ctx = [
    v.dayNumber > 1
      ? `Since ${showDay(v.firstDay)} · ${v.findingDays} unusual day${v.findingDays === 1 ? '' : 's'}`
      : `First seen ${showDay(v.firstDay)}`,
    ...(v.alertId !== null ? [`alert #${v.alertId}`] : []),
    ...alertUiContext(f),
  ].join(' · ');
  const blocks: Block[] = [
    section(h.mrkdwn),
    fields(f, dayLine),
    // An unusual organisation day names the logs that carried it (SPEC §6.7), with their money when priced.
    ...(f.kind === 'org' && f.contributors?.length
      ? [section(`*Where it came from*\n${capLines(contributorLines(f), { maxChars: 2500, noun: 'logs' })}`)]
      : []),
    ...(v.state === 'open' ? [] : [context(`Last unusual day: ${escapeUntrusted(f.reason)}`)]),
    sparkBlock(v.spark),
    context(ctx),
    ...(act ? [act] : []),
    ...(more ? [more] : []),
  ];
  const log = buildActionLog(v.actions ?? [], f.logName);
  if (log) blocks.push(log);
  const changeTail = f.kind === 'silent' ? '' : `: ${changeText(f)}`;
  const plain =
    v.state === 'open'
      ? `${h.plain} Actual ${formatBytes(f.value)}, expected ${formatBytes(f.expected)}${changeTail}.${v.dayNumber > 1 ? ` Day ${v.dayNumber}.` : ''}`
      : h.plain;
  return fitMessage({ text: escapeMrkdwn(plain), blocks });
}

/** The short reply in the thread when an episode is resolved. `latest`: bytes of the resolving day. */
export function buildResolvedReply(f: Finding, day: Day, normalDays: number, latest: number | null): SlackMessage {
  const n = `${normalDays} day${normalDays === 1 ? '' : 's'}`;
  const tail = latest === null ? '' : ` Latest: ${formatBytes(latest)} on ${showDay(day)}.`;
  const text = `:white_check_mark: Back to normal: ${shownName(f.logName)} has been within its usual range for ${n}.${tail}`;
  return fitMessage({
    text: escapeMrkdwn(`Back to normal: ${plainName(f.logName)} has been within its usual range for ${n}.${tail}`),
    blocks: [section(text)],
  });
}

/** The one new-normal notice (a reply in the episode's thread, or a message of its own). */
export function buildNewNormalNotice(f: Finding, spark: ArrayLike<number>, opts: { inThread: boolean }): SlackMessage {
  const name = shownName(f.logName);
  const text = `:arrows_counterclockwise: *New normal — ${name}*: the change since ${showDay(f.day)} persisted, so about ${formatBytes(f.value)}/day (was ${formatBytes(f.expected)}) is now its normal level. No more alerts about this level.`;
  const blocks: Block[] = [section(text)];
  if (!opts.inThread) blocks.push(fields(f, showDay(f.day)), sparkBlock(spark));
  return fitMessage({
    text: escapeMrkdwn(`New normal: ${plainName(f.logName)} now sends about ${formatBytes(f.value)}/day (was ${formatBytes(f.expected)}).`),
    blocks,
  });
}

/** A one-off notice: a new log or a budget level. */
export function buildNoticeMessage(f: Finding, spark: ArrayLike<number>): SlackMessage {
  const { emoji, label } = kindLabel(f.kind);
  const name = shownName(f.logName, 120);
  if (f.kind === 'new') {
    const sets = f.logsets.length > 0 ? ` in ${logsetsText(f)}` : '';
    return fitMessage({
      text: escapeMrkdwn(`New log: ${plainName(f.logName)} sent ${formatBytes(f.value)} on ${f.day}.`),
      blocks: [
        section(`${emoji} *${label} — ${name}*${sets}\n${escapeUntrusted(f.reason)}`),
        context(`First data ${showDay(f.day)}: ${formatBytes(f.value)} · \`${sparkline(spark)}\``),
      ],
    });
  }
  const what = f.kind === 'budget' ? budgetLevelText(f) : f.reason;
  return fitMessage({
    text: escapeMrkdwn(`${label}: ${plainName(what, 300)}. ${plainName(f.reason, 300)}`),
    blocks: [
      section(`${emoji} *${label}* — ${escapeUntrusted(what)}\n${escapeUntrusted(f.reason)}`),
      fields(f, showDay(f.day)),
      sparkBlock(spark),
    ],
  });
}
