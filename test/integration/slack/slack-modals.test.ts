/**
 * The settings modals over real HTTP, as Slack sends them: `/logusage threshold set` and `budget set`
 * without arguments, the Home tab's buttons and an alert's "Set threshold" open a modal (views.open with
 * the trigger_id); the type-ahead answers a signed block_suggestion; a view_submission with a bad field
 * answers `response_action: errors` naming that block and changes nothing; a good one is stored
 * (admins only, audited) and confirmed ephemerally.
 */
import { describe, expect, it } from 'vitest';
import { MODAL_IDS, UI_ACTION_IDS } from '../../../src/slack/ui-ids.js';
import { effectiveBudget, listAudit, listThresholds } from '../../../src/store/controls.js';
import { blockSuggestionPayload, viewBlockActionsPayload, viewSubmissionPayload } from '../../support/fake-slack.js';
import {
  ADMIN,
  blockText,
  CHANNEL,
  FIREWALL_EU,
  FIREWALL_US,
  onLastDay,
  USER,
  useHarness,
  WEB_PROXY,
} from '../../support/slack-harness.js';

const LOGS = [FIREWALL_EU, FIREWALL_US, onLastDay(WEB_PROXY, 45e9)];

const h = useHarness(LOGS);

type View = { callback_id?: string; private_metadata?: string; blocks: Array<Record<string, unknown>> };

async function openedModal(): Promise<View> {
  await h.fake.waitForCalls('views.open');
  return h.fake.modals[0]?.view as unknown as View;
}

const inputIds = (v: View) => v.blocks.filter((b) => b.type === 'input').map((b) => b.block_id);

const submit = (userId: string, view: View, values: Record<string, Record<string, Record<string, unknown>>>) =>
  h.interact(viewSubmissionPayload({ userId, view: { type: 'modal', ...view }, values }));

const thresholdValues = (scope: string, target: string | null, size: string) => ({
  scope: { scope: { type: 'static_select', selected_option: { value: scope, text: { type: 'plain_text', text: scope } } } },
  target: {
    target: { type: 'external_select', selected_option: target ? { value: target, text: { type: 'plain_text', text: target } } : null },
  },
  size: { size: { type: 'plain_text_input', value: size } },
});

