/**
 * Pure builder of `/logusage top [N]`: the largest logs of a day with share, change and sparkline.
 * All N rows are listed (N ≤ TOP_MAX = 100): the rows are packed into sections of at most 2,900
 * characters, and when the richest form of every row does not fit the message budget (10k characters
 * of block text, SLACK.md) the rows drop their log sets, then their sparklines, then shorten their
 * names — the same form for every row, so the list reads evenly.
 */
import type { Day } from '../../days.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { context, fitMessage, header, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, plainName, shownName, truncate } from '../mrkdwn.js';
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

/** Characters all rows may use together: under the 10k message budget with the header and closing context. */
const ROWS_BUDGET = 8_800;
/** Characters of one section of rows (Slack's limit is 3,000). */
const SECTION_CHARS = 2_900;

/** How much of each row is shown: richest first. `name` is the most characters of the name shown. */
const FORMS = [
  { name: 80, sets: true, spark: true },
  { name: 60, sets: false, spark: true },
  { name: 48, sets: false, spark: false },
] as const;

type Row = TopView['rows'][number];

function rowLine(v: TopView, r: Row, i: number, form: { name: number; sets: boolean; spark: boolean }, nameRoom?: number): string {
  const share = v.totalBytes > 0 ? ` · ${((r.bytes / v.totalBytes) * 100).toFixed(1)}%` : '';
  const change = r.expected === null ? '' : ` · ${formatChangePct(r.bytes, r.expected)}`;
  const sets =
    form.sets && r.logsets.length > 0
      ? ` _${r.logsets
          .slice(0, 3)
          .map((s) => shownName(s, 40))
          .join(', ')}_`
      : '';
  const shown = shownName(r.name, form.name);
  const name = nameRoom === undefined ? shown : truncate(shown, Math.max(1, nameRoom));
  return `${i + 1}. *${name}*${sets} — ${formatBytes(r.bytes)}${escapeMrkdwn(bytesMoneyText(r.bytes, v.price))}${share}${change}${form.spark ? ` \`${r.spark}\`` : ''}`;
}

/** Every row, in the richest form whose lines fit ROWS_BUDGET together; else names cut to an equal share. */
function rowLines(v: TopView): string[] {
  const cost = (lines: string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
  for (const form of FORMS) {
    const lines = v.rows.map((r, i) => rowLine(v, r, i, form));
    if (cost(lines) <= ROWS_BUDGET) return lines;
  }
  const last = FORMS[FORMS.length - 1] as (typeof FORMS)[number];
  const share = Math.floor(ROWS_BUDGET / Math.max(1, v.rows.length)) - 1;
  return v.rows.map((r, i) => {
    const bare = rowLine(v, { ...r, name: '' }, i, last).length;
    return rowLine(v, r, i, last, share - bare);
  });
}

/** Lines packed into as few sections of at most SECTION_CHARS as they fill, in order. */
function packSections(lines: string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of lines) {
    const line = truncate(raw, SECTION_CHARS);
    if (cur !== '' && cur.length + 1 + line.length > SECTION_CHARS) {
      out.push(cur);
      cur = '';
    }
    cur = cur === '' ? line : `${cur}\n${line}`;
  }
  if (cur !== '') out.push(cur);
  return out;
}

export function buildTop(v: TopView): SlackMessage {
  if (!v.observed) {
    return fitMessage({
      text: `No data for ${v.day} yet.`,
      blocks: [section(`:grey_question: No data for ${v.day} yet: run \`/logusage refresh\` or check \`/logusage status\`.`)],
    });
  }
  const sections = packSections(rowLines(v)).map((text) => section(text));
  return fitMessage({
    text: escapeMrkdwn(
      `Top ${v.rows.length} logs on ${v.day}: ${v.rows
        .slice(0, 10)
        .map((r) => `${plainName(r.name, 40)} ${formatBytes(r.bytes)}`)
        .join(', ')}${v.rows.length > 10 ? ', …' : ''}`,
    ),
    blocks: [
      header(`Top ${v.rows.length} logs on ${v.day}`),
      ...(sections.length > 0 ? sections : [section('_No log sent data that day._')]),
      context(
        `${v.logsWithData.toLocaleString('en-US')} logs sent ${formatBytes(v.totalBytes)}${escapeMrkdwn(bytesMoneyText(v.totalBytes, v.price))} that day. Sparklines: last 30 days; change vs a typical day.`,
      ),
    ],
  });
}
