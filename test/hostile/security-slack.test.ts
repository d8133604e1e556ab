/**
 * Who may talk to the bot, and who may change what — against the real Bolt app over HTTP.
 * - Requests Slack did not sign (forged, missing, tampered, replayed after 5 minutes, another secret, a
 *   timestamp that is not a number): 401, and no effect at all (every table unchanged, nothing sent to Slack).
 * - The permission matrix: every mutating subcommand (with its aliases) and every alert button, for a
 *   non-admin and for anyone when no admin is configured: refused, nothing changed. The same commands
 *   from an admin do change something, so the matrix is not vacuous; and the matrix covers every kind the
 *   parser calls changing, so a new mutating command cannot slip past it.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { parseCommand } from '../../src/slack/command-parser.js';
import { CHANGING_KINDS } from '../../src/slack/commands/table.js';
import { UI_ACTION_IDS } from '../../src/slack/ui-ids.js';
import { countAudit } from '../../src/store/controls.js';
import { blockActionsPayload, slashCommandBody } from '../support/fake-slack.js';
import { dumpData } from '../support/hostile.js';
import { ADMIN, FIREWALL_ALERT, type Harness, SECRET, seedAlert, seedHistory, startHarness, USER } from '../support/slack-harness.js';

const LOGS = [
  { id: 'aaaa-1111', name: 'firewall-eu', logsets: ['Firewalls'], base: 50e9 },
  { id: 'bbbb-2222', name: 'web proxy', logsets: ['Proxies'], base: 10e9 },
];

let refreshes = 0;
const features = {
  refresh: async () => {
    refreshes++;
    return 'Collected.';
  },
};

let h: Harness;
let nobody: Harness;
beforeAll(async () => {
  h = await startHarness({ deps: { features } });
  nobody = await startHarness({ admins: '', deps: { features } });
  for (const x of [h, nobody]) seedHistory(x.db, LOGS);
});
afterAll(async () => {
  await h.close();
  await nobody.close();
});
beforeEach(() => {
  h.fake.reset();
  nobody.fake.reset();
});

function alertIn(x: Harness): number {
  return seedAlert(x.db, { ...FIREWALL_ALERT, episodeKey: `log:aaaa-1111:${Math.random()}` });
}

/** Lets any work a request might have started finish, then checks Slack heard nothing. */
async function settle(x: Harness): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  expect(x.fake.calls).toEqual([]);
}

