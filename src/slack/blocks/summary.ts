/** Pure builder of `/logusage summary`: organisation total vs expected, month to date, top logs. */
import type { Day } from '../../days.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { capLines, context, fitMessage, header, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
import { bytesOrGap, formatChangeBytes, formatChangePct } from './common.js';

export interface SummaryLogLine {
  logId: string;
  name: string;
  bytes: number;
  /** Typical bytes for this log on this day, when known. */
  expected: number | null;
  /** 30-day sparkline. */
  spark: string;
}

export interface SummaryView {
  day: Day;
  /** False when the day was never collected (no data). */
  observed: boolean;
  total: number | null;
  expected: { expected: number; low: number; high: number } | null;
  /** Organisation sparkline of the last 30 days. */
  spark: string;
  month: { month: string; toDate: number; daysCounted: number; daysInMonth: number; projected: number | null };
  budget: { bytes: number; source: 'slack' | 'env' } | null;
  top: SummaryLogLine[];
  logsWithData: number;
  openAlerts: number;
  /** Findings of the day from detection, when it ran ("spike: firewall-eu sent …"). */
  findings: Array<{ kind: string; logName: string; reason: string }> | null;
  /** Price in force: money beside bytes; absent = no money shown. */
  price?: Price;
}

export function buildSummary(v: SummaryView): SlackMessage {
  if (!v.observed) {
    const t = `No data for ${v.day}: that day was never collected. Try an earlier date, or /logusage status.`;
    return fitMessage({ text: escapeMrkdwn(t), blocks: [section(`:grey_question: ${escapeMrkdwn(t)}`)] });
  }
  const money = (b: number | null) => (b === null ? '' : bytesMoneyText(b, v.price));
  const total = `${bytesOrGap(v.total)}${money(v.total)}`;
  const vsExpected =
    v.expected && v.total !== null
      ? `expected ${formatBytes(v.expected.expected)} (${formatBytes(v.expected.low)} – ${formatBytes(v.expected.high)}), ${formatChangePct(v.total, v.expected.expected)} / ${formatChangeBytes(v.total - v.expected.expected)}`
      : 'no typical value yet (needs about 3 weeks of history)';
  const outside = v.expected && v.total !== null && (v.total > v.expected.high || v.total < v.expected.low);
  const budgetLine = v.budget
    ? (() => {
        const pct = (v.month.toDate / v.budget.bytes) * 100;
        const proj =
          v.month.projected === null
            ? ''
            : `, projected ${formatBytes(v.month.projected)} (${Math.round((v.month.projected / v.budget.bytes) * 100)}%)`;
        return `Budget ${formatBytes(v.budget.bytes)}/month${money(v.budget.bytes)}${v.budget.source === 'slack' ? ' (set from Slack)' : ''}: ${pct.toFixed(0)}% used${proj}`;
      })()
    : 'No monthly budget set (`/logusage budget set 30TB/month`).';
  const monthLine = `Month to date (${escapeUntrusted(v.month.month)}, ${v.month.daysCounted} of ${v.month.daysInMonth} days): *${formatBytes(v.month.toDate)}*${escapeMrkdwn(money(v.month.toDate))}${
    v.month.projected === null ? '' : `, projected ${formatBytes(v.month.projected)}${escapeMrkdwn(money(v.month.projected))} by month end`
  }`;
  const topLines = v.top.map((l, i) => {
    const ch = l.expected === null ? '' : ` ${formatChangePct(l.bytes, l.expected)}`;
    return `${i + 1}. *${shownName(l.name)}* ${formatBytes(l.bytes)}${escapeMrkdwn(money(l.bytes))}${ch} \`${l.spark}\``;
  });
  const findings = v.findings ?? [];
  const findingLines = findings.map((f) => `• *${escapeUntrusted(f.kind)}* ${shownName(f.logName)}: ${escapeUntrusted(f.reason)}`);
  const text = [
    `logusage summary for ${v.day}: ${total} (${v.expected ? `expected ${formatBytes(v.expected.expected)}` : 'no typical value yet'}).`,
    `Month to date ${formatBytes(v.month.toDate)}${money(v.month.toDate)}.`,
    v.budget ? `Budget ${formatBytes(v.budget.bytes)}/month.` : '',
    `Open alerts: ${v.openAlerts}.`,
    v.top.length > 0
      ? `Top: ${v.top
          .slice(0, 5)
          .map((l) => `${plainName(l.name)} ${formatBytes(l.bytes)}`)
          .join(', ')}`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return fitMessage({
    text: escapeMrkdwn(text),
    blocks: [
      header(`Summary for ${v.day}`),
      section(`${outside ? ':rotating_light:' : ':bar_chart:'} Organisation total *${total}* — ${vsExpected}\n\`${v.spark}\` last 30 days`),
      section(`${monthLine}\n${escapeMrkdwn(budgetLine)}`),
      section(
        `*Top logs* (${v.logsWithData.toLocaleString('en-US')} logs sent data)\n${
          topLines.length > 0 ? capLines(topLines, { maxChars: 2900, noun: 'logs' }) : '_none_'
        }`,
      ),
      ...(findings.length > 0 ? [section(`*Findings*\n${capLines(findingLines, { maxChars: 2900, noun: 'findings' })}`)] : []),
      context(
        `${v.openAlerts} open alert${v.openAlerts === 1 ? '' : 's'} · \`/logusage alerts\` · \`/logusage top 20\` · \`/logusage chart org\``,
      ),
    ],
  });
}