describe('opening the modals', () => {
  it('`/logusage threshold set` without arguments opens the threshold modal with the command trigger_id', async () => {
    const res = await h.command('threshold set', { user: ADMIN });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const view = await openedModal();
    expect(h.fake.modals[0]?.triggerId).toBe('1234.5678.abcdef');
    expect(view.callback_id).toBe(MODAL_IDS.threshold);
    expect(inputIds(view)).toEqual(['scope', 'target', 'size']);
    expect(JSON.stringify(view.blocks)).toContain('external_select');
    expect(JSON.parse(String(view.private_metadata))).toMatchObject({ channelId: CHANNEL });
    // Nothing is said through response_url: the modal is the answer.
    expect(h.fake.responses()).toHaveLength(0);
  });

  it('`/logusage budget set` without arguments opens the budget modal', async () => {
    await h.command('budget set', { user: ADMIN });
    const view = await openedModal();
    expect(view.callback_id).toBe(MODAL_IDS.budget);
    expect(inputIds(view)).toEqual(['size']);
  });

  it('a non-admin is refused in the ack and no modal opens', async () => {
    const res = await h.command('threshold set', { user: USER });
    expect(String(res.json?.text)).toMatch(/Only admins may change thresholds/);
    const b = await h.command('budget set', { user: USER });
    expect(String(b.json?.text)).toMatch(/Only admins may change the budget/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('the Home tab buttons open the modals for an admin, and a notice for anyone else', async () => {
    const home = { type: 'home', callback_id: 'logusage_home' };
    const click = (actionId: string, userId: string) =>
      h.interact(viewBlockActionsPayload({ actionId, value: 'home', userId, view: home }));
    await click(UI_ACTION_IDS.homeThreshold, ADMIN);
    expect((await openedModal()).callback_id).toBe(MODAL_IDS.threshold);
    h.fake.reset();
    await click(UI_ACTION_IDS.homeBudget, ADMIN);
    expect((await openedModal()).callback_id).toBe(MODAL_IDS.budget);
    h.fake.reset();
    await click(UI_ACTION_IDS.homeBudget, USER);
    const notice = await openedModal();
    expect(notice.callback_id).toBe(MODAL_IDS.notice);
    expect(blockText(notice.blocks)).toMatch(/Only admins may change the budget/);
  });

  it("an alert's Set threshold opens the modal for its log; a non-admin is told ephemerally", async () => {
    const value = JSON.stringify({ alertId: 7, logId: 'cccc-3333', kind: 'spike' });
    await h.click({ actionId: UI_ACTION_IDS.setThreshold, value, userId: ADMIN, channelId: 'C0ALERTS1', messageTs: '1.000001' });
    const view = await openedModal();
    expect(view.callback_id).toBe(MODAL_IDS.threshold);
    const target = view.blocks.find((b) => b.block_id === 'target') as { element: { initial_option?: { value: string } } };
    expect(target.element.initial_option?.value).toBe('log:cccc-3333');
    expect(JSON.parse(String(view.private_metadata))).toEqual({ channelId: 'C0ALERTS1', alertId: 7 });
    h.fake.reset();
    await h.click({
      actionId: UI_ACTION_IDS.setThreshold,
      value,
      userId: USER,
      channelId: 'C0ALERTS1',
      messageTs: '1.000001',
      rid: 'st-user',
    });
    await h.fake.waitFor(() => h.fake.responses('st-user').length > 0);
    expect(String(h.fake.responses('st-user')[0]?.text)).toMatch(/Only admins may change thresholds/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('the target type-ahead lists matching logs and log sets', async () => {
    const res = await h.interact(blockSuggestionPayload({ userId: ADMIN, actionId: 'target', blockId: 'target', value: 'fire' }));
    expect(res.status).toBe(200);
    const groups = res.json?.option_groups as Array<{ label: { text: string }; options: Array<{ value: string; text: { text: string } }> }>;
    expect(groups.map((g) => g.label.text)).toEqual(['Logs', 'Log sets']);
    expect(groups[0]?.options.map((o) => o.value)).toEqual(['log:aaaa-1111', 'log:bbbb-2222']);
    expect(groups[1]?.options.map((o) => o.value)).toEqual(['set:Firewalls']);
  });
});

describe('submitting the modals', () => {
  const view: View = { callback_id: MODAL_IDS.threshold, private_metadata: JSON.stringify({ channelId: CHANNEL }), blocks: [] };

  it('a bad field answers response_action errors naming its block, and nothing changes', async () => {
    const before = listAudit(h.db, { limit: 1000 }).length;
    const badSize = await submit(ADMIN, view, thresholdValues('log', 'log:aaaa-1111', 'lots'));
    expect(badSize.status).toBe(200);
    expect(badSize.json?.response_action).toBe('errors');
    expect(Object.keys(badSize.json?.errors as object)).toEqual(['size']);
    expect(String((badSize.json?.errors as Record<string, string> | undefined)?.size)).toMatch(/e\.g\./);
    const wrongKind = await submit(ADMIN, view, thresholdValues('log', 'set:Firewalls', '60GB'));
    expect(wrongKind.json?.errors).toEqual({ target: expect.stringMatching(/That is a log set/) });
    const missing = await submit(ADMIN, view, thresholdValues('logset', null, '0'));
    expect(Object.keys(missing.json?.errors as object).sort()).toEqual(['size', 'target']);
    expect(listThresholds(h.db)).toHaveLength(0);
    expect(listAudit(h.db, { limit: 1000 })).toHaveLength(before);
    expect(h.fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('good fields store the threshold (audited) and confirm it ephemerally in the channel', async () => {
    const res = await submit(ADMIN, view, thresholdValues('log', 'log:aaaa-1111', '60 GB/day'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [t] = listThresholds(h.db);
    expect(t).toMatchObject({ scope: 'log', target: 'aaaa-1111', bytesPerDay: 60e9, createdBy: ADMIN });
    expect(listAudit(h.db, { limit: 1 })[0]).toMatchObject({ actor: ADMIN, action: 'threshold.set' });
    const [eph] = await h.fake.waitForCalls('chat.postEphemeral');
    expect(eph?.body).toMatchObject({ channel: CHANNEL, user: ADMIN });
    expect(String(eph?.body.text)).toMatch(/Threshold #\d+ set to 60 GB\/day/);
    // A log set threshold through the same modal.
    await submit(ADMIN, view, thresholdValues('logset', 'set:Firewalls', '80GB'));
    expect(listThresholds(h.db).map((x) => [x.scope, x.target, x.bytesPerDay])).toContainEqual(['logset', 'Firewalls', 80e9]);
  });

  it('a non-admin submission is refused on the form and stores nothing', async () => {
    const n = listThresholds(h.db).length;
    const res = await submit(USER, view, thresholdValues('org', null, '1TB'));
    expect(res.json?.response_action).toBe('errors');
    expect(String((res.json?.errors as Record<string, string> | undefined)?.scope)).toMatch(/Only admins/);
    expect(listThresholds(h.db)).toHaveLength(n);
  });

  it('the budget modal from the Home tab: stored, confirmed in the DM, and the Home tab republished', async () => {
    const budgetView: View = { callback_id: MODAL_IDS.budget, private_metadata: JSON.stringify({ channelId: null }), blocks: [] };
    const bad = await submit(ADMIN, budgetView, { size: { size: { type: 'plain_text_input', value: '30TB/day' } } });
    expect(bad.json?.errors).toEqual({ size: expect.stringMatching(/per month/) });
    const res = await submit(ADMIN, budgetView, { size: { size: { type: 'plain_text_input', value: '30TB' } } });
    expect(res.status).toBe(200);
    expect(effectiveBudget(h.db, undefined)).toMatchObject({ bytes: 30e12, source: 'slack', updatedBy: ADMIN });
    const [dm] = await h.fake.waitForCalls('chat.postMessage');
    expect(dm?.body.channel).toBe(ADMIN);
    expect(String(dm?.body.text)).toMatch(/Monthly budget set to 30 TB/);
    await h.fake.waitForCalls('views.publish');
    expect(blockText(h.fake.homeView(ADMIN)?.blocks as unknown[])).toContain('Budget 30 TB/month');
  });
});
