/**
 * Ownership over real HTTP: a log set's owner (a user group here) is mentioned in its logs' alerts, and
 * "I'm on it" records who took an alert, shown on the message and on the Home tab.
 */
import { describe, expect, it } from 'vitest';
import { applyAlertDay } from '../../../src/alerts/runner.js';
import { readSettings } from '../../../src/config.js';
import { createSilentLogger } from '../../../src/logger.js';
import { detectForDay } from '../../../src/pipeline/detect.js';
import { UI_ACTION_IDS } from '../../../src/slack/ui-ids.js';
import { listAlertsForLog } from '../../../src/store/alerts.js';
import { listAudit } from '../../../src/store/controls.js';
import { ADMIN, blockText, FIREWALL_EU, LAST_DAY, NOW, onLastDay, USER, useHarness, WEB_PROXY } from '../../support/slack-harness.js';

const LOGS = [onLastDay(FIREWALL_EU, 120e9), WEB_PROXY];
const CH = 'C0ALERTS1';

const h = useHarness(LOGS, { days: 70 });

describe('log set owners', () => {
  it('an admin sets the owner (audited); owner list shows it; a non-admin cannot', async () => {
    expect((await h.ask('owner Firewalls <!subteam^S0SECOPS1|@secops>', { user: USER })).text).toMatch(/Only admins may change owners/);
    const r = await h.ask('owner fire <!subteam^S0SECOPS1|@secops>', { user: ADMIN });
    expect(blockText(r.blocks)).toContain('<!subteam^S0SECOPS1> now owns log set *Firewalls*');
    expect(listAudit(h.db, { target: 'Firewalls', limit: 1 })[0]).toMatchObject({
      actor: ADMIN,
      action: 'owner.set',
      details: { owner: 'S0SECOPS1' },
    });
    expect(blockText((await h.ask('owner list', { user: USER })).blocks)).toContain('*Firewalls* → <!subteam^S0SECOPS1>');
    const bad = await h.ask('owner Firewalls secops', { user: ADMIN });
    expect(bad.text).toMatch(/picked from Slack's suggestions.*Example: \/logusage owner/);
  });

  it("its logs' alerts mention the owner", () => {
    const { findings } = detectForDay(h.db, LAST_DAY, readSettings({}));
    const r = applyAlertDay(
      { db: h.db, logger: createSilentLogger(), now: NOW, alertChannel: CH, resolveAfterDays: 2 },
      LAST_DAY,
      findings,
    );
    const [alert] = listAlertsForLog(h.db, 'aaaa-1111');
    expect(alert?.lastFinding.details?.owner).toBe('S0SECOPS1');
    const post = r.queued.find((q) => q.alertId === alert?.id);
    expect(blockText((post?.payload as { blocks: unknown[] } | undefined)?.blocks ?? [])).toContain('owner <!subteam^S0SECOPS1>');
  });
});

describe("I'm on it", () => {
  it('records who took the alert, on the message and the Home tab; anyone may take it', async () => {
    const [alert] = listAlertsForLog(h.db, 'aaaa-1111');
    const msg = await h.app.app.client.chat.postMessage({ token: 'xoxb-test-token', channel: CH, text: 'alert', blocks: [] });
    const ts = String(msg.ts);
    h.db.prepare('UPDATE alerts SET ts = ? WHERE id = ?').run(ts, alert?.id);
    const value = JSON.stringify({ alertId: alert?.id, logId: 'aaaa-1111', kind: 'spike' });
    await h.click({
      actionId: UI_ACTION_IDS.take,
      value,
      userId: USER,
      channelId: CH,
      messageTs: ts,
      message: { text: 'alert', blocks: [] },
    });
    await h.fake.waitForCalls('chat.update');
    expect(blockText(h.fake.message(CH, ts)?.blocks ?? [])).toMatch(/:raising_hand: <@UUSER0001> is on it/);
    expect(listAudit(h.db, { target: 'aaaa-1111', limit: 1 })[0]).toMatchObject({
      actor: USER,
      action: 'take',
      details: { alertId: alert?.id },
    });
    // The same person again: told so, nothing recorded.
    await h.click({ actionId: UI_ACTION_IDS.take, value, userId: USER, channelId: CH, messageTs: ts, rid: 'take-again' });
    await h.fake.waitFor(() => h.fake.responses('take-again').length > 0);
    expect(String(h.fake.responses('take-again')[0]?.text)).toMatch(/already taken/);
    expect(listAudit(h.db, { target: 'aaaa-1111', limit: 10 }).filter((a) => a.action === 'take')).toHaveLength(1);
    const home = await h.app.home.view(ADMIN);
    expect(blockText(home.blocks)).toContain('taken by <@UUSER0001>');
  });
});
