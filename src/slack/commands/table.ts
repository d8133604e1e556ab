/**
 * The ONE table of `/logusage` subcommands (SPEC §9): each one's words, its forms as help lists them (what each does,
 * admin-only ones marked), its examples, and which of the commands it parses to are changes (LOGUSAGE_ADMINS only) and
 * how a refusal names them. The parser's words and "did you mean", its examples, the help text, the permission check
 * and the tests all read it. Pure data: the handlers (src/slack/commands/index.ts) are keyed by the command kinds
 * the parser returns, and the type there requires one for every kind.
 */
import type { Command } from '../command-parser.js';

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
  /** Its forms, as help lists them; empty for `help` itself and for the undo words listed with their pair. */
  usages: readonly CommandUsage[];
  /** Valid commands (without `/logusage`), by the name code uses; the one named like the subcommand is its example. */
  examples: Readonly<Record<string, string>>;
  /** The commands it parses to that change something, and what a refusal says non-admins may not do. */
  admin?: { what: string; kinds: readonly Command['kind'][] };
}

const read = (usage: string, what: string): CommandUsage => ({ usage, what, admin: false });
const change = (usage: string, what: string): CommandUsage => ({ usage, what, admin: true });

/**
 * A change and its undo word (`snooze` and `unsnooze`): help lists both in the change's one usage; each is a command
 * of its own, admins only, refused with the same words.
 */
function withUndo<const N extends 'snooze' | 'mute', const U extends 'unsnooze' | 'unmute'>(c: {
  name: N;
  undo: U;
  usage: string;
  what: string;
  example: string;
  refused: string;
}) {
  const entry = <const W extends N | U>(name: W, usages: readonly CommandUsage[], example: string) => ({
    name,
    aliases: [],
    usages,
    examples: { [name]: example } as { [P in W]: string },
    admin: { what: c.refused, kinds: [name] },
  });
  return [entry(c.name, [change(c.usage, c.what)], c.example), entry(c.undo, [], `${c.undo} firewall-eu`)] as const;
}

/**
 * A setting kept per log set (`route`, `owner`): `<name> list` shows them all (its plural is an alias), setting and
 * removing one are changes (`<name>-set`, `<name>-remove`), refused as "change <name>s".
 */
function perLogSet<const N extends 'route' | 'owner'>(name: N, c: { listed: string; usage: string; what: string; example: string }) {
  return {
    name,
    aliases: [`${name}s`] as const,
    usages: [read(`${name} list`, c.listed), change(c.usage, c.what)],
    examples: { [name]: c.example, [`${name}List`]: `${name} list` } as { [P in N | `${N}List`]: string },
    admin: { what: `change ${name}s`, kinds: [`${name}-set`, `${name}-remove`] as const },
  };
}

