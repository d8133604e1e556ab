/** Pure builder of `/logusage top [N]`: the largest logs of a day with share, change and sparkline. */
import type { Day } from '../../days.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { context, escapeMrkdwn, fitMessage, header, listSections, type SlackMessage, section, shownName } from '../mrkdwn.js';
import { formatChangePct } from './common.js';

export interface TopView {
  day: Day;
  observed: boolean;
  requested: number;
  rows: Array<{ logId: string; name: string; logsets: string[]; bytes: number; expected: number | null; spark: string }>;
  logsWithData: number;
  totalBytes: number;
  /** Price in force: money beside bytes; absent = no money shown. */
  price?: Price;
}

export function buildTop(v: TopView): SlackMessage {
  if (!v.observed) {
    return fitMessage({
      text: `No data for ${v.day} yet.`,
      blocks: [section(`:grey_question: No data for ${v.day} yet: run \`/logusage refresh\` or check \`/logusage status\`.`)],
    });
  }
  const lines = v.rows.map((r, i) => {
    const share = v.totalBytes > 0 ? ` · ${((r.bytes / v.totalBytes) * 100).toFixed(1)}%` : '';
    const change = r.expected === null ? '' : ` · ${formatChangePct(r.bytes, r.expected)}`;
    const sets =
      r.logsets.length > 0
        ? ` _${r.logsets
            .slice(0, 3)
            .map((s) => shownName(s, 40))
            .join(', ')}_`
        : '';
    return `${i + 1}. *${shownName(r.name)}*${sets} — ${formatBytes(r.bytes)}${escapeMrkdwn(bytesMoneyText(r.bytes, v.price))}${share}${change} \`${r.spark}\``;
  });
  return fitMessage({
    text: escapeMrkdwn(
      `Top ${v.rows.length} logs on ${v.day}: ${v.rows
        .slice(0, 10)
        .map((r) => `${r.name} ${formatBytes(r.bytes)}`)
        .join(', ')}${v.rows.length > 10 ? ', …' : ''}`,
    ),
    blocks: [
      header(`Top ${v.rows.length} logs on ${v.day}`),
      ...listSections(lines, { noun: 'logs' }),
      context(
        `${v.logsWithData.toLocaleString('en-US')} logs sent ${formatBytes(v.totalBytes)}${escapeMrkdwn(bytesMoneyText(v.totalBytes, v.price))} that day. Sparklines: last 30 days; change vs a typical day.`,
      ),
    ],
  });
}
