/**
 * The ONE list of `/logusage` subcommands (SPEC §9): the parser's words and its "did you mean", the help text
 * (what each does, with its usage, admin-only ones apart) and the tests all read it. Pure data.
 */
export interface CommandUsage {
  /** Usage after `/logusage `, as shown in help. */
  usage: string;
  /** What it does, one short line. */
  what: string;
  /** A change: admins only (LOGUSAGE_ADMINS). */
  admin: boolean;
}

export interface SubcommandEntry {
  /** The subcommand word. */
  name: string;
  /** Other words that mean the same (`thresholds` for `threshold`). */
  aliases: readonly string[];
  /** Its forms, as help lists them; empty for `help` itself. */
  usages: readonly CommandUsage[];
}

const read = (usage: string, what: string): CommandUsage => ({ usage, what, admin: false });
const change = (usage: string, what: string): CommandUsage => ({ usage, what, admin: true });

export const SUBCOMMANDS: readonly SubcommandEntry[] = [
  { name: 'help', aliases: ['?'], usages: [] },
  { name: 'summary', aliases: [], usages: [read('summary [DATE]', 'organisation total vs expected, month to date, top logs')] },
  { name: 'top', aliases: [], usages: [read('top [N]', 'largest logs on the latest day')] },
  { name: 'log', aliases: [], usages: [read('log <name|id>', 'one log: history, baseline, thresholds, alerts, recent changes')] },
  { name: 'alerts', aliases: [], usages: [read('alerts', 'open alerts')] },
  { name: 'chart', aliases: [], usages: [read('chart <name|id|org> [30d|90d]', 'PNG chart, uploaded to this channel')] },
  {
    name: 'threshold',
    aliases: ['thresholds'],
    usages: [
      read('threshold list', 'thresholds and their ids'),
      change(
        'threshold set (log <name>|logset <name>|org) <SIZE|MONEY>[/day]',
        'alert when a day exceeds SIZE (or money at the price); alone: a form',
      ),
      change('threshold remove <ID>', 'remove a threshold'),
    ],
  },
  {
    name: 'budget',
    aliases: [],
    usages: [
      read('budget show', 'the monthly budget in force'),
      change('budget set <SIZE|MONEY>/month | budget clear', 'set or clear the monthly budget'),
    ],
  },
  {
    name: 'price',
    aliases: [],
    usages: [
      read('price show', 'the price per GB in force (money shown beside bytes)'),
      change('price set <MONEY>/GB | price clear', 'set or clear the price per GB'),
    ],
  },
  {
    name: 'explain',
    aliases: [],
    usages: [read('explain <name> [DATE]', 'which host or source inside the log carried its change (Log Search)')],
  },
  { name: 'snooze', aliases: [], usages: [change('snooze <name> <DURATION> | unsnooze <name>', 'silence a log for 12h, 3d, 2w …')] },
  { name: 'unsnooze', aliases: [], usages: [] },
  { name: 'mute', aliases: [], usages: [change('mute <name> | unmute <name>', 'no alerts at all for a log')] },
  { name: 'unmute', aliases: [], usages: [] },
  {
    name: 'route',
    aliases: ['routes'],
    usages: [
      read('route list', 'which log sets alert in which channel'),
      change('route <logset name> <#channel>', "send a log set's alerts to a channel"),
    ],
  },
  {
    name: 'expect',
    aliases: ['expected'],
    usages: [
      read('expect list', 'planned changes in force'),
      change('expect <name|logset> <+N%|SIZE/day> until <DATE> [why…] | expect remove <ID>', 'a planned change: no alert within it'),
    ],
  },
  {
    name: 'owner',
    aliases: ['owners'],
    usages: [
      read('owner list', 'who owns which log set'),
      change('owner <logset name> <@person|@group> | owner remove <logset>', "mention the log set's owner in its alerts"),
    ],
  },
  { name: 'digest', aliases: [], usages: [read('digest', "preview of today's digest")] },
  { name: 'refresh', aliases: [], usages: [change('refresh', 'collect from Rapid7 now')] },
  { name: 'status', aliases: [], usages: [read('status', 'last run, next run, coverage, recent changes')] },
];

/** The subcommand a typed word names (its name or an alias, any case), or undefined. */
export function subcommandOf(word: string): string | undefined {
  const w = word.toLowerCase();
  return SUBCOMMANDS.find((c) => c.name === w || c.aliases.includes(w))?.name;
}

/** Every usage line, in the catalogue's order, read-only ones or changes. */
export function usagesOf(admin: boolean): CommandUsage[] {
  return SUBCOMMANDS.flatMap((c) => c.usages.filter((u) => u.admin === admin));
}
