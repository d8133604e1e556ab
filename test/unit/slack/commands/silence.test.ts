/** The handlers that silence a log or send its alerts elsewhere, called directly: snooze, mute, route, expect, owner. */
import { describe, expect, it } from 'vitest';
import { expectCommands } from '../../../../src/slack/commands/expect.js';
import { muteCommands } from '../../../../src/slack/commands/mute.js';
import { ownerCommands } from '../../../../src/slack/commands/owner.js';
import { routeCommands } from '../../../../src/slack/commands/route.js';
import { snoozeCommands } from '../../../../src/slack/commands/snooze.js';
import { getSnooze, isMuted, listRoutes } from '../../../../src/store/controls.js';
import { listOwners } from '../../../../src/store/owners.js';
import { activePlans } from '../../../../src/store/planned.js';
import { allText, caller, cmd, noUpload, world } from './world.js';

describe('snooze', () => {
  it('snoozes a log until now + the duration (UTC), and unsnooze ends it', async () => {
    const ctx = world();
    const r = await snoozeCommands.snooze(ctx, cmd('snooze firewall-eu 3d', 'snooze'), caller, noUpload);
    expect(r.message.text).toBe('firewall-eu snoozed until 2026-03-14T08:00:00.000Z.');
    expect(getSnooze(ctx.db, 'L1')?.until).toBe('2026-03-14T08:00:00.000Z');
    const un = await snoozeCommands.unsnooze(ctx, cmd('unsnooze firewall-eu', 'unsnooze'), caller, noUpload);
    expect(un.message.text).toBe('firewall-eu unsnoozed.');
  });
});

describe('mute', () => {
  it('mutes and unmutes a log', async () => {
    const ctx = world();
    const r = await muteCommands.mute(ctx, cmd('mute "web proxy"', 'mute'), caller, noUpload);
    expect(r.message.text).toBe('web proxy muted.');
    expect(isMuted(ctx.db, 'L3')).toBe(true);
    const un = await muteCommands.unmute(ctx, cmd('unmute L3', 'unmute'), caller, noUpload);
    expect(un.message.text).toBe('web proxy unmuted.');
    expect(isMuted(ctx.db, 'L3')).toBe(false);
  });

  it('muting twice changes nothing the second time; an ambiguous name lists the candidates', async () => {
    const ctx = world();
    await muteCommands.mute(ctx, cmd('mute L1', 'mute'), caller, noUpload);
    const again = await muteCommands.mute(ctx, cmd('mute L1', 'mute'), caller, noUpload);
    expect(again.message.text).toBe('firewall-eu unchanged.');
    expect(allText(again.message)).toContain('was already muted; nothing changed.');
    const amb = await muteCommands.mute(ctx, cmd('mute firewall', 'mute'), caller, noUpload);
    expect(amb.message.text).toContain('"firewall" matches 2 names');
    expect(isMuted(ctx.db, 'L2')).toBe(false);
  });
});

describe('route', () => {
  it("sends a log set's alerts to a channel, lists it, and removes it", async () => {
    const ctx = world();
    const r = await routeCommands['route-set'](ctx, cmd('route Firewalls <#C0FIREWAL|fw>', 'route-set'), caller, noUpload);
    expect(r.message.text).toBe('Alerts of Firewalls now go to C0FIREWAL.');
    expect(allText(r.message)).toContain('For a private channel, invite the app there.');
    const list = await routeCommands['route-list'](ctx, cmd('route list', 'route-list'), caller, noUpload);
    expect(list.message.text).toBe('Routes: Firewalls → C0FIREWAL');
    const removed = await routeCommands['route-remove'](ctx, cmd('route remove firewalls', 'route-remove'), caller, noUpload);
    expect(removed.message.text).toBe('Removed the route of Firewalls.');
    expect(listRoutes(ctx.db)).toEqual([]);
  });
});

describe('expect', () => {
  it('records a planned change, lists it and ends it', async () => {
    const ctx = world();
    const r = await expectCommands['expect-set'](
      ctx,
      cmd('expect firewall-eu +50% until 2026-04-30 migration', 'expect-set'),
      caller,
      noUpload,
    );
    const [plan] = activePlans(ctx.db, '2026-03-11');
    expect(plan).toMatchObject({ scope: 'log', target: 'L1', kind: 'pct', amount: 50, untilDay: '2026-04-30', why: 'migration' });
    expect(r.message.text).toBe(`Planned change #${plan?.id}: firewall-eu up to +50 % over its usual day until 2026-04-30.`);
    const list = await expectCommands['expect-list'](ctx, cmd('expect list', 'expect-list'), caller, noUpload);
    expect(list.message.text).toBe(
      `1 planned change: #${plan?.id} firewall-eu: up to +50 % over its usual day until 2026-04-30 (migration)`,
    );
    const ended = await expectCommands['expect-remove'](ctx, cmd(`expect remove ${plan?.id}`, 'expect-remove'), caller, noUpload);
    expect(ended.message.text).toContain(`Ended planned change #${plan?.id} firewall-eu`);
  });
});

describe('owner', () => {
  it("sets a log set's owner, lists it and removes it", async () => {
    const ctx = world();
    const r = await ownerCommands['owner-set'](ctx, cmd('owner Firewalls <!subteam^S0SECOPS1|secops>', 'owner-set'), caller, noUpload);
    expect(r.message.text).toBe('S0SECOPS1 now owns log set Firewalls.');
    expect(listOwners(ctx.db)).toMatchObject([{ logset: 'Firewalls', owner: 'S0SECOPS1' }]);
    const list = await ownerCommands['owner-list'](ctx, cmd('owner list', 'owner-list'), caller, noUpload);
    expect(list.message.text).toBe('Owners: Firewalls → S0SECOPS1');
    const removed = await ownerCommands['owner-remove'](ctx, cmd('owner remove Firewalls', 'owner-remove'), caller, noUpload);
    expect(removed.message.text).toBe('Removed the owner of Firewalls.');
  });

  it('an ambiguous log set name lists the candidates and changes nothing (unknown ones: refusals.test.ts)', async () => {
    const ctx = world();
    const amb = await ownerCommands['owner-set'](ctx, cmd('owner s <@U0SOMEONE>', 'owner-set'), caller, noUpload);
    expect(amb.message.text).toContain('"s" matches 2 names');
    expect(allText(amb.message)).toContain('/logusage owner \\"Firewalls\\" &lt;@U0SOMEONE&gt;');
    expect(listOwners(ctx.db)).toEqual([]);
  });
});
