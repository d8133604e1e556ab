/**
 * What a handler cannot do it refuses with a short answer saying what was wrong (and one valid example where the input
 * was wrong), and nothing is changed (SPEC §9): a log or log set name that matches nothing, undoing what is not there,
 * a value the command cannot take. One case per handler and refusal; the whole store is compared before and after,
 * and nothing is uploaded.
 */
import { describe, expect, it } from 'vitest';
import { budgetCommands } from '../../../../src/slack/commands/budget.js';
import { chartCommands } from '../../../../src/slack/commands/chart.js';
import type { Handlers } from '../../../../src/slack/commands/context.js';
import { expectCommands } from '../../../../src/slack/commands/expect.js';
import { explainCommands } from '../../../../src/slack/commands/explain.js';
import { logCommands } from '../../../../src/slack/commands/log.js';
import { ownerCommands } from '../../../../src/slack/commands/owner.js';
import { priceCommands } from '../../../../src/slack/commands/price.js';
import { routeCommands } from '../../../../src/slack/commands/route.js';
import { snoozeCommands } from '../../../../src/slack/commands/snooze.js';
import { thresholdCommands } from '../../../../src/slack/commands/threshold.js';
import { dumpStore } from '../../../support/db.js';
import { recordingUpload, run, world } from './world.js';

const KNOWN_SETS = 'known log sets include Firewalls, Proxies';

type Refusal = [
  text: string,
  handlers: Partial<Handlers>,
  reply: string | ReturnType<typeof expect.stringContaining>,
  env?: Record<string, string>,
];
/** A price in force (USD), for the refusals that compare currencies. */
const PRICED = { PRICE_PER_GB: '0.35', CURRENCY: 'USD' };

const REFUSALS: Refusal[] = [
  ['log nosuchlog', logCommands, 'no log matches "nosuchlog". Example: /logusage log L1'],
  ['explain nosuch 2026-03-01', explainCommands, 'no log matches "nosuch". Example: /logusage explain L1 2026-03-01'],
  ['chart nosuch', chartCommands, 'no log matches "nosuch". Example: /logusage chart L1 30d'],
  ['snooze nosuch 3d', snoozeCommands, 'no log matches "nosuch". Example: /logusage snooze L1 3d'],
  ['unsnooze firewall-eu', snoozeCommands, 'firewall-eu was not snoozed.'],
  [
    'route Nothing <#C0FIREWAL|fw>',
    routeCommands,
    `no log set matches "Nothing"; ${KNOWN_SETS}. Example: /logusage route Firewalls &lt;#C0FIREWAL&gt;`,
  ],
  ['route remove Proxies', routeCommands, 'log set "Proxies" has no route. Example: /logusage route list'],
  ['owner Nothing <@U0SOMEONE>', ownerCommands, `no log set matches "Nothing"; ${KNOWN_SETS}. Example: /logusage owner Firewalls @secops`],
  ['owner remove Proxies', ownerCommands, 'log set "Proxies" has no owner. Example: /logusage owner list'],
  [
    'expect firewall-eu +50% until 2026-03-01',
    expectCommands,
    expect.stringContaining('2026-03-01 is in the past; a planned change lasts until today or later'),
  ],
  ['expect remove 9', expectCommands, 'there is no planned change #9 in force (there are none). Example: /logusage expect list'],
  ['threshold remove 42', thresholdCommands, 'there is no threshold #42 (there are none). Example: /logusage threshold list'],
  ['threshold set org $500/day', thresholdCommands, expect.stringContaining('"$500" is money, but no price per GB is set')],
  ['threshold set logset Nothing 1GB/day', thresholdCommands, expect.stringContaining(`no log set matches "Nothing"; ${KNOWN_SETS}`)],
  [
    'budget set 12000 EUR/month',
    budgetCommands,
    expect.stringContaining('"12000 EUR" is in EUR but the price is in USD; the bot does not convert currencies'),
    PRICED,
  ],
  ['price set 0.30 EUR/GB', priceCommands, expect.stringContaining('that price is in EUR but money is shown in USD (CURRENCY)')],
];

describe('refusals', () => {
  it.each(REFUSALS)('%s: says why and changes nothing', async (text, handlers, reply, env) => {
    const ctx = world(env ? { env } : {});
    const before = dumpStore(ctx.db);
    const upload = recordingUpload();
    const r = await run(handlers, ctx, text, upload);
    expect(r.message.text).toEqual(reply);
    expect(dumpStore(ctx.db)).toEqual(before);
    expect(upload.calls).toEqual([]);
  });
});
