/**
 * Pure builder of the App Home tab (SPEC §9): the organisation's latest day vs expected, month to date
 * and the weekday-aware projection vs budget, open alerts with a link to each message, the top logs,
 * and buttons for the common changes (admins). A Home view holds at most 100 blocks (SLACK.md); this
 * one stays far below, and under the 10k-character budget of fitMessage.
 * Bytes are whole bytes; days are UTC 'YYYY-MM-DD'.
 */
import type { Day } from '../../days.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { type Block, capLines, context, divider, fitMessage, header, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, shownName } from '../mrkdwn.js';
import { UI_ACTION_IDS } from '../ui-ids.js';
import { kindLabel, showDay } from './alert.js';
import { bytesOrGap, formatChangeBytes, formatChangePct } from './common.js';

/** Most open alerts listed on the Home tab (the rest are counted; `/logusage alerts` lists them all). */
export const HOME_ALERTS = 10;
/** Most logs in the Home tab's top list. */
export const HOME_TOP = 10;

export interface HomeAlertLine {
  id: number;
  kind: string;
  name: string;
  firstDay: Day;
  findingDays: number;
  /** Link to the alert's message (chat.getPermalink), or null when it was not posted yet or no link was given. */
  permalink: string | null;
  /** Channel id of its message, when known (shown as a channel link when there is no permalink). */
  channel: string | null;
  /** Who took it ("I'm on it"), Slack user id. */
  takenBy: string | null;
}

export interface HomeView {
  /** Slack user id of the viewer. */
  userId: string;
  isAdmin: boolean;
  /** ISO timestamp the view was built (shown as "updated"). */
  builtAt: string;
  /** Newest observed day, or null when nothing was collected yet. */
  day: Day | null;
  total: number | null;
  expected: { expected: number; low: number; high: number } | null;
  /** Organisation sparkline of the last 30 days. */
  spark: string;
  month: { month: string; toDate: number; projected: number | null; knownDays: number; daysInMonth: number } | null;
  budget: { bytes: number } | null;
  top: Array<{ name: string; bytes: number; expected: number | null; spark: string }>;
  alerts: HomeAlertLine[];
  openAlertCount: number;
  /** Planned changes in force (`/logusage expect`), already shown as plain text lines (raw, escaped here). */
  plans: string[];
  /** Price in force: money beside the day's and the month's bytes; absent = bytes only. */
  price?: Price;
}

export interface HomeTab {
  type: 'home';
  callback_id: string;
  blocks: Block[];
}

export const HOME_CALLBACK_ID = 'logusage_home';

const pct = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;

/** A Slack permalink safe to put in a mrkdwn link (https, no characters that end the link). */
function safeUrl(url: string | null): string | null {
  return url && /^https:\/\/[^\s<>|]+$/.test(url) ? url : null;
}

function dayLine(v: HomeView): string {
  if (v.day === null) return ':grey_question: No usage has been collected yet. Run `logusage collect`, or `/logusage refresh`.';
  const vs =
    v.expected && v.total !== null
      ? ` — expected ${formatBytes(v.expected.expected)} (normal ${formatBytes(v.expected.low)} – ${formatBytes(v.expected.high)}), ${formatChangePct(v.total, v.expected.expected)} / ${formatChangeBytes(v.total - v.expected.expected)}`
      : ' — no typical value yet';
  const outside = v.expected !== null && v.total !== null && (v.total > v.expected.high || v.total < v.expected.low);
  const money = v.total === null ? '' : escapeMrkdwn(bytesMoneyText(v.total, v.price));
  return `${outside ? ':rotating_light:' : ':bar_chart:'} *${showDay(v.day)}*: organisation total *${bytesOrGap(v.total)}*${money}${vs}\n\`${v.spark}\` last 30 days`;
}

