/** Socket Mode (the manifest's default): the real Bolt app connects to the fake's WebSocket endpoint. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../../src/slack/action-ids.js';
import type { SlackApp } from '../../../src/slack/app.js';
import { getSnooze } from '../../../src/store/controls.js';
import type { Db } from '../../../src/store/db.js';
import { blockActionsPayload, type FakeSlack } from '../../support/fake-slack.js';
import { ADMIN, blockText, type SocketHarness, startSocketHarness, USER } from '../../support/slack-harness.js';

let s: SocketHarness;
let fake: FakeSlack;
let db: Db;
let app: SlackApp;

beforeAll(async () => {
  s = await startSocketHarness([{ id: 'L1', name: 'firewall-eu', base: 5e9 }]);
  ({ fake, db, app } = s);
  expect(app.mode).toBe('socket');
});
afterAll(() => s.close());

const command = (text: string, user = USER, rid = 'sock') => ({
  type: 'slash_commands',
  payload: {
    token: 'x',
    team_id: 'T0FAKE001',
    channel_id: 'C0CHAN001',
    user_id: user,
    user_name: 'someone',
    command: '/logusage',
    text,
    api_app_id: 'A0FAKEAPP',
    response_url: fake.responseUrl(rid),
    trigger_id: '1.2.3',
  },
});

describe('Socket Mode', () => {
  it('connects with the app token through apps.connections.open', () => {
    const open = fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.headers.authorization).toBe('Bearer xapp-test');
    expect(fake.socketConnections()).toBe(1);
  });

  it('answers help in the ack payload', async () => {
    const ack = await fake.sendSocketEnvelope(command('help'));
    const payload = ack.payload as { response_type: string; text: string };
    expect(payload.response_type).toBe('ephemeral');
    expect(payload.text).toContain('/logusage summary');
  });

  it('answers log detail through response_url', async () => {
    await fake.sendSocketEnvelope(command('log firewall', USER, 'sock-log'));
    await fake.waitFor(() => fake.responses('sock-log').length > 0);
    expect(blockText(fake.responses('sock-log')[0]?.blocks as unknown[])).toContain('*firewall-eu*');
  });

  it('handles an alert button and refuses a non-admin change', async () => {
    const posted = await app.app.client.chat.postMessage({ token: 'xoxb-test', channel: 'C0CHAN001', text: 'alert', blocks: [] });
    await fake.sendSocketEnvelope({
      type: 'interactive',
      payload: blockActionsPayload({
        actionId: ACTION_IDS.snoozeDay,
        value: JSON.stringify({ alertId: null, logId: 'L1', kind: 'spike' }),
        userId: ADMIN,
        messageTs: posted.ts as string,
        responseUrl: fake.responseUrl('sock-btn'),
      }),
    });
    await fake.waitForCalls('chat.update');
    expect(getSnooze(db, 'L1')?.until).toBe('2026-03-12T08:00:00.000Z');
    const refused = await fake.sendSocketEnvelope(command('mute firewall-eu'));
    expect(String((refused.payload as { text: string }).text)).toMatch(/Only admins may mute logs/);
  });
});
