/** Pure builder of `/logusage help`: every command with an example, admin-only ones marked. */
import { EXAMPLES } from '../command-parser.js';
import { context, escapeMrkdwn, fitMessage, header, type SlackMessage, section } from '../mrkdwn.js';

const READ: Array<[string, string]> = [
  ['summary [DATE]', 'organisation total vs expected, month to date, top logs'],
  ['top [N]', 'largest logs on the latest day'],
  ['log <name|id>', 'one log: history, baseline, thresholds, alerts, recent changes'],
  ['alerts', 'open alerts'],
  ['chart <name|id|org> [30d|90d]', 'PNG chart, uploaded to this channel'],
  ['threshold list', 'thresholds and their ids'],
  ['budget show', 'the monthly budget in force'],
  ['price show', 'the price per GB in force (money shown beside bytes)'],
  ['explain <name> [DATE]', 'which host or source inside the log carried its change (Log Search)'],
  ['route list', 'which log sets alert in which channel'],
  ['expect list', 'planned changes in force'],
  ['owner list', 'who owns which log set'],
  ['digest', "preview of today's digest"],
  ['status', 'last run, next run, coverage, recent changes'],
];

const ADMIN: Array<[string, string]> = [
  [
    'threshold set (log <name>|logset <name>|org) <SIZE|MONEY>[/day]',
    'alert when a day exceeds SIZE (or money at the price); alone: a form',
  ],
  ['threshold remove <ID>', 'remove a threshold'],
  ['budget set <SIZE|MONEY>/month | budget clear', 'set or clear the monthly budget'],
  ['price set <MONEY>/GB | price clear', 'set or clear the price per GB'],
  ['snooze <name> <DURATION> | unsnooze <name>', 'silence a log for 12h, 3d, 2w …'],
  ['mute <name> | unmute <name>', 'no alerts at all for a log'],
  ['route <logset name> <#channel>', "send a log set's alerts to a channel"],
  ['expect <name|logset> <+N%|SIZE/day> until <DATE> [why…] | expect remove <ID>', 'a planned change: no alert within it'],
  ['owner <logset name> <@person|@group> | owner remove <logset>', "mention the log set's owner in its alerts"],
  ['refresh', 'collect from Rapid7 now'],
];

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
