/**
 * The App Home tab over real HTTP: a signed `app_home_opened` event → views.publish of that user's
 * view (the day vs expected, month to date and projection vs budget, open alerts with a link to each
 * message, top logs, admin buttons); refreshed after a daily run for everyone who opened it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import { projectMonth } from '../../../src/detect/org-rules.js';
import { MODAL_IDS } from '../../../src/slack/ui-ids.js';
import { setBudget } from '../../../src/store/controls.js';
import { finishRun, startRun } from '../../../src/store/runs.js';
import { orgSeries } from '../../../src/store/slack-reads.js';
import { formatBytes } from '../../../src/units.js';
import { sendEvent, viewSubmissionPayload } from '../../support/fake-slack.js';
import {
  ADMIN,
  blockText,
  FIREWALL_EU,
  LAST_DAY,
  NOW,
  onLastDay,
  SECRET,
  seedAlert,
  startSocketHarness,
  USER,
  useHarness,
  WEB_PROXY,
} from '../../support/slack-harness.js';

const LOGS = [
  FIREWALL_EU,
  onLastDay(WEB_PROXY, 45e9),
  { id: 'dddd-4444', name: '<!channel> & <@UEVIL0001>', logsets: ['<!here> set'], base: 5e9 },
];
const h = useHarness(LOGS);
beforeAll(() => setBudget(h.db, 3e12, { actor: ADMIN, at: NOW.toISOString() }));

const homeOpened = (user: string, tab = 'home') =>
  sendEvent(h.url, SECRET, { type: 'app_home_opened', user, channel: 'D0DM00001', tab, event_ts: '1.2' });

describe('App Home', () => {
  it('app_home_opened publishes the day, the month vs budget (weekday-aware projection) and the top logs', async () => {
    const res = await homeOpened(USER);
    expect(res.status).toBe(200);
    await h.fake.waitForCalls('views.publish');
    const view = h.fake.homeView(USER);
    expect(view?.type).toBe('home');
    const blocks = view?.blocks as unknown[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    const t = blockText(blocks);
    expect(t).toContain('Tue 2026-03-10');
    expect(t).toMatch(/organisation total \*[\d.]+ GB\*/);
    expect(t).toMatch(/expected [\d.]+ GB \(normal/);
    expect(t).toContain('Month to date* (2026-03, 10 of 31 days)');
    // The projection is the budget rule's (detect/org-rules.ts through digest.ts), not a straight line.
    const days = daysInRange('2026-01-10', LAST_DAY);
    const proj = projectMonth(days, orgSeries(h.db, '2026-01-10', LAST_DAY), days.length - 1);
    expect(t).toContain(`projected *${formatBytes(proj?.projected ?? 0)}*`);
    expect(t).toContain('Budget 3 TB/month');
    expect(t).toMatch(/1\. \*firewall-eu\*/);
    expect(t).toContain('None — all quiet.');
    // A non-admin sees no change buttons, and is told who can change things.
    expect(JSON.stringify(blocks)).not.toContain('logusage_home_threshold');
    expect(t).toContain('set by the admins');
    // Hostile names ping nobody.
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(blocks)).not.toContain('<@UEVIL0001>');
  });

  it('an admin gets the buttons; open alerts link to their message (chat.getPermalink)', async () => {
    const posted = seedAlert(h.db, { logId: 'cccc-3333', logName: 'web proxy' });
    const unposted = seedAlert(h.db, { logId: 'aaaa-1111', logName: 'firewall-eu' });
    // The alert's message as the outbox records it once Slack accepted it.
    const msg = await fetch(`${h.fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C0ALERTS1', text: 'alert' }),
    }).then((r) => r.json() as Promise<{ ts: string }>);
    h.db.prepare('UPDATE alerts SET ts = ? WHERE id = ?').run(msg.ts, posted);
    await homeOpened(ADMIN);
    await h.fake.waitForCalls('views.publish');
    const blocks = h.fake.homeView(ADMIN)?.blocks as unknown[];
    const t = blockText(blocks);
    expect(t).toContain('Open alerts (2)');
    expect(t).toContain(`<https://fake.slack.com/archives/C0ALERTS1/p${msg.ts.replace('.', '')}|open the message>`);
    expect(t).toMatch(/Spike — firewall-eu\* since Tue 2026-03-10 · in <#C0ALERTS1>/);
    expect(JSON.stringify(blocks)).toContain('logusage_home_threshold');
    expect(JSON.stringify(blocks)).toContain('logusage_home_budget');
    expect(h.fake.callsTo('chat.getPermalink')).toHaveLength(1);
    h.db.prepare("UPDATE alerts SET status = 'resolved' WHERE id IN (?, ?)").run(posted, unposted);
  });

  it('the Messages tab opening the same event publishes nothing', async () => {
    const res = await homeOpened(USER, 'messages');
    expect(res.status).toBe(200);
    // A later Home open is published, and only once: the Messages event before it did nothing.
    await homeOpened(USER);
    await h.fake.waitForCalls('views.publish');
    expect(h.fake.callsTo('views.publish')).toHaveLength(1);
  });

  it('after a daily run, everyone who opened the tab gets a fresh view', async () => {
    expect(h.app.home.dailyRunFinished()).toBe(false);
    const id = startRun(h.db, 'run-daily', NOW, { day: LAST_DAY });
    finishRun(h.db, id, NOW, { status: 'ok' });
    expect(h.app.home.dailyRunFinished()).toBe(true);
    expect(h.app.home.dailyRunFinished()).toBe(false);
    const n = await h.app.home.refreshAll(h.app.app.client, 'xoxb-test-token');
    expect(n).toBe(2);
    expect(
      h.fake
        .callsTo('views.publish')
        .map((c) => c.body.user_id)
        .sort(),
    ).toEqual([ADMIN, USER].sort());
  });

  it('a change made with /logusage republishes the Home tab of its author (who opened it before)', async () => {
    await h.ask('budget set 4TB/month', { user: ADMIN });
    await h.fake.waitFor(() => h.fake.homeView(ADMIN) !== undefined);
    expect(blockText(h.fake.homeView(ADMIN)?.blocks as unknown[])).toContain('Budget 4 TB/month');
    // A read command republishes nothing.
    h.fake.reset();
    await h.ask('budget show', { user: ADMIN });
    expect(h.fake.callsTo('views.publish')).toHaveLength(0);
  });

  it('with a price set, the day and the month are shown in money too', async () => {
    expect((await h.ask('price set $0.35/GB', { user: ADMIN })).text).not.toMatch(/Only admins/);
    await homeOpened(USER);
    // The admin's own tab is republished after the change, the user's on open.
    await h.fake.waitFor(() => h.fake.homeView(USER) !== undefined && h.fake.homeView(ADMIN) !== undefined);
    const t = blockText(h.fake.homeView(USER)?.blocks as unknown[]);
    expect(t).toMatch(/organisation total \*[\d.]+ GB\* \(≈ \$[\d.,]+\)/);
    expect(t).toMatch(/Month to date\* \(2026-03, 10 of 31 days\): \*[\d.]+ GB\* \(≈ \$[\d.,]+\)/);
    h.fake.reset();
    expect((await h.ask('price clear', { user: ADMIN })).text).not.toMatch(/Only admins/);
    await h.fake.waitFor(() => h.fake.homeView(ADMIN) !== undefined);
  });

  it('an unsigned event is refused and publishes nothing', async () => {
    const res = await sendEvent(h.url, 'wrong-secret', { type: 'app_home_opened', user: USER, tab: 'home' });
    expect(res.status).toBe(401);
    expect(h.fake.callsTo('views.publish')).toHaveLength(0);
  });
});

