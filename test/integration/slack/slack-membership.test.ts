/**
 * The bot checks that it is a member of its alert, digest and route channels (conversations.info,
 * `is_member`; SLACK.md "Rules") and says so: in `/logusage status`, in the `route` reply, and in a
 * warning at start. Real Bolt app, real signed requests, the fake Slack answering conversations.info.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { createSlackApp } from '../../../src/slack/app.js';
import { setRoute } from '../../../src/store/controls.js';
import { openDb } from '../../../src/store/db.js';
import { CALL_ONCE, startFakeSlack } from '../../support/fake-slack.js';
import { createCapturingLogger } from '../../support/logs.js';
import { ADMIN, blockText, type Harness, NOW, SECRET, seedHistory, startHarness, USER } from '../../support/slack-harness.js';

const ALERTS = 'C0ALERTS1';
const DIGEST = 'C0DIGEST1';
const ROUTED = 'C0ROUTE01';
const GONE = 'G0GONE001';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { SLACK_ALERT_CHANNEL: ALERTS, SLACK_DIGEST_CHANNEL: DIGEST } });
  seedHistory(h.db, [{ id: 'aaaa-1111', name: 'firewall-eu', logsets: ['Firewalls', 'Proxies'], base: 1e9 }]);
}, 30_000);
afterAll(() => h.close());

describe('channel membership', () => {
  it('status lists each channel the bot posts to and whether it is a member, with the fix', async () => {
    h.fake.setMembership(ALERTS, 'member');
    h.fake.setMembership(DIGEST, 'not-member');
    h.db.transaction(() => setRoute(h.db, 'Proxies', GONE, { actor: ADMIN, at: NOW.toISOString() }))();
    const r = await h.ask('status', { user: USER });
    const text = blockText(r.blocks);
    expect(text).toContain(`• alerts: :white_check_mark: I am a member of <#${ALERTS}>.`);
    expect(text).toContain(`• digest: :warning: I am not a member of <#${DIGEST}>`);
    expect(text).toContain(`Invite me: \`/invite @logusage\` in <#${DIGEST}>.`);
    h.fake.setMembership(GONE, 'missing');
    const again = blockText((await h.ask('status', { user: USER })).blocks);
    expect(again).toContain(
      `• route Proxies: :warning: I cannot see <#${GONE}>: it does not exist, or it is private and I was not invited.`,
    );
    const asked = h.fake.callsTo('conversations.info').map((c) => c.body.channel);
    expect(asked).toEqual(expect.arrayContaining([ALERTS, DIGEST, GONE]));
  });

  it('the route reply says whether the bot is in the new channel, and how to invite it', async () => {
    h.fake.setMembership(ROUTED, 'not-member');
    const r = await h.ask(`route Firewalls <#${ROUTED}|sec-alerts>`, { user: ADMIN });
    expect(r.text).toBe(`Alerts of Firewalls now go to ${ROUTED}.`);
    const shown = blockText(r.blocks);
    expect(shown).toContain(`now go to <#${ROUTED}>`);
    expect(shown).toContain(`I am not a member of <#${ROUTED}>`);
    expect(shown).toContain('`/invite @logusage`');
    h.fake.setMembership(ROUTED, 'member');
    const ok = blockText((await h.ask(`route Firewalls <#${ROUTED}|sec-alerts>`, { user: ADMIN })).blocks);
    expect(ok).toContain(`:white_check_mark: I am a member of <#${ROUTED}>.`);
  });

  it('a failed check (missing scope) says what to fix instead of guessing', async () => {
    h.fake.fail('conversations.info', { kind: 'error', error: 'missing_scope' }, 3);
    const text = blockText((await h.ask('status', { user: USER })).blocks);
    expect(text).toContain('`missing_scope`');
    expect(text).toContain('channels:read and groups:read');
  });
});

describe('channel membership at start', () => {
  it('logs a warning for each channel the bot is not in (and none for the ones it is in)', async () => {
    const fake = await startFakeSlack({ token: 'xoxb-test-token' });
    const db = openDb(':memory:');
    const { logger, logs } = createCapturingLogger();
    fake.setMembership(DIGEST, 'not-member');
    fake.setMembership(GONE, 'missing');
    db.transaction(() => setRoute(db, 'Proxies', GONE, { actor: ADMIN, at: NOW.toISOString() }))();
    const app = createSlackApp({
      settings: readSettings({
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_ALERT_CHANNEL: ALERTS,
        SLACK_DIGEST_CHANNEL: DIGEST,
        PORT: '0',
      }),
      db,
      logger,
      now: () => NOW,
      clientOptions: CALL_ONCE,
    });
    try {
      await app.start(0);
      const warned = logs.records().filter((r) => r.level === 40 && typeof r.state === 'string');
      expect(warned.map((r) => [r.channel, r.state])).toEqual([
        [DIGEST, 'not-member'],
        [GONE, 'missing'],
      ]);
      expect(String(warned[0]?.msg)).toContain('/invite @logusage');
      expect(warned[1]?.uses).toEqual(['route Proxies']);
    } finally {
      await app.stop();
      await fake.close();
      db.close();
    }
  });
});
