/**
 * Pure builders of the daily digest (SPEC §8) and the optional weekly digest. Views are computed by
 * src/digest.ts; bytes are whole bytes, days UTC 'YYYY-MM-DD'. Every list is capped with "and N more",
 * every name escaped, and the message fits Block Kit limits.
 */
import type { Day } from '../../days.js';
import type { Finding } from '../../detect/types.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { capLines, context, divider, fitMessage, header, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, shownName } from '../mrkdwn.js';
import { kindLabel, showDay } from './alert.js';
import { bytesOrGap, formatChangeBytes, formatChangePct } from './common.js';
import { orgDigestSection } from './org.js';

export interface DigestLogLine {
  logId: string;
  name: string;
  bytes: number;
  /** Typical bytes for the day, when known. */
  expected: number | null;
  /** Sparkline text of the last 30 days. */
  spark: string;
}

export interface DigestAlertLine {
  id: number;
  kind: string;
  name: string;
  firstDay: Day;
  channel: string | null;
}

export interface DigestView {
  day: Day;
  observed: boolean;
  total: number | null;
  expected: { expected: number; low: number; high: number } | null;
  /** Organisation sparkline, last 30 days. */
  spark: string;
  month: { month: string; toDate: number; projected: number | null; knownDays: number; daysInMonth: number };
  budget: { bytes: number; source: string } | null;
  top: DigestLogLine[];
  logsWithData: number;
  movers: { up: DigestLogLine[]; down: DigestLogLine[] };
  newLogs: Array<{ name: string; bytes: number }>;
  silentLogs: Array<{ name: string; since: Day }>;
  openAlerts: DigestAlertLine[];
  openAlertCount: number;
  /** Price in force: money beside bytes; absent = no money shown. */
  price?: Price;
  /** The organisation finding of the day (holiday, dip or unusual total) with its contributors. */
  org?: Finding;
}

const pct = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;

/** "3. *name* 1.2 GB +5% `▁▂▃`" — rank `i` counts from 0. */
function logLine(l: DigestLogLine, i: number): string {
  const ch = l.expected === null ? '' : ` ${formatChangePct(l.bytes, l.expected)}`;
  return `${i + 1}. *${shownName(l.name)}* ${formatBytes(l.bytes)}${ch} \`${l.spark}\``;
}

function moverLine(l: DigestLogLine): string {
  const exp = l.expected ?? 0;
  return `• *${shownName(l.name)}* ${formatBytes(l.bytes)} vs ${formatBytes(exp)} (${formatChangeBytes(l.bytes - exp)}, ${formatChangePct(l.bytes, exp)})`;
}

function monthLines(v: DigestView): string {
  const m = v.month;
  const money = (b: number) => escapeMrkdwn(bytesMoneyText(b, v.price));
  const proj = m.projected === null ? '' : `, projected *${formatBytes(m.projected)}*${money(m.projected)} by month end`;
  const first = `Month to date (${escapeUntrusted(m.month)}, ${m.knownDays} of ${m.daysInMonth} days): *${formatBytes(m.toDate)}*${money(m.toDate)}${proj}`;
  if (!v.budget) return `${first}\nNo monthly budget set (\`/logusage budget set 30TB/month\`).`;
  const b = v.budget.bytes;
  const over = m.projected !== null && m.projected >= b;
  const projPart = m.projected === null ? '' : `, projected ${pct(m.projected, b)}`;
  return `${first}\n${over ? ':warning: ' : ''}Budget ${formatBytes(b)}/month${money(b)}: ${pct(m.toDate, b)} used${projPart}`;
}

