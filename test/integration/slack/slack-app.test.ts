/**
 * The real Bolt app over real HTTP: signed slash commands and button clicks as Slack sends them,
 * Web API calls answered by the fake Slack, real SQLite with the real migrations.
 */
import { describe, expect, it } from 'vitest';
import { loadDigestView } from '../../../src/digest.js';
import { ACTION_IDS } from '../../../src/slack/action-ids.js';
import { hasBlockRole } from '../../../src/slack/block-ids.js';
import {
  countAudit,
  effectiveBudget,
  getBaselineFrom,
  getSnooze,
  isMuted,
  listAudit,
  listRoutes,
  listThresholds,
} from '../../../src/store/controls.js';
import { formatBytes } from '../../../src/units.js';
import { CALL_ONCE, signedHeaders, slashCommandBody } from '../../support/fake-slack.js';
import {
  ADMIN,
  blockText,
  CHANNEL,
  FIREWALL_ALERT,
  FIREWALL_EU,
  FIREWALL_US,
  LAST_DAY,
  MENTION_LOG,
  NOW,
  onLastDay,
  SECRET,
  seedAlert,
  seedHistory,
  startHarness,
  USER,
  useHarness,
  WEB_PROXY,
} from '../../support/slack-harness.js';

const LOGS = [FIREWALL_EU, FIREWALL_US, onLastDay(WEB_PROXY, 45e9), MENTION_LOG];

const h = useHarness(LOGS, {
  deps: {
    features: {
      previewDigest: () => ({
        text: 'digest for 2026-03-10',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'DIGEST BODY' } }],
      }),
      refresh: async ({ actor }) => `Collected 2026-03-04 … 2026-03-10 for ${actor}.`,
      nextRun: () => new Date('2026-03-12T06:30:00.000Z'),
    },
  },
});

const RAW = ['<!channel>', '<!here>', '<@UEVIL0001>'];
function expectInert(s: string) {
  for (const r of RAW) expect(s).not.toContain(r);
}

