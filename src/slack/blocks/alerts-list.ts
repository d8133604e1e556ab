/** Pure builder of `/logusage alerts`: open alerts, newest first, with a link to each alert's channel. */
import type { Day } from '../../days.js';
import { formatBytes } from '../../units.js';
import { context, fitMessage, header, listSections, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
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
    const state = [a.muted ? 'muted' : '', a.snoozedUntil ? `snoozed until ${escapeUntrusted(a.snoozedUntil.slice(0, 10))}` : '']
      .filter(Boolean)
      .join(', ');
    return `${ICON[a.kind] ?? ':warning:'} *#${a.id} ${escapeUntrusted(a.kind)}* ${shownName(a.name)} — ${formatBytes(a.value)} vs ${formatBytes(a.expected)} (${formatChangePct(a.value, a.expected)}) since ${a.firstDay}${
      a.findingDays > 1 ? `, ${a.findingDays} days` : ''
    }${where}${state ? ` _(${state})_` : ''}\n    ${shownName(a.reason, 300)}`;
  });
  return fitMessage({
    text: escapeMrkdwn(
      `${total} open alert${total === 1 ? '' : 's'}: ${alerts
        .slice(0, 10)
        .map((a) => `#${a.id} ${plainName(a.kind, 40)} ${plainName(a.name)}`)
        .join('; ')}${total > 10 ? '; …' : ''}`,
    ),
    blocks: [
      header(`${total} open alert${total === 1 ? '' : 's'}`),
      ...listSections(lines, { noun: 'alerts', total }),
      context('Buttons on each alert message snooze, mute or mark it as expected.'),
    ],
  });
}