describe('requests Slack did not sign: 401 and no effect', () => {
  const sign = (secret: string, ts: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  const now = () => Math.floor(Date.now() / 1000);
  const command = () => slashCommandBody({ text: 'budget set 1TB/month', user_id: ADMIN, response_url: h.fake.responseUrl('forged') });
  const click = () =>
    `payload=${encodeURIComponent(
      JSON.stringify(
        blockActionsPayload({
          actionId: ACTION_IDS.muteLog,
          value: JSON.stringify({ alertId: 1, logId: 'aaaa-1111', kind: 'spike' }),
          userId: ADMIN,
          messageTs: '1.000001',
          responseUrl: h.fake.responseUrl('forged'),
        }),
      ),
    )}`;

  type Forgery = (body: string) => { headers: Record<string, string>; body: string };
  const FORGERIES: Array<[string, Forgery]> = [
    ['no signature and no timestamp', (body) => ({ headers: {}, body })],
    ['a timestamp but no signature', (body) => ({ headers: { 'x-slack-request-timestamp': String(now()) }, body })],
    ['a signature but no timestamp', (body) => ({ headers: { 'x-slack-signature': sign(SECRET, now(), body) }, body })],
    ['an empty signature', (body) => ({ headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': 'v0=' }, body })],
    ['zeros', (body) => ({ headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': `v0=${'0'.repeat(64)}` }, body })],
    [
      'another secret',
      (body) => ({
        headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': sign('not-the-secret', now(), body) },
        body,
      }),
    ],
    [
      'a v1 signature',
      (body) => ({
        headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': sign(SECRET, now(), body).replace('v0=', 'v1=') },
        body,
      }),
    ],
    [
      'a body changed after signing (user id swapped to the admin)',
      (body) => {
        const signedFor = body.replace(encodeURIComponent(ADMIN), encodeURIComponent(USER));
        return { headers: { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': sign(SECRET, now(), signedFor) }, body };
      },
    ],
    [
      'a valid signature replayed 301 s later',
      (body) => ({
        headers: { 'x-slack-request-timestamp': String(now() - 301), 'x-slack-signature': sign(SECRET, now() - 301, body) },
        body,
      }),
    ],
    [
      'a valid signature replayed a day later',
      (body) => ({
        headers: { 'x-slack-request-timestamp': String(now() - 86_400), 'x-slack-signature': sign(SECRET, now() - 86_400, body) },
        body,
      }),
    ],
    [
      'a timestamp that is not a number',
      (body) => ({ headers: { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': sign(SECRET, 0, body) }, body }),
    ],
  ];

  for (const [kind, build] of [
    ['slash command', command],
    ['button click', click],
  ] as const) {
    it.each(FORGERIES)(`${kind}: %s`, async (_name, forge) => {
      alertIn(h);
      const before = dumpData(h.db);
      const f = forge(build());
      const res = await fetch(h.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...f.headers },
        body: f.body,
      });
      expect(res.status).toBe(401);
      await settle(h);
      expect(dumpData(h.db)).toEqual(before);
    });
  }

  it('the same requests, signed correctly, do take effect (the forgeries above are the only difference)', async () => {
    const ts = now();
    const body = command();
    const res = await fetch(h.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': sign(SECRET, ts, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.responses('forged').length > 0);
    expect(String(h.fake.responses('forged')[0]?.text)).toMatch(/Monthly budget set to 1 TB/);
  });
});

/** Every mutating subcommand, with the aliases the parser accepts. */
const CHANGES = [
  'threshold set log firewall-eu 60GB/day',
  'threshold add logset Firewalls 1TB',
  'thresholds set org 2 TB /day',
  'threshold set log-set "Proxies" 5GB/d',
  'threshold remove 1',
  'threshold rm #1',
  'threshold delete 1',
  'threshold set',
  'budget set',
  'price set $0.35/GB',
  'price clear',
  'expect firewall-eu +50% until 2026-04-30 migration',
  'expected Firewalls 80GB/day until 2026-03-31',
  'expect remove 1',
  'owner Firewalls <!subteam^S0SECOPS1|@secops>',
  'owners remove Firewalls',
  'budget set 30TB/month',
  'BUDGET SET 1.5 PiB/mo',
  'budget clear',
  'budget remove',
  'budget off',
  'price set $0.35/GB',
  'price clear',
  'snooze firewall-eu 3d',
  'Snooze "web proxy" 12h',
  'unsnooze firewall-eu',
  'mute web',
  'MUTE aaaa-1111',
  'unmute web',
  'route Firewalls <#C0FIREWAL|fw>',
  'routes Proxies C0PROXY01',
  'route remove Firewalls',
  'route delete Proxies',
  'route rm Firewalls',
  'refresh',
];

describe('the permission matrix', () => {
  it('covers every kind of command the parser calls changing', () => {
    const kinds = new Set(CHANGES.map((t) => parseCommand(t).kind));
    expect([...kinds].sort()).toEqual([...CHANGING_KINDS].sort());
  });

  it.each(CHANGES)('a non-admin sending "%s" is refused, and nothing changes', async (text) => {
    const before = dumpData(h.db);
    const calls = refreshes;
    const r = await h.ask(text, { user: USER });
    expect(r.text).toMatch(/Only admins may .*LOGUSAGE_ADMINS/);
    expect(r.raw.response_type).toBe('ephemeral');
    expect(dumpData(h.db)).toEqual(before);
    expect(refreshes).toBe(calls);
  });

  it.each(CHANGES)('with no admin configured, "%s" is refused for everyone, with how to fix it', async (text) => {
    const before = dumpData(nobody.db);
    const calls = refreshes;
    for (const user of [ADMIN, USER]) {
      const r = await nobody.ask(text, { user });
      expect(r.text).toMatch(/LOGUSAGE_ADMINS is empty\. Set LOGUSAGE_ADMINS=U/);
    }
    expect(dumpData(nobody.db)).toEqual(before);
    expect(refreshes).toBe(calls);
  });

  it('the same commands from an admin each change something (and are audited)', async () => {
    const admin = await startHarness({ deps: { features } });
    try {
      seedHistory(admin.db, LOGS);
      for (const text of [
        'threshold set log firewall-eu 60GB/day',
        'threshold remove 1',
        'budget set 30TB/month',
        'budget clear',
        'snooze firewall-eu 3d',
        'unsnooze firewall-eu',
        'mute web',
        'unmute web',
        'route Firewalls <#C0FIREWAL|fw>',
        'route remove Firewalls',
        'expect firewall-eu +50% until 2026-04-30 migration',
        'expect remove 1',
        'owner Firewalls <@U0OWNER01|bob>',
        'owner remove Firewalls',
        'refresh',
      ]) {
        const before = countAudit(admin.db);
        const r = await admin.ask(text, { user: ADMIN });
        expect(r.text, text).not.toMatch(/Only admins/);
        expect(countAudit(admin.db), text).toBe(before + 1);
      }
    } finally {
      await admin.close();
    }
  });

  /**
   * `user` clicks an alert button on `x`: answered privately with a refusal, no message updated, no row changed.
   * Returns the answer.
   */
  async function refusedClick(x: Harness, user: string, actionId: string): Promise<Record<string, unknown>> {
    const alertId = alertIn(x);
    const before = dumpData(x.db);
    const rid = `btn-${actionId}-${user}-${x === h ? 'h' : 'n'}`;
    const res = await x.click({
      actionId,
      value: JSON.stringify({ alertId, logId: 'aaaa-1111', kind: 'spike' }),
      userId: user,
      messageTs: '1.000001',
      rid,
    });
    expect(res.status).toBe(200);
    await x.fake.waitFor(() => x.fake.responses(rid).length > 0);
    const answer = x.fake.responses(rid)[0] as Record<string, unknown>;
    expect(String(answer.text)).toMatch(/Only admins may/);
    expect(x.fake.callsTo('chat.update')).toHaveLength(0);
    expect(dumpData(x.db)).toEqual(before);
    return answer;
  }

  const BUTTONS = Object.values(ACTION_IDS);
  it('covers every alert button', () => {
    expect(BUTTONS.sort()).toEqual(['logusage_accept_normal', 'logusage_mute_log', 'logusage_snooze_1d', 'logusage_snooze_1w']);
  });

  it.each(BUTTONS)(
    'button %s: refused for a non-admin, and for everyone with no admin configured; nothing changes, the message stays',
    async (actionId) => {
      for (const [x, user] of [
        [h, USER],
        [nobody, ADMIN],
        [nobody, USER],
      ] as const) {
        const answer = await refusedClick(x, user, actionId);
        expect(answer.response_type).toBe('ephemeral');
        expect(answer.replace_original).toBe(false);
      }
    },
  );

  it('an admin’s click on each button does change something', async () => {
    for (const actionId of BUTTONS) {
      const alertId = alertIn(h);
      const before = countAudit(h.db);
      const n = h.fake.callsTo('chat.update').length;
      await h.click({
        actionId,
        value: JSON.stringify({ alertId, logId: 'aaaa-1111', kind: 'spike' }),
        userId: ADMIN,
        messageTs: '1.000001',
      });
      await h.fake.waitFor(() => countAudit(h.db) > before);
      expect(countAudit(h.db)).toBe(before + 1);
      expect(h.fake.callsTo('chat.update').length).toBeGreaterThanOrEqual(n);
    }
  });

  /** The second row of alert buttons that change something (I'm on it is open to everyone: it assigns). */
  const UI_BUTTONS = [UI_ACTION_IDS.feedbackUseful, UI_ACTION_IDS.feedbackNoise, UI_ACTION_IDS.setThreshold, UI_ACTION_IDS.expectUntil];
  it.each(UI_BUTTONS)(
    'button %s: refused for a non-admin and with no admin configured; nothing changes, no modal opens',
    async (actionId) => {
      for (const [x, user] of [
        [h, USER],
        [nobody, ADMIN],
      ] as const) {
        await refusedClick(x, user, actionId);
        expect(x.fake.callsTo('views.open')).toHaveLength(0);
      }
    },
  );
});