export const SUBCOMMANDS = [
  { name: 'help', aliases: ['?'], usages: [], examples: { help: 'help' } },
  {
    name: 'summary',
    aliases: [],
    usages: [read('summary [DATE]', 'organisation total vs expected, month to date, top logs')],
    examples: { summary: 'summary 2026-03-01' },
  },
  { name: 'top', aliases: [], usages: [read('top [N]', 'largest logs on the latest day')], examples: { top: 'top 10' } },
  {
    name: 'log',
    aliases: [],
    usages: [read('log <name|id>', 'one log: history, baseline, thresholds, alerts, recent changes')],
    examples: { log: 'log firewall-eu' },
  },
  { name: 'alerts', aliases: [], usages: [read('alerts', 'open alerts')], examples: { alerts: 'alerts' } },
  {
    name: 'chart',
    aliases: [],
    usages: [read('chart <name|id|org> [30d|90d]', 'PNG chart, uploaded to this channel')],
    examples: { chart: 'chart org 30d' },
  },
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
    examples: {
      thresholdList: 'threshold list',
      thresholdSet: 'threshold set log firewall-eu 50GB/day',
      thresholdSetMoney: 'threshold set org $500/day',
      thresholdRemove: 'threshold remove 3',
    },
    admin: { what: 'change thresholds', kinds: ['threshold-set', 'threshold-remove', 'threshold-modal'] },
  },
  {
    name: 'budget',
    aliases: [],
    usages: [
      read('budget show', 'the monthly budget in force'),
      change('budget set <SIZE|MONEY>/month | budget clear', 'set or clear the monthly budget'),
    ],
    examples: {
      budgetShow: 'budget show',
      budgetSet: 'budget set 30TB/month',
      budgetSetMoney: 'budget set $12,000/month',
      budgetClear: 'budget clear',
    },
    admin: { what: 'change the budget', kinds: ['budget-modal', 'budget-set', 'budget-clear'] },
  },
  {
    name: 'price',
    aliases: [],
    usages: [
      read('price show', 'the price per GB in force (money shown beside bytes)'),
      change('price set <MONEY>/GB | price clear', 'set or clear the price per GB'),
    ],
    examples: { priceShow: 'price show', priceSet: 'price set $0.35/GB', priceClear: 'price clear' },
    admin: { what: 'change the price', kinds: ['price-set', 'price-clear'] },
  },
  {
    name: 'explain',
    aliases: [],
    usages: [read('explain <name> [DATE]', 'which host or source inside the log carried its change (Log Search)')],
    examples: { explain: 'explain firewall-eu 2026-03-01' },
  },
  ...withUndo({
    name: 'snooze',
    undo: 'unsnooze',
    usage: 'snooze <name> <DURATION> | unsnooze <name>',
    what: 'silence a log for 12h, 3d, 2w …',
    example: 'snooze firewall-eu 3d',
    refused: 'snooze alerts',
  }),
  ...withUndo({
    name: 'mute',
    undo: 'unmute',
    usage: 'mute <name> | unmute <name>',
    what: 'no alerts at all for a log',
    example: 'mute firewall-eu',
    refused: 'mute logs',
  }),
  perLogSet('route', {
    listed: 'which log sets alert in which channel',
    usage: 'route <logset name> <#channel>',
    what: "send a log set's alerts to a channel",
    example: 'route Firewalls #security-alerts',
  }),
  {
    name: 'expect',
    aliases: ['expected'],
    usages: [
      read('expect list', 'planned changes in force'),
      change('expect <name|logset> <+N%|SIZE/day> until <DATE> [why…] | expect remove <ID>', 'a planned change: no alert within it'),
    ],
    examples: {
      expect: 'expect firewall-eu +50% until 2026-04-30 migration to the new cluster',
      expectList: 'expect list',
      expectRemove: 'expect remove 2',
    },
    admin: { what: 'plan changes', kinds: ['expect-set', 'expect-remove'] },
  },
  perLogSet('owner', {
    listed: 'who owns which log set',
    usage: 'owner <logset name> <@person|@group> | owner remove <logset>',
    what: "mention the log set's owner in its alerts",
    example: 'owner Firewalls @secops',
  }),
  { name: 'digest', aliases: [], usages: [read('digest', "preview of today's digest")], examples: { digest: 'digest' } },
  {
    name: 'refresh',
    aliases: [],
    usages: [change('refresh', 'collect from Rapid7 now')],
    examples: { refresh: 'refresh' },
    admin: { what: 'run a collection', kinds: ['refresh'] },
  },
  {
    name: 'status',
    aliases: [],
    usages: [read('status', 'last run, next run, coverage, recent changes')],
    examples: { status: 'status' },
  },
] as const satisfies readonly SubcommandEntry[];

type Entry = (typeof SUBCOMMANDS)[number];
export type SubcommandName = Entry['name'];
type Merged<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every example of the table, by its name (`EXAMPLES.thresholdSet`); the parser's errors and the replies quote them. */
export const EXAMPLES: Merged<Entry['examples']> = Object.assign({}, ...SUBCOMMANDS.map((c) => c.examples));

/** The subcommand a typed word names (its name or an alias, any case), or undefined. */
export function subcommandOf(word: string): SubcommandName | undefined {
  const w = word.toLowerCase();
  return SUBCOMMANDS.find((c) => c.name === w || (c.aliases as readonly string[]).includes(w))?.name;
}

/** The example of a subcommand (the one named like it), if it has one. */
export function exampleOf(name: string): string | undefined {
  const entry: SubcommandEntry | undefined = SUBCOMMANDS.find((c) => c.name === name);
  return entry?.examples[name];
}

/** Every usage line, in the table's order, read-only ones or changes. */
export function usagesOf(admin: boolean): CommandUsage[] {
  return SUBCOMMANDS.flatMap((c): CommandUsage[] => c.usages.filter((u) => u.admin === admin));
}

/** What a refusal says non-admins may not do, per command that changes something. */
const ADMIN_WHAT: ReadonlyMap<Command['kind'], string> = new Map(
  SUBCOMMANDS.flatMap((c: SubcommandEntry) => (c.admin ? c.admin.kinds.map((k) => [k, c.admin?.what ?? ''] as const) : [])),
);

/** Commands that change something: only LOGUSAGE_ADMINS may run them. */
export const CHANGING_KINDS: ReadonlySet<Command['kind']> = new Set(ADMIN_WHAT.keys());

export function isChanging(c: Command): boolean {
  return CHANGING_KINDS.has(c.kind);
}

/** "change thresholds" for a refused `threshold set …`: what only admins may do. */
export function adminWhat(c: Command): string {
  return ADMIN_WHAT.get(c.kind) ?? 'change settings';
}
