/**
 * Planned changes (SPEC §9 `/logusage expect`) over real HTTP and the real alert stage: an admin announces
 * +50 % for two logs; the day's spike within it raises no alert, the one beyond it does and says "above the
 * planned +50 %"; `/logusage log`, `expect list` and `status` list the plan; it ends by itself after its
 * last day; bad input changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { applyAlertDay } from '../../../src/alerts/runner.js';
import { readSettings } from '../../../src/config.js';
import { createSilentLogger } from '../../../src/logger.js';
import { detectForDay } from '../../../src/pipeline/detect.js';
import { MODAL_IDS, UI_ACTION_IDS } from '../../../src/slack/ui-ids.js';
import { listAlertsForLog } from '../../../src/store/alerts.js';
import { countAudit, listAudit } from '../../../src/store/controls.js';
import { activePlans } from '../../../src/store/planned.js';
import { viewBlockActionsPayload, viewSubmissionPayload } from '../../support/fake-slack.js';
import {
  ADMIN,
  blockText,
  CHANNEL,
  FIREWALL_EU,
  FIREWALL_US,
  LAST_DAY,
  NOW,
  onLastDay,
  USER,
  useHarness,
  WEB_PROXY,
} from '../../support/slack-harness.js';

// Both logs spike on the last day: web proxy +36 % (within +50 %), firewall-eu +140 % (beyond it).
const LOGS = [onLastDay(FIREWALL_EU, 120e9), FIREWALL_US, onLastDay(WEB_PROXY, 13.7e9)];

const h = useHarness(LOGS, { days: 70 });

describe('/logusage expect', () => {
  it('bad input says what was wrong with one example, and changes nothing', async () => {
    const before = countAudit(h.db);
    for (const [text, why] of [
      ['expect web +50%', /until YYYY-MM-DD/],
      ['expect web +50% until tomorrow', /is not a date/],
      ['expect web lots until 2026-03-20', /\+N% or a size per day/],
      ['expect web -20% until 2026-03-20', /drops are not covered/],
      ['expect web +50% until 2026-03-01', /in the past/],
      ['expect web +50% until 2027-06-01', /more than a year away/],
      ['expect nothing-like-this +50% until 2026-03-20', /no log or log set matches/],
      ['expect firewall +50% until 2026-03-20', /matches 2 names/],
    ] as const) {
      const r = await h.ask(text, { user: ADMIN });
      expect(blockText(r.blocks), text).toMatch(why);
      expect(blockText(r.blocks), text).toMatch(/\/logusage expect /);
    }
    expect(countAudit(h.db)).toBe(before);
    expect(activePlans(h.db, LAST_DAY)).toHaveLength(0);
  });

  it('an admin records a plan for a log (audited); a non-admin cannot', async () => {
    const no = await h.ask('expect "web proxy" +50% until 2026-03-20 migration', { user: USER });
    expect(no.text).toMatch(/Only admins may plan changes/);
    const r = await h.ask('expect "web proxy" +50% until 2026-03-20 migration to the new proxies', { user: ADMIN });
    expect(r.text).toMatch(/Planned change #1: web proxy up to \+50 % over its usual day until 2026-03-20/);
    expect(blockText(r.blocks)).toContain('above the planned +50 %');
    expect(listAudit(h.db, { target: 'cccc-3333', limit: 1 })[0]).toMatchObject({ actor: ADMIN, action: 'expect.set' });
    const fw = await h.ask('expect firewall-eu +50% until 2026-03-20', { user: ADMIN });
    expect(fw.text).toMatch(/Planned change #2: firewall-eu/);
    const set = await h.ask('expect Firewalls 500GB/day until 2026-03-12', { user: ADMIN });
    expect(set.text).toMatch(/Planned change #3: Firewalls up to 500 GB\/day in total until 2026-03-12/);
  });

  it('is listed by /logusage log, expect list and status', async () => {
    const log = blockText((await h.ask('log proxy', { user: USER })).blocks);
    expect(log).toContain('*Planned changes*');
    expect(log).toContain('#1 web proxy: up to +50 % over its usual day until 2026-03-20 (migration to the new proxies)');
    const list = blockText((await h.ask('expect list', { user: USER })).blocks);
    expect(list).toContain('#2 firewall-eu');
    expect(list).toContain('#3 log set Firewalls: up to 500 GB/day in total until 2026-03-12');
    const status = blockText((await h.ask('status', { user: USER })).blocks);
    expect(status).toContain('*Planned changes*');
    expect(status).toContain('#1 web proxy');
    expect(status).toContain('planned change #1: web proxy up to +50 % until 2026-03-20');
    const home = await h.app.home.view(USER);
    expect(blockText(home.blocks)).toContain('#1 web proxy: up to +50 % over its usual day until 2026-03-20');
  });

  it('the alert stage: no alert within the plan, an alert beyond it that says so', async () => {
    // The log-set plan (#3, 500 GB in total) would cover firewall-eu's day: end it, so only its +50 % plan counts.
    expect((await h.ask('expect remove 3', { user: ADMIN })).text).toMatch(/Ended planned change #3/);
    const settings = readSettings({});
    const { findings } = detectForDay(h.db, LAST_DAY, settings);
    const kinds = new Map(findings.map((f) => [f.logId, f.kind]));
    expect(kinds.get('cccc-3333')).toBe('spike');
    expect(kinds.get('aaaa-1111')).toBe('spike');
    const r = applyAlertDay(
      { db: h.db, logger: createSilentLogger(), now: NOW, alertChannel: 'C0ALERTS1', resolveAfterDays: 2 },
      LAST_DAY,
      findings,
    );
    expect(r.status).toBe('applied');
    expect(listAlertsForLog(h.db, 'cccc-3333')).toHaveLength(0);
    const [fw] = listAlertsForLog(h.db, 'aaaa-1111');
    expect(fw?.lastFinding.reason).toMatch(/That is above the planned \+50 % \(until 2026-03-20\)\.$/);
    const post = r.queued.find((q) => q.alertId === fw?.id);
    expect(JSON.stringify(post?.payload)).toContain('above the planned +50 %');
  });

  it('ends by itself after its last day', () => {
    expect(activePlans(h.db, '2026-03-20').map((p) => p.id)).toEqual([1, 2]);
    expect(activePlans(h.db, '2026-03-21')).toEqual([]);
  });
});

describe('"Expected until…" on an alert', () => {
  const value = JSON.stringify({ alertId: 1, logId: 'bbbb-2222', kind: 'spike' });

  it('opens the planned-change modal for an admin; a non-admin is told ephemerally', async () => {
    await h.click({ actionId: UI_ACTION_IDS.expectUntil, value, userId: ADMIN, channelId: CHANNEL, messageTs: '1.000001' });
    await h.fake.waitForCalls('views.open');
    const view = h.fake.modals[0]?.view as { callback_id: string; private_metadata: string; blocks: Array<Record<string, unknown>> };
    expect(view.callback_id).toBe(MODAL_IDS.expect);
    expect(JSON.parse(view.private_metadata)).toEqual({ channelId: CHANNEL, alertId: 1, logId: 'bbbb-2222' });
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['size', 'until', 'why']);
    expect(blockText(view.blocks)).toContain('firewall-us');
    h.fake.reset();
    await h.click({ actionId: UI_ACTION_IDS.expectUntil, value, userId: USER, channelId: CHANNEL, messageTs: '1.000001', rid: 'exp-user' });
    await h.fake.waitFor(() => h.fake.responses('exp-user').length > 0);
    expect(String(h.fake.responses('exp-user')[0]?.text)).toMatch(/Only admins may plan changes/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('a bad submission names its fields; a good one records the plan and confirms it', async () => {
    const view = {
      type: 'modal',
      callback_id: MODAL_IDS.expect,
      private_metadata: JSON.stringify({ channelId: CHANNEL, alertId: 1, logId: 'bbbb-2222' }),
    };
    const values = (size: string, until: string | null, why = '') => ({
      size: { size: { type: 'plain_text_input', value: size } },
      until: { until: { type: 'datepicker', selected_date: until } },
      why: { why: { type: 'plain_text_input', value: why } },
    });
    const n = activePlans(h.db, LAST_DAY).length;
    const bad = await h.interact(viewSubmissionPayload({ userId: ADMIN, view, values: values('lots', '2026-03-01') }));
    expect(bad.json?.response_action).toBe('errors');
    expect(Object.keys(bad.json?.errors as object).sort()).toEqual(['size', 'until']);
    expect(activePlans(h.db, LAST_DAY)).toHaveLength(n);
    const good = await h.interact(viewSubmissionPayload({ userId: ADMIN, view, values: values('60GB', '2026-03-25', 'load test') }));
    expect(good.status).toBe(200);
    const plan = activePlans(h.db, LAST_DAY).find((p) => p.target === 'bbbb-2222');
    expect(plan).toMatchObject({ scope: 'log', kind: 'bytes', amount: 60e9, untilDay: '2026-03-25', why: 'load test', createdBy: ADMIN });
    const [eph] = await h.fake.waitForCalls('chat.postEphemeral');
    expect(String(eph?.body.text)).toMatch(/firewall-us up to 60 GB\/day until 2026-03-25/);
  });

  it('from the Home tab: "Plan a change" opens the modal with a log / log set picker', async () => {
    const home = { type: 'home', callback_id: 'logusage_home' };
    await h.interact(viewBlockActionsPayload({ actionId: UI_ACTION_IDS.homeExpect, value: 'home', userId: ADMIN, view: home }));
    await h.fake.waitForCalls('views.open');
    const opened = h.fake.modals[0]?.view as { callback_id: string; private_metadata: string; blocks: Array<Record<string, unknown>> };
    expect(opened.callback_id).toBe(MODAL_IDS.expect);
    expect(opened.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['target', 'size', 'until', 'why']);
    const view = { type: 'modal', callback_id: MODAL_IDS.expect, private_metadata: opened.private_metadata };
    const values = (target: string | null) => ({
      target: { target: { type: 'external_select', selected_option: target ? { value: target } : null } },
      size: { size: { type: 'plain_text_input', value: '+20%' } },
      until: { until: { type: 'datepicker', selected_date: '2026-03-15' } },
      why: { why: { type: 'plain_text_input', value: null } },
    });
    const bad = await h.interact(viewSubmissionPayload({ userId: ADMIN, view, values: values(null) }));
    expect(bad.json?.errors).toEqual({ target: expect.stringMatching(/Pick the log or log set/) });
    const good = await h.interact(viewSubmissionPayload({ userId: ADMIN, view, values: values('set:Proxies') }));
    expect(good.status).toBe(200);
    expect(activePlans(h.db, LAST_DAY).find((p) => p.target === 'Proxies')).toMatchObject({
      scope: 'logset',
      kind: 'pct',
      amount: 20,
      untilDay: '2026-03-15',
    });
    // Confirmed in the DM (no channel from the Home tab).
    const [dm] = await h.fake.waitForCalls('chat.postMessage');
    expect(dm?.body.channel).toBe(ADMIN);
  });
});