describe('/logusage read commands (any user)', () => {
  it('help is answered in the ack itself, ephemeral', async () => {
    const res = await h.command('', { user: USER });
    expect(res.status).toBe(200);
    expect(res.json?.response_type).toBe('ephemeral');
    expect(String(res.json?.text)).toContain('/logusage summary');
    expect(h.fake.responses()).toHaveLength(0);
  });

  it('summary: org total vs expected, month to date, top logs — through response_url', async () => {
    const r = await h.ask('summary', { user: USER });
    expect(r.raw.response_type).toBe('ephemeral');
    const t = blockText(r.blocks);
    expect(t).toContain('Summary for 2026-03-10');
    expect(t).toMatch(/Organisation total \*[\d.]+ GB\*/);
    expect(t).toMatch(/expected [\d.]+ GB/);
    expect(t).toContain('Month to date (2026-03, 10 of 31 days)');
    expect(t).toMatch(/1\. \*firewall-eu\*/);
    expect(r.text).toContain('firewall-eu');
    expectInert(JSON.stringify(r.raw));
    const dated = await h.ask('summary 2026-03-02', { user: USER });
    expect(blockText(dated.blocks)).toContain('Summary for 2026-03-02');
    const never = await h.ask('summary 2020-01-01', { user: USER });
    expect(never.text).toMatch(/No data for 2020-01-01/);
  });

  it('summary and digest print the same weekday-aware month-end projection for the same day', async () => {
    const view = loadDigestView(h.db, LAST_DAY, undefined);
    expect(view.month.projected).not.toBeNull();
    const projected = formatBytes(view.month.projected as number);
    const r = await h.ask(`summary ${LAST_DAY}`, { user: USER });
    expect(blockText(r.blocks)).toContain(`projected ${projected} by month end`);
    // Weekends at 40 %: a linear extrapolation of the 10 known days would give another figure.
    expect(formatBytes((view.month.toDate / 10) * 31)).not.toBe(projected);
  });

  it('top N ranks the latest day with change and sparkline', async () => {
    const r = await h.ask('top 3', { user: USER });
    const t = blockText(r.blocks);
    expect(t).toContain('Top 3 logs on 2026-03-10');
    const order = ['firewall-eu', 'web proxy', 'firewall-us'].map((n) => t.indexOf(n));
    expect(order.every((x) => x >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(t).toMatch(/web proxy\*.*\+\d+%/);
    expect(t).toMatch(/`[▁▂▃▄▅▆▇█·]{30}`/);
  });

  it('log <name|id>: by substring, by id, quoted, ambiguous and unknown', async () => {
    const proxy = await h.ask('log proxy', { user: USER });
    expect(blockText(proxy.blocks)).toContain('*web proxy*');
    expect(blockText(proxy.blocks)).toMatch(/typical [\d.]+ GB/);
    const byId = await h.ask('log aaaa-1111', { user: USER });
    expect(blockText(byId.blocks)).toContain('*firewall-eu*');
    const quoted = await h.ask('log "web proxy"', { user: USER });
    expect(blockText(quoted.blocks)).toContain('*web proxy*');
    const amb = await h.ask('log firewall', { user: USER });
    expect(blockText(amb.blocks)).toContain('matches 2 names');
    expect(blockText(amb.blocks)).toContain('aaaa-1111');
    const none = await h.ask('log zzz-nothing', { user: USER });
    expect(none.text).toMatch(/no log matches "zzz-nothing".*Example: \/logusage log /);
  });

  it('a hostile log name pings nobody anywhere', async () => {
    for (const cmd of ['summary', 'top', 'log channel', 'log dddd-4444', 'alerts', 'status', 'threshold list']) {
      const r = await h.ask(cmd, { user: USER });
      expectInert(JSON.stringify(r.raw));
    }
    const r = await h.ask('log dddd-4444', { user: USER });
    expect(blockText(r.blocks)).toContain('&lt;!channel&gt; &amp; &lt;@UEVIL0001&gt;');
  });

  it('alerts lists open alerts', async () => {
    const empty = await h.ask('alerts', { user: USER });
    expect(empty.text).toBe('No open alerts.');
    seedAlert(h.db, {
      logId: 'cccc-3333',
      logName: 'web proxy',
      logsets: ['Proxies'],
      finding: { reason: 'web proxy sent 45 GB, 4.5× its usual 10 GB for a Tuesday.' },
    });
    const r = await h.ask('alerts', { user: USER });
    const t = blockText(r.blocks);
    expect(t).toContain('1 open alert');
    expect(t).toContain('web proxy sent 45 GB');
    expect(t).toContain('<#C0ALERTS1>');
  });

  it('chart uploads a PNG to the channel the command came from', async () => {
    const r = await h.ask('chart "web proxy" 90d', { user: USER, channel: 'C0CHARTS1' });
    expect(r.text).toMatch(/Chart of web proxy posted/);
    expect(h.fake.files).toHaveLength(1);
    const f = h.fake.files[0];
    expect(f?.channel).toBe('C0CHARTS1');
    expect(f?.filename).toBe('logusage-cccc-3333-90d-2026-03-10.png');
    expect(f?.bytes?.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(h.fake.callsTo('files.completeUploadExternal')[0]?.body.channel_id).toBe('C0CHARTS1');
    // The chart says what it shows, for screen readers (files.uploadV2 alt_text).
    expect(f?.altText).toMatch(
      /^Line chart of web proxy: bytes per day from \d{4}-\d\d-\d\d to 2026-03-10 \(UTC\).* unusual days? marked\.$/,
    );
  });

  it('a chart of a hostile log name pings nobody (the upload comment is a message)', async () => {
    const r = await h.ask('chart dddd-4444', { user: USER });
    expect(r.text).toMatch(/Chart of .* posted/);
    expectInert(JSON.stringify(r.raw));
    const complete = h.fake.callsTo('files.completeUploadExternal')[0];
    expect(String(complete?.body.initial_comment)).toContain('&lt;!channel&gt;');
    expectInert(String(complete?.body.initial_comment));
    expect(h.fake.files[0]?.altText).toMatch(/^Line chart of /);
  });

  it('chart into a channel the app is not in explains how to fix it', async () => {
    h.fake.fail('files.completeUploadExternal', { kind: 'error', error: 'not_in_channel' });
    const r = await h.ask('chart org', { user: USER });
    expect(r.text).toMatch(/could not be uploaded \(not_in_channel\)/);
    expect(blockText(r.blocks)).toContain('/invite');
  });

  it('digest previews through the hook; status shows runs, next run and coverage', async () => {
    const d = await h.ask('digest', { user: USER });
    expect(blockText(d.blocks)).toContain('DIGEST BODY');
    expect(blockText(d.blocks)).toContain('was not posted');
    const s = await h.ask('status', { user: USER });
    const t = blockText(s.blocks);
    expect(t).toContain('2026-03-12 06:30 UTC');
    expect(t).toContain('60 days observed (2026-01-10 … 2026-03-10)');
  });

  it('threshold list, budget show and route list are open to everyone', async () => {
    expect((await h.ask('threshold list', { user: USER })).text).toMatch(/No thresholds|threshold/);
    expect((await h.ask('budget show', { user: USER })).text).toMatch(/budget/i);
    expect((await h.ask('route list', { user: USER })).text).toMatch(/route/i);
  });
});

describe('/logusage changes', () => {
  const CHANGES = [
    'threshold set log firewall-eu 60GB/day',
    'threshold set org 200GB',
    'threshold remove 1',
    'budget set 30TB/month',
    'budget clear',
    'snooze proxy 3d',
    'unsnooze proxy',
    'mute proxy',
    'unmute proxy',
    'route Firewalls <#C0FIREWAL|fw>',
    'route remove Firewalls',
    'refresh',
  ];

  it('a non-admin is refused for every change and nothing changes', async () => {
    const before = countAudit(h.db);
    for (const c of CHANGES) {
      const r = await h.ask(c, { user: USER });
      expect(r.text, c).toMatch(/Only admins may/);
      expect(r.raw.response_type).toBe('ephemeral');
    }
    expect(countAudit(h.db)).toBe(before);
    expect(listThresholds(h.db)).toHaveLength(0);
  });

  it('admins change thresholds, budget, snoozes, mutes and routes; each is audited and shown', async () => {
    const before = countAudit(h.db);
    const t1 = await h.ask('threshold set log firewall-eu 60GB/day');
    expect(t1.text).toMatch(/Threshold #\d+ set to 60 GB\/day/);
    const id = listThresholds(h.db)[0]?.id as number;
    expect(listThresholds(h.db)[0]).toMatchObject({ scope: 'log', target: 'aaaa-1111', bytesPerDay: 60e9, createdBy: ADMIN });
    await h.ask('threshold set logset fire 500GB/day');
    await h.ask('threshold set org 2TB/day');
    expect(listThresholds(h.db).map((t) => t.scope)).toEqual(['log', 'logset', 'org']);
    const list = await h.ask('threshold list', { user: USER });
    expect(blockText(list.blocks)).toMatch(/#\d+\* log \*firewall-eu\*: 60 GB\/day/);

    const rm = await h.ask(`threshold remove ${id}`);
    expect(rm.text).toMatch(`Removed threshold #${id}`);
    const rm2 = await h.ask(`threshold remove ${id}`);
    expect(rm2.text).toMatch(`there is no threshold #${id}`);

    await h.ask('budget set 30TB/month');
    expect(effectiveBudget(h.db, undefined)).toMatchObject({ bytes: 30e12, source: 'slack' });
    expect((await h.ask('budget show', { user: USER })).text).toMatch(/30 TB/);
    await h.ask('budget clear');
    expect(effectiveBudget(h.db, 5e12)).toMatchObject({ bytes: undefined, source: 'cleared' });

    const sn = await h.ask('snooze "web proxy" 3d');
    expect(sn.text).toMatch(/snoozed until 2026-03-14T08:00:00.000Z/);
    expect(getSnooze(h.db, 'cccc-3333')?.until).toBe('2026-03-14T08:00:00.000Z');
    await h.ask('unsnooze cccc-3333');
    expect(getSnooze(h.db, 'cccc-3333')).toBeUndefined();

    await h.ask('mute proxy');
    expect(isMuted(h.db, 'cccc-3333')).toBe(true);
    expect((await h.ask('mute proxy')).text).toMatch(/unchanged/);
    await h.ask('unmute proxy');
    expect(isMuted(h.db, 'cccc-3333')).toBe(false);

    const route = await h.ask('route Firewalls <#C0FIREWAL|fw>');
    expect(route.text).toMatch(/Alerts of Firewalls now go to C0FIREWAL/);
    expect(listRoutes(h.db)).toMatchObject([{ logset: 'Firewalls', channel: 'C0FIREWAL', createdBy: ADMIN }]);
    expect(blockText((await h.ask('route list', { user: USER })).blocks)).toContain('<#C0FIREWAL>');
    await h.ask('route remove Firewalls');
    expect(listRoutes(h.db)).toHaveLength(0);

    const audit = listAudit(h.db, { limit: 100 }).filter((a) => a.id > 0);
    // 3 sets + 1 remove + budget set/clear + snooze/unsnooze + mute/unmute (the repeated mute is a no-op) + route set/remove
    expect(countAudit(h.db) - before).toBe(12);
    expect(audit.every((a) => a.actor === ADMIN && a.at === NOW.toISOString())).toBe(true);

    const status = await h.ask('status', { user: USER });
    expect(blockText(status.blocks)).toMatch(/<@UADMIN001> removed the route of log set Firewalls/);
    const log = await h.ask('log proxy', { user: USER });
    const lt = blockText(log.blocks);
    expect(lt).toContain('unmuted web proxy');
    expect(lt).toContain('snoozed web proxy for 3d');
  });

  it('refresh answers at once, then with the result of the hook', async () => {
    const res = await h.command('refresh', { rid: 'refresh1' });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.responses('refresh1').length === 2);
    const [first, second] = h.fake.responses('refresh1');
    expect(String(first?.text)).toMatch(/Collecting now/);
    expect(String(second?.text)).toBe(`Collected 2026-03-04 … 2026-03-10 for ${ADMIN}.`);
    // The result replaces "Collecting now…" (not a second message), with block_ids of its own.
    expect(first?.replace_original).toBe(false);
    expect(second?.replace_original).toBe(true);
    const ids = (m: Record<string, unknown> | undefined) => ((m?.blocks ?? []) as Array<{ block_id?: string }>).map((b) => b.block_id);
    expect(ids(second).every((id) => typeof id === 'string' && !ids(first).includes(id))).toBe(true);
  });

  it('bad input gets a short answer with one valid example and changes nothing', async () => {
    const before = countAudit(h.db);
    const cases = [
      'frobnicate',
      'threshold set log firewall-eu 60 gigs',
      'threshold set log nosuchlog 5GB',
      'threshold set logset nosuchset 5GB',
      'snooze proxy forever',
      'snooze nosuchlog 1d',
      'budget set 30TB/day',
      'threshold set log',
      'route Firewalls #general',
      'top 0',
      'x'.repeat(10_240),
      `log ${'\u0000<>&'.repeat(2000)}`,
    ];
    for (const c of cases) {
      const res = await h.command(c, { rid: `bad-${cases.indexOf(c)}` });
      expect(res.status, c.slice(0, 40)).toBe(200);
      const body = res.json?.text
        ? res.json
        : await h.fake
            .waitFor(() => h.fake.responses(`bad-${cases.indexOf(c)}`).length > 0)
            .then(() => h.fake.responses(`bad-${cases.indexOf(c)}`)[0]);
      const text = String(body?.text);
      expect(text.length, c.slice(0, 40)).toBeLessThan(600);
      expect(text, c.slice(0, 40)).toMatch(/Example: \/logusage \S|matches \d+ names/);
    }
    expect(countAudit(h.db)).toBe(before);
    // Still serving.
    expect((await h.command('help')).status).toBe(200);
  });
});

describe('requests Slack did not sign', () => {
  it('a forged signature is refused with 401 and has no effect', async () => {
    const before = countAudit(h.db);
    const res = await h.command('budget set 1TB/month', { rid: 'forged', sign: { signature: `v0=${'0'.repeat(64)}` } });
    expect(res.status).toBe(401);
    const wrongSecret = await h.command('budget set 1TB/month', { rid: 'forged2', sign: { signature: 'v0=deadbeef' } });
    expect(wrongSecret.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.responses('forged')).toHaveLength(0);
    expect(countAudit(h.db)).toBe(before);
  });

  it('a timestamp older than 5 minutes is refused with 401 and has no effect', async () => {
    const before = countAudit(h.db);
    const res = await h.command('mute proxy', { rid: 'old', sign: { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 } });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.fake.responses('old')).toHaveLength(0);
    expect(isMuted(h.db, 'cccc-3333')).toBe(false);
    expect(countAudit(h.db)).toBe(before);
  });

  it('a correctly signed body with a content type Slack never sends is not processed', async () => {
    const body = slashCommandBody({ text: 'mute proxy', user_id: ADMIN, response_url: h.fake.responseUrl('charset') });
    const res = await fetch(h.url, {
      method: 'POST',
      headers: { ...signedHeaders(SECRET, body), 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(isMuted(h.db, 'cccc-3333')).toBe(false);
  });
});

describe('alert buttons', () => {
  async function postAlert(): Promise<{ ts: string; alertId: number }> {
    const alertId = seedAlert(h.db, { ...FIREWALL_ALERT, episodeKey: `log:aaaa-1111:${Math.random()}` });
    const { webApi } = await import('@slack/bolt');
    const client = new webApi.WebClient('xoxb-test-token', { slackApiUrl: h.fake.apiUrl, ...CALL_ONCE });
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'firewall-eu spiked',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'firewall-eu spiked' } },
        { type: 'actions', block_id: 'alert_actions', elements: [] },
      ],
    });
    return { ts: posted.ts as string, alertId };
  }

  const value = (alertId: number) => JSON.stringify({ alertId, logId: 'aaaa-1111', kind: 'spike' });

  it('a non-admin click is refused privately; nothing changes, the message stays', async () => {
    const { ts, alertId } = await postAlert();
    const before = countAudit(h.db);
    const res = await h.click({ actionId: ACTION_IDS.muteLog, value: value(alertId), userId: USER, messageTs: ts, rid: 'na' });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.responses('na').length > 0);
    expect(String(h.fake.responses('na')[0]?.text)).toMatch(/Only admins may mute logs/);
    expect(h.fake.responses('na')[0]?.response_type).toBe('ephemeral');
    expect(h.fake.callsTo('chat.update')).toHaveLength(0);
    expect(isMuted(h.db, 'aaaa-1111')).toBe(false);
    expect(countAudit(h.db)).toBe(before);
  });

  it('Snooze 1 day / 1 week, Mark as expected and Mute act, audit and update the clicked message', async () => {
    const { ts, alertId } = await postAlert();
    const message = h.fake.message(CHANNEL, ts);
    const posted = structuredClone(message?.blocks ?? []);
    const click = async (actionId: string) => {
      const n = h.fake.callsTo('chat.update').length;
      const res = await h.click({
        actionId,
        value: value(alertId),
        userId: ADMIN,
        messageTs: ts,
        message: { text: message?.text ?? '', blocks: message?.blocks ?? [] },
      });
      expect(res.status).toBe(200);
      await h.fake.waitForCalls('chat.update', n + 1);
      return h.fake.message(CHANNEL, ts);
    };
    let m = await click(ACTION_IDS.snoozeDay);
    expect(getSnooze(h.db, 'aaaa-1111')?.until).toBe('2026-03-12T08:00:00.000Z');
    expect(JSON.stringify(m?.blocks)).toMatch(/<@UADMIN001> snoozed \*firewall-eu\* for 1 day/);
    m = await click(ACTION_IDS.snoozeWeek);
    expect(getSnooze(h.db, 'aaaa-1111')?.until).toBe('2026-03-18T08:00:00.000Z');
    expect(JSON.stringify(m?.blocks)).toContain('for 1 week');
    m = await click(ACTION_IDS.acceptNormal);
    expect(getBaselineFrom(h.db, 'aaaa-1111')).toBe('2026-03-09');
    expect(JSON.stringify(m?.blocks)).toContain('marked this as expected');
    m = await click(ACTION_IDS.muteLog);
    expect(isMuted(h.db, 'aaaa-1111')).toBe(true);
    expect(JSON.stringify(m?.blocks)).toContain('muted *firewall-eu*');
    // The original content and the buttons' block stay; the action log is last.
    const blocks = m?.blocks as Array<{ type: string; block_id?: string }>;
    expect(blocks[0]?.type).toBe('section');
    // Blocks are found by their role: every update in place has new block_ids (SLACK.md "Rules").
    expect(blocks.some((b) => hasBlockRole(b, 'alert_actions'))).toBe(true);
    expect(hasBlockRole(blocks.at(-1) ?? {}, 'logusage_action_log')).toBe(true);
    const versions = [posted, ...h.fake.callsTo('chat.update').map((c) => c.body.blocks as unknown[])].map((bs) =>
      (bs as Array<{ block_id?: string }>).map((b) => b.block_id).filter((id): id is string => id !== undefined),
    );
    expect(versions).toHaveLength(5);
    for (const [i, ids] of versions.entries()) {
      expect(new Set(ids).size).toBe(ids.length);
      for (const earlier of versions.slice(0, i)) expect(ids.filter((id) => earlier.includes(id))).toEqual([]);
    }
    expect(listAudit(h.db, { target: 'aaaa-1111', limit: 4 }).map((a) => a.action)).toEqual(['mute', 'accept-normal', 'snooze', 'snooze']);
    const update = h.fake.callsTo('chat.update').at(-1);
    expect(update?.body.channel).toBe(CHANNEL);
    expect(update?.body.ts).toBe(ts);
    // The log is rendered from this alert's audit rows: all four changes, oldest first.
    const log = blocks.at(-1) as unknown as { elements: Array<{ text: string }> };
    expect(log.elements.map((e) => e.text.split(' ')[0])).toEqual([':zzz:', ':zzz:', ':white_check_mark:', ':no_bell:']);
    // Mute again: nothing changes, so no audit row and no new line; only the clicker is told.
    const audits = countAudit(h.db);
    const updates = h.fake.callsTo('chat.update').length;
    await h.click({ actionId: ACTION_IDS.muteLog, value: value(alertId), userId: ADMIN, messageTs: ts, rid: 'again' });
    await h.fake.waitFor(() => h.fake.responses('again').length > 0);
    expect(String(h.fake.responses('again')[0]?.text)).toBe('firewall-eu is already muted; nothing changed.');
    expect(h.fake.responses('again')[0]?.response_type).toBe('ephemeral');
    expect(countAudit(h.db)).toBe(audits);
    expect(h.fake.callsTo('chat.update')).toHaveLength(updates);
  });

  it('a button with a broken value changes nothing and says so', async () => {
    const { ts } = await postAlert();
    const before = countAudit(h.db);
    await h.click({ actionId: ACTION_IDS.snoozeDay, value: '{not json', userId: ADMIN, messageTs: ts, rid: 'broken' });
    await h.fake.waitFor(() => h.fake.responses('broken').length > 0);
    expect(String(h.fake.responses('broken')[0]?.text)).toMatch(/nothing changed/);
    expect(countAudit(h.db)).toBe(before);
  });
});

