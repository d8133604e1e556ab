/** Pure builder of `/logusage help`: every command with an example, admin-only ones marked. */

import { context, fitMessage, header, type SlackMessage, section } from '../block-kit.js';
import { EXAMPLES, usagesOf } from '../commands/table.js';
import { escapeMrkdwn } from '../mrkdwn.js';

const READ: Array<[string, string]> = usagesOf(false).map((u) => [u.usage, u.what]);
const ADMIN: Array<[string, string]> = usagesOf(true).map((u) => [u.usage, u.what]);

export function buildHelp(opts: { isAdmin: boolean; adminsConfigured: boolean }): SlackMessage {
  const line = ([cmd, what]: [string, string]) => `\`/logusage ${escapeMrkdwn(cmd)}\` — ${escapeMrkdwn(what)}`;
  const examples = [EXAMPLES.summary, EXAMPLES.log, EXAMPLES.chart, EXAMPLES.thresholdSet, EXAMPLES.snooze, EXAMPLES.budgetSet]
    .map((e) => `\`/logusage ${escapeMrkdwn(e)}\``)
    .join('  ');
  const adminNote = opts.isAdmin
    ? 'You are an admin: you may run the commands below.'
    : opts.adminsConfigured
      ? 'Only the users in LOGUSAGE_ADMINS may run these.'
      : 'No one may run these until LOGUSAGE_ADMINS lists Slack user ids.';
  const text = [
    'logusage: daily Rapid7 log ingestion, in Slack.',
    ...READ.map(([c, w]) => `/logusage ${c} — ${w}`),
    'Admins:',
    ...ADMIN.map(([c, w]) => `/logusage ${c} — ${w}`),
  ].join('\n');
  return fitMessage({
    text: escapeMrkdwn(text),
    blocks: [
      header('logusage commands'),
      section(READ.map(line).join('\n')),
      section(`*Changes* (${escapeMrkdwn(adminNote)})\n${ADMIN.map(line).join('\n')}`),
      context(
        `Examples: ${examples}`,
        'Names match exactly, by id, or by a unique part of the name; quote names with spaces: `log "web proxy"`. Sizes: 500MB, 1.5 TB, 750 GiB.',
      ),
    ],
  });
}