export function buildDigest(v: DigestView): SlackMessage {
  if (!v.observed) {
    const t = `No data for ${v.day}: the day was not collected, so there is no digest. See /logusage status.`;
    return fitMessage({ text: t, blocks: [header(`Log usage digest — ${v.day}`), section(`:grey_question: ${escapeMrkdwn(t)}`)] });
  }
  const total = bytesOrGap(v.total);
  const vs =
    v.expected && v.total !== null
      ? `expected ${formatBytes(v.expected.expected)} (normal ${formatBytes(v.expected.low)} – ${formatBytes(v.expected.high)}), ${formatChangePct(v.total, v.expected.expected)} / ${formatChangeBytes(v.total - v.expected.expected)}`
      : 'no typical value yet';
  const outside = v.expected !== null && v.total !== null && (v.total > v.expected.high || v.total < v.expected.low);
  const blocks = [
    header(`Log usage digest — ${showDay(v.day)}`),
    section(
      `${outside ? ':rotating_light:' : ':bar_chart:'} Yesterday's total *${total}*${v.total === null ? '' : escapeMrkdwn(bytesMoneyText(v.total, v.price))} — ${vs}\n\`${v.spark}\` last 30 days`,
    ),
    section(monthLines(v)),
    ...(orgDigestSection(v.org) ? [section(orgDigestSection(v.org) as string)] : []),
    divider(),
    section(
      `*Top ${v.top.length} logs* (${v.logsWithData.toLocaleString('en-US')} sent data)\n${
        v.top.length > 0
          ? capLines(
              v.top.map((l, i) => logLine(l, i)),
              { maxChars: 2900, noun: 'logs' },
            )
          : '_none_'
      }`,
    ),
  ];
  if (v.movers.up.length > 0 || v.movers.down.length > 0) {
    const up = v.movers.up.length > 0 ? capLines(v.movers.up.map(moverLine), { maxChars: 1400, noun: 'logs' }) : '_none_';
    const down = v.movers.down.length > 0 ? capLines(v.movers.down.map(moverLine), { maxChars: 1400, noun: 'logs' }) : '_none_';
    blocks.push(section(`*Biggest movers up*\n${up}\n*Biggest movers down*\n${down}`));
  }
  const news = v.newLogs.map((l) => `• *${shownName(l.name)}* ${formatBytes(l.bytes)}`);
  const silents = v.silentLogs.map((l) => `• *${shownName(l.name)}* silent since ${showDay(l.since)}`);
  if (news.length > 0 || silents.length > 0) {
    blocks.push(
      section(
        `*New logs*\n${news.length > 0 ? capLines(news, { maxChars: 1400, noun: 'logs' }) : '_none_'}\n*Silent logs*\n${
          silents.length > 0 ? capLines(silents, { maxChars: 1400, noun: 'logs' }) : '_none_'
        }`,
      ),
    );
  }
  const alertLines = v.openAlerts.map((a) => {
    const { emoji, label } = kindLabel(a.kind);
    const where = a.channel && /^[CG][A-Z0-9]+$/.test(a.channel) ? ` in <#${a.channel}>` : '';
    return `${emoji} ${label}: *${shownName(a.name)}* since ${showDay(a.firstDay)}${where}`;
  });
  blocks.push(
    section(
      `*Open alerts (${v.openAlertCount})*\n${
        alertLines.length > 0 ? capLines(alertLines, { maxChars: 2500, maxLines: 15, noun: 'alerts' }) : 'None — all quiet.'
      }${v.openAlertCount > alertLines.length && alertLines.length > 0 ? `\n_and ${v.openAlertCount - alertLines.length} more_` : ''}`,
    ),
    context('The 30-day chart is in the thread · `/logusage summary` · `/logusage alerts`'),
  );
  const text = [
    `Log usage digest for ${v.day}: ${total}${v.total === null ? '' : bytesMoneyText(v.total, v.price)}${v.expected ? ` (expected ${formatBytes(v.expected.expected)})` : ''}.`,
    `Month to date ${formatBytes(v.month.toDate)}${v.month.projected === null ? '' : `, projected ${formatBytes(v.month.projected)}`}${
      v.budget ? ` of ${formatBytes(v.budget.bytes)} budget` : ''
    }.`,
    `Open alerts: ${v.openAlertCount}.`,
  ].join(' ');
  return fitMessage({ text: escapeMrkdwn(text), blocks });
}

export interface WeeklyView {
  from: Day;
  to: Day;
  total: number;
  previousTotal: number | null;
  top: Array<{ name: string; bytes: number; previous: number | null }>;
  newLogs: string[];
  alertsOpened: number;
  alertsResolved: number;
  openAlertCount: number;
}

export function buildWeeklyDigest(v: WeeklyView): SlackMessage {
  const change =
    v.previousTotal === null
      ? ''
      : ` — ${formatChangePct(v.total, v.previousTotal)} (${formatChangeBytes(v.total - v.previousTotal)}) vs the week before`;
  const top = v.top.map(
    (l, i) =>
      `${i + 1}. *${shownName(l.name)}* ${formatBytes(l.bytes)}${l.previous === null ? '' : ` ${formatChangePct(l.bytes, l.previous)}`}`,
  );
  const news = v.newLogs.map((n) => `• ${shownName(n)}`);
  return fitMessage({
    text: escapeMrkdwn(
      `Weekly log usage ${v.from} … ${v.to}: ${formatBytes(v.total)}. Alerts opened ${v.alertsOpened}, resolved ${v.alertsResolved}.`,
    ),
    blocks: [
      header(`Weekly log usage — ${v.from} … ${v.to}`),
      section(`:calendar: Week total *${formatBytes(v.total)}*${change}`),
      section(`*Top logs of the week*\n${top.length > 0 ? capLines(top, { maxChars: 2900, noun: 'logs' }) : '_none_'}`),
      section(`*New logs this week*\n${news.length > 0 ? capLines(news, { maxChars: 1500, noun: 'logs' }) : '_none_'}`),
      context(`Alerts opened ${v.alertsOpened} · resolved ${v.alertsResolved} · open now ${v.openAlertCount}`),
    ],
  });
}
