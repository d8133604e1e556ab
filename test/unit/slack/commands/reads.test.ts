/** The read-only handlers called directly: help, summary, top, log, alerts. */
import { describe, expect, it } from 'vitest';
import { alertsCommands } from '../../../../src/slack/commands/alerts.js';
import { helpCommands } from '../../../../src/slack/commands/help.js';
import { logCommands } from '../../../../src/slack/commands/log.js';
import { summaryCommands } from '../../../../src/slack/commands/summary.js';
import { topCommands } from '../../../../src/slack/commands/top.js';
import { insertAlert } from '../../../../src/store/alerts.js';
import { finding } from '../../../support/builders.js';
import { allText, caller, cmd, LAST_DAY, NOW, noUpload, world } from './world.js';

describe('help', () => {
  it('tells an admin they may run the changes, and a non-admin who may', async () => {
    const ctx = world();
    const admin = await helpCommands.help(ctx, cmd('help', 'help'), caller, noUpload);
    expect(allText(admin.message)).toContain('You are an admin');
    const other = await helpCommands.help(ctx, cmd('', 'help'), { ...caller, userId: 'UOTHER001' }, noUpload);
    expect(allText(other.message)).toContain('Only the users in LOGUSAGE_ADMINS may run these.');
  });

  it('says no one may change anything when LOGUSAGE_ADMINS is empty', async () => {
    const ctx = world({ env: { LOGUSAGE_ADMINS: '' } });
    const r = await helpCommands.help(ctx, cmd('help', 'help'), caller, noUpload);
    expect(allText(r.message)).toContain('No one may run these until LOGUSAGE_ADMINS lists Slack user ids.');
  });
});

describe('summary', () => {
  it("shows the newest day's organisation total and its largest logs, and caches the answer", async () => {
    const ctx = world();
    const r = await summaryCommands.summary(ctx, cmd('summary', 'summary'), caller, noUpload);
    expect(r.message.text).toContain(LAST_DAY);
    expect(r.message.text).toContain('firewall-eu');
    const again = await summaryCommands.summary(ctx, cmd(`summary ${LAST_DAY}`, 'summary'), caller, noUpload);
    expect(again.message).toBe(r.message);
  });

  it('a day never collected, or an empty store, is said plainly', async () => {
    const r = await summaryCommands.summary(world(), cmd('summary 2020-01-01', 'summary'), caller, noUpload);
    expect(r.message.text).toBe('No data for 2020-01-01: that day was never collected. Try an earlier date, or /logusage status.');
    const empty = await summaryCommands.summary(world({ seed: false }), cmd('summary', 'summary'), caller, noUpload);
    expect(empty.message.text).toBe('No usage has been collected yet.');
  });
});

describe('top', () => {
  it('lists the largest logs of the newest day, largest first', async () => {
    const r = await topCommands.top(world(), cmd('top 2', 'top'), caller, noUpload);
    expect(r.message.text).toMatch(new RegExp(`^Top 2 logs on ${LAST_DAY}: firewall-eu .+, firewall-us `));
    expect(r.message.text).not.toContain('web proxy');
  });

  it('with nothing collected says so', async () => {
    const r = await topCommands.top(world({ seed: false }), cmd('top', 'top'), caller, noUpload);
    expect(r.message.text).toBe('No usage has been collected yet.');
  });
});

describe('log', () => {
  it('shows one log by a unique part of its name', async () => {
    const r = await logCommands.log(world(), cmd('log proxy', 'log'), caller, noUpload);
    expect(r.message.text).toMatch(new RegExp(`^web proxy \\(L3\\): .+ on ${LAST_DAY}, typical `));
  });

  it('an ambiguous name lists the candidates (an unknown one: refusals.test.ts)', async () => {
    const amb = await logCommands.log(world(), cmd('log firewall', 'log'), caller, noUpload);
    expect(amb.message.text).toContain('"firewall" matches 2 names');
  });
});

describe('alerts', () => {
  it('lists the open alerts', async () => {
    const ctx = world();
    insertAlert(ctx.db, {
      episodeKey: 'log|L1',
      scope: 'log',
      logId: 'L1',
      target: 'L1',
      kind: 'spike',
      status: 'open',
      day: LAST_DAY,
      channel: 'C0ALERTS1',
      finding: finding({ day: LAST_DAY }),
      now: NOW.toISOString(),
    });
    const r = await alertsCommands.alerts(ctx, cmd('alerts', 'alerts'), caller, noUpload);
    expect(r.message.text).toMatch(/^1 open alert: #\d+ spike firewall-eu$/);
  });

  it('with none open says so', async () => {
    const r = await alertsCommands.alerts(world(), cmd('alerts', 'alerts'), caller, noUpload);
    expect(r.message.text).toBe('No open alerts.');
  });
});