function monthLine(v: HomeView): string | null {
  const m = v.month;
  if (!m) return null;
  const money = (b: number) => escapeMrkdwn(bytesMoneyText(b, v.price));
  const proj = m.projected === null ? '' : `, projected *${formatBytes(m.projected)}*${money(m.projected)} by month end`;
  const first = `*Month to date* (${escapeMrkdwn(m.month)}, ${m.knownDays} of ${m.daysInMonth} days): *${formatBytes(m.toDate)}*${money(m.toDate)}${proj}`;
  if (!v.budget) return `${first}\nNo monthly budget is set.`;
  const b = v.budget.bytes;
  const over = m.projected !== null && m.projected >= b;
  return `${first}\n${over ? ':warning: ' : ''}Budget ${formatBytes(b)}/month${money(b)}: ${pct(m.toDate, b)} used${m.projected === null ? '' : `, projected ${pct(m.projected, b)}`}`;
}

function alertLine(a: HomeAlertLine): string {
  const { emoji, label } = kindLabel(a.kind);
  const url = safeUrl(a.permalink);
  const where = url
    ? ` · <${url}|open the message>`
    : a.channel && /^[CG][A-Z0-9]+$/.test(a.channel)
      ? ` · in <#${a.channel}>`
      : ' · _message not posted yet_';
  const taken = a.takenBy && /^[UW][A-Z0-9]{2,}$/.test(a.takenBy) ? ` · taken by <@${a.takenBy}>` : '';
  const days = a.findingDays > 1 ? `, ${a.findingDays} days` : '';
  return `${emoji} *${label} — ${shownName(a.name, 100)}* since ${showDay(a.firstDay)}${days}${where}${taken}`;
}

function button(text: string, actionId: string, style?: 'primary') {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    action_id: actionId,
    value: 'home',
    ...(style ? { style } : {}),
  };
}

export function buildHome(v: HomeView): HomeTab {
  const blocks: Block[] = [header('logusage — log ingestion per day'), section(dayLine(v))];
  const month = monthLine(v);
  if (month) blocks.push(section(month));
  if (v.isAdmin) {
    blocks.push({
      type: 'actions',
      elements: [button('Set a threshold', UI_ACTION_IDS.homeThreshold, 'primary'), button('Set the budget', UI_ACTION_IDS.homeBudget)],
    });
  } else {
    blocks.push(context('Thresholds, budget, snoozes and planned changes are set by the admins (LOGUSAGE_ADMINS).'));
  }
  blocks.push(divider());
  const alertLines = v.alerts.slice(0, HOME_ALERTS).map(alertLine);
  const more =
    v.openAlertCount > alertLines.length && alertLines.length > 0
      ? `\n_and ${v.openAlertCount - alertLines.length} more: \`/logusage alerts\`_`
      : '';
  blocks.push(
    section(
      `*Open alerts (${v.openAlertCount})*\n${alertLines.length > 0 ? capLines(alertLines, { maxChars: 2700, noun: 'alerts' }) : 'None — all quiet.'}${more}`,
    ),
  );
  if (v.plans.length > 0) {
    blocks.push(
      section(
        `*Planned changes*\n${capLines(
          v.plans.map((p) => `• ${escapeUntrusted(p)}`),
          { maxChars: 1500, noun: 'plans' },
        )}`,
      ),
    );
  }
  if (v.day !== null) {
    const top = v.top.slice(0, HOME_TOP).map((l, i) => {
      const ch = l.expected === null ? '' : ` ${formatChangePct(l.bytes, l.expected)}`;
      return `${i + 1}. *${shownName(l.name)}* ${formatBytes(l.bytes)}${ch} \`${l.spark}\``;
    });
    blocks.push(
      divider(),
      section(`*Top logs on ${showDay(v.day)}*\n${top.length > 0 ? capLines(top, { maxChars: 2900, noun: 'logs' }) : '_none_'}`),
    );
  }
  blocks.push(
    context(
      `Updated ${escapeMrkdwn(v.builtAt.slice(0, 16).replace('T', ' '))} UTC · refreshed when you open this tab and after each daily run · \`/logusage help\``,
    ),
  );
  // Home views allow 100 blocks; this one has about 10, so fitMessage only keeps the text budget.
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: fitMessage({ text: '', blocks }).blocks };
}
