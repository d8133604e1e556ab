/**
 * The handler of every kind of command the parser returns (src/slack/command-parser.ts), one file per subcommand of
 * the table (src/slack/commands/table.ts). The type requires exactly one handler per kind, so a new kind does not
 * compile until it has one. The table itself stays apart because the parser and help, which read it, are pure.
 */
import { alertsCommands } from './alerts.js';
import { budgetCommands } from './budget.js';
import { chartCommands } from './chart.js';
import type { Handlers } from './context.js';
import { digestCommands } from './digest.js';
import { expectCommands } from './expect.js';
import { explainCommands } from './explain.js';
import { helpCommands } from './help.js';
import { logCommands } from './log.js';
import { muteCommands } from './mute.js';
import { ownerCommands } from './owner.js';
import { priceCommands } from './price.js';
import { refreshCommands } from './refresh.js';
import { routeCommands } from './route.js';
import { snoozeCommands } from './snooze.js';
import { statusCommands } from './status.js';
import { summaryCommands } from './summary.js';
import type { SubcommandName } from './table.js';
import { thresholdCommands } from './threshold.js';
import { topCommands } from './top.js';

type Merged<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Each subcommand's handlers, by its name in the table (an undo word is handled in its pair's file: `unsnooze` by
 * snooze.ts). The type requires a file for every subcommand of the table.
 */
export const HANDLERS_OF = {
  help: helpCommands,
  summary: summaryCommands,
  top: topCommands,
  log: logCommands,
  alerts: alertsCommands,
  chart: chartCommands,
  threshold: thresholdCommands,
  budget: budgetCommands,
  price: priceCommands,
  explain: explainCommands,
  snooze: snoozeCommands,
  mute: muteCommands,
  route: routeCommands,
  expect: expectCommands,
  owner: ownerCommands,
  digest: digestCommands,
  refresh: refreshCommands,
  status: statusCommands,
} as const satisfies { [N in Exclude<SubcommandName, 'unsnooze' | 'unmute'>]: Partial<Handlers> };

/** The handler of every kind of command: the type fails to compile when a kind has none. */
export const HANDLERS: Handlers = Object.assign({}, ...Object.values(HANDLERS_OF)) as Merged<
  (typeof HANDLERS_OF)[keyof typeof HANDLERS_OF]
>;
