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
import { thresholdCommands } from './threshold.js';
import { topCommands } from './top.js';

export const HANDLERS: Handlers = {
  ...helpCommands,
  ...summaryCommands,
  ...topCommands,
  ...logCommands,
  ...alertsCommands,
  ...chartCommands,
  ...thresholdCommands,
  ...budgetCommands,
  ...priceCommands,
  ...explainCommands,
  ...snoozeCommands,
  ...muteCommands,
  ...routeCommands,
  ...expectCommands,
  ...ownerCommands,
  ...digestCommands,
  ...refreshCommands,
  ...statusCommands,
};
