/** The dispatcher over the table (parse → admin check → handler → failure message) and the alert buttons, called directly. */
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../../../src/slack/action-ids.js';
import { handleAlertButton } from '../../../../src/slack/buttons.js';
import { createCommandDispatcher } from '../../../../src/slack/commands/dispatch.js';
import { isMuted, listAudit } from '../../../../src/store/controls.js';
import { allText, caller, noUpload, world } from './world.js';

const other = { ...caller, userId: 'UOTHER001' };

describe('the dispatcher', () => {
  it("refuses a non-admin's change with the table's words, before anything runs, and runs an admin's", async () => {
    const ctx = world();
    const d = createCommandDispatcher(ctx);
    const refused = await d.run('mute firewall-eu', other, noUpload);
    expect(refused.message.text).toMatch(/^Only admins may mute logs\. Ask one of the admins listed in LOGUSAGE_ADMINS/);
    expect(d.quickAnswer('threshold set', other)?.text).toMatch(/^Only admins may change thresholds\./);
    expect(isMuted(ctx.db, 'L1')).toBe(false);
    const done = await d.run('mute firewall-eu', caller, noUpload);
    expect(done.message.text).toBe('firewall-eu muted.');
  });

  it('a typing error is answered in the ack; a failure in a handler becomes a message with its code', async () => {
    const ctx = world();
    const d = createCommandDispatcher(ctx);
    // The fallback text neutralises the typed backticks (zero-width joiners), so only the words are compared.
    expect(d.quickAnswer('sumary', caller)?.text).toMatch(/^"sumary" is not a command \(did you mean \W*summary\W*\?\)/u);
    ctx.db.close();
    const failed = await d.run('alerts', caller, noUpload);
    expect(failed.message.text).toMatch(/^Sorry, `\/logusage alerts` failed \(/);
  });

  it('a computed summary is the ack of the next identical question, until a change clears it', async () => {
    const ctx = world();
    const d = createCommandDispatcher(ctx);
    expect(d.quickAnswer('summary', caller)).toBeUndefined();
    await d.warm();
    expect(d.quickAnswer('summary', caller)?.text).toContain('firewall-eu');
    await d.run('mute firewall-us', caller, noUpload);
    expect(d.quickAnswer('summary', caller)).toBeUndefined();
  });
});

describe('the alert buttons', () => {
  it("mute the alert's log, audited as a button click", async () => {
    const ctx = world();
    const r = await handleAlertButton(ctx, ACTION_IDS.muteLog, JSON.stringify({ logId: 'L2' }), caller);
    expect(r.ephemeral).toBeUndefined();
    expect(allText({ text: '', blocks: [r.actionLog] })).toContain('firewall-us');
    expect(isMuted(ctx.db, 'L2')).toBe(true);
    expect(listAudit(ctx.db, { limit: 1 })[0]?.details).toMatchObject({ via: 'button' });
  });

  it('refuse non-admins, and a value that names no alert changes nothing', async () => {
    const ctx = world();
    const refused = await handleAlertButton(ctx, ACTION_IDS.muteLog, JSON.stringify({ logId: 'L2' }), other);
    expect(refused.ephemeral?.text).toMatch(/^Only admins may mute logs\./);
    const bad = await handleAlertButton(ctx, ACTION_IDS.snoozeDay, 'not json', caller);
    expect(bad.ephemeral?.text).toBe('That button carries no alert; nothing changed.');
    const unknown = await handleAlertButton(ctx, 'logusage_nope', '{}', caller);
    expect(unknown.ephemeral?.text).toBe('Unknown button.');
    expect(isMuted(ctx.db, 'L2')).toBe(false);
    expect(listAudit(ctx.db, { limit: 5 })).toEqual([]);
  });
});