describe('resilience', () => {
  it('an expired response_url is logged, not fatal', async () => {
    h.fake.fail('response_url', { kind: 'http', status: 404 }, 1);
    const res = await h.command('status', { rid: 'expired' });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.calls.some((c) => c.method === 'response_url' && c.id === 'expired'));
    const again = await h.ask('status', { user: USER });
    expect(again.text).toMatch(/logusage status/);
  });

  it('GET /healthz answers with the newest run', async () => {
    const res = await fetch(h.url.replace('/slack/events', '/healthz'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.status).toBe('ok');
    expect(body).toHaveProperty('lastRun');
  });
});

describe('summary cache', () => {
  it('answers a computed summary in the ack, and recomputes when the data changes', async () => {
    const h2 = await startHarness();
    try {
      seedHistory(h2.db, [{ id: 'L1', name: 'fw', base: 1e9 }], 40);
      const first = await h2.ask('summary', { user: USER });
      expect(blockText(first.blocks)).toContain('Summary for 2026-03-10');
      const again = await h2.command('summary', { user: USER, rid: 'cached' });
      expect(again.status).toBe(200);
      expect(String(again.json?.text)).toContain('summary for 2026-03-10');
      expect(h2.fake.responses('cached')).toHaveLength(0);
      // A new day arrives (as a collection would write it): the next summary is about it.
      seedHistory(h2.db, [{ id: 'L1', name: 'fw', base: 2e9 }], 1, '2026-03-11');
      const fresh = await h2.ask('summary', { user: USER });
      expect(blockText(fresh.blocks)).toContain('Summary for 2026-03-11');
      // A change from Slack shows at once too (budget line).
      await h2.ask('budget set 40TB/month');
      const withBudget = await h2.ask('summary', { user: USER });
      expect(blockText(withBudget.blocks)).toContain('Budget 40 TB/month');
    } finally {
      await h2.close();
    }
  });
});