describe('App Home in Socket Mode', () => {
  it('app_home_opened arrives through the socket and is published; a modal submission is answered there too', async () => {
    const { fake, close } = await startSocketHarness(LOGS);
    try {
      const ack = await fake.sendSocketEnvelope({
        type: 'events_api',
        payload: {
          type: 'event_callback',
          team_id: 'T0FAKE001',
          api_app_id: 'A0FAKEAPP',
          event: { type: 'app_home_opened', user: USER, channel: 'D0DM00001', tab: 'home', event_ts: '1.2' },
          event_id: 'Ev0SOCKET1',
          event_time: 1,
        },
      });
      expect(ack.envelope_id).toBeDefined();
      await fake.waitForCalls('views.publish');
      expect(blockText(fake.homeView(USER)?.blocks as unknown[])).toContain('Tue 2026-03-10');
      // A modal submission through the socket: the validation errors come back in the envelope's ack.
      const bad = await fake.sendSocketEnvelope({
        type: 'interactive',
        payload: viewSubmissionPayload({
          userId: ADMIN,
          view: { type: 'modal', callback_id: MODAL_IDS.budget, private_metadata: JSON.stringify({ channelId: null }) },
          values: { size: { size: { type: 'plain_text_input', value: 'lots' } } },
        }),
      });
      expect((bad.payload as { response_action?: string; errors?: Record<string, string> }).response_action).toBe('errors');
      expect(Object.keys((bad.payload as { errors: Record<string, string> }).errors)).toEqual(['size']);
    } finally {
      await close();
    }
  });
});
