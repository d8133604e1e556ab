/** Pure builder of `/logusage alerts`: open alerts, newest first, with a link to each alert's channel. */
import type { Day } from '../../days.js';
import { formatBytes } from '../../units.js';
import { capLines, context, escapeMrkdwn, fitMessage, header, type SlackMessage, section, shownName } from '../mrkdwn.js';
import { formatChangePct } from './common.js';

export interface AlertLine {
  id: number;
  kind: string;
  name: string;
  firstDay: Day;
  lastDay: Day;
  findingDays: number;
  value: number;
  expected: number;
  reason: string;
  channel: string | null;
  muted?: boolean;
  snoozedUntil?: string | null;
}

const ICON: Record<string, string> = {
  spike: ':chart_with_upwards_trend:',
  drop: ':chart_with_downwards_trend:',
  silent: ':mute:',
  new: ':new:',
  threshold: ':straight_ruler:',
  budget: ':moneybag:',
};

export function buildAlertsList(alerts: AlertLine[], total: number): SlackMessage {
  if (alerts.length === 0) {
    return fitMessage({ text: 'No open alerts.', blocks: [section(':white_check_mark: No open alerts.')] });
  }
  const lines = alerts.map((a) => {
    const where = a.channel && /^[CG][A-Z0-9]+$/.test(a.channel) ? ` in <#${a.channel}>` : '';
    const state = [a.muted ? 'muted' : '', a.snoozedUntil ? `snoozed until ${escapeMrkdwn(a.snoozedUntil.slice(0, 10))}` : '']
      .filter(Boolean)
      .join(', ');
    return `${ICON[a.kind] ?? ':warning:'} *#${a.id} ${escapeMrkdwn(a.kind)}* ${shownName(a.name)} — ${formatBytes(a.value)} vs ${formatBytes(a.expected)} (${formatChangePct(a.value, a.expected)}) since ${a.firstDay}${
      a.findingDays > 1 ? `, ${a.findingDays} days` : ''
    }${where}${state ? ` _(${state})_` : ''}\n    ${escapeMrkdwn(a.reason.length > 300 ? `${a.reason.slice(0, 299)}…` : a.reason)}`;
  });
  const shown = capLines(lines, { maxChars: 2900, noun: 'alerts' });
  const count = shown.split('\n').filter((l) => /^:[a-z_]+: \*#/.test(l)).length;
  const rest = lines.slice(count);
  const hidden = total - alerts.length;
  return fitMessage({
    text: escapeMrkdwn(
      `${total} open alert${total === 1 ? '' : 's'}: ${alerts
        .slice(0, 10)
        .map((a) => `#${a.id} ${a.kind} ${a.name}`)
        .join('; ')}${total > 10 ? '; …' : ''}`,
    ),
    blocks: [
      header(`${total} open alert${total === 1 ? '' : 's'}`),
      section(rest.length > 0 ? capLines(lines.slice(0, count), { maxChars: 2900 }) : shown),
      ...(rest.length > 0 ? [section(capLines(rest, { maxChars: 2900, noun: 'alerts' }))] : []),
      ...(hidden > 0 ? [context(`_and ${hidden} more not listed_`)] : []),
      context('Buttons on each alert message snooze, mute or mark it as expected.'),
    ],
  });
}
