/** createSlackApp: mode selection and the settings it refuses to start without. */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { AppError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logger.js';
import { createSlackApp } from '../../../src/slack/app.js';
import { openDb } from '../../../src/store/db.js';
import { CALL_ONCE, sendSlashCommand, startFakeSlack } from '../../support/fake-slack.js';

const deps = (env: Record<string, string>) => ({
  settings: readSettings(env),
  db: openDb(':memory:'),
  logger: createSilentLogger(),
  now: () => new Date('2026-03-11T08:00:00Z'),
});

describe('createSlackApp', () => {
  it('uses Socket Mode when SLACK_APP_TOKEN is set (no signing secret needed), HTTP mode otherwise', () => {
    expect(createSlackApp(deps({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).mode).toBe('socket');
    expect(createSlackApp(deps({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).mode).toBe('http');
  });

  it('refuses to build without a bot token, or without a signing secret in HTTP mode, saying what to set', () => {
    expect(() => createSlackApp(deps({ SLACK_SIGNING_SECRET: 's' }))).toThrow(/SLACK_BOT_TOKEN/);
    try {
      createSlackApp(deps({ SLACK_BOT_TOKEN: 'xoxb-1' }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toMatch(/SLACK_SIGNING_SECRET .*or set SLACK_APP_TOKEN/);
    }
  });

  it('makes no Web API call (no auth.test) when it starts or answers a command', async () => {
    const fake = await startFakeSlack();
    const d = deps({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: fake.apiUrl });
    const app = createSlackApp({ ...d, clientOptions: CALL_ONCE });
    const { port } = await app.start(0);
    const res = await sendSlashCommand(`http://127.0.0.1:${port}/slack/events`, 'secret', {
      text: 'help',
      response_url: fake.responseUrl(),
    });
    expect(res.status).toBe(200);
    await app.stop();
    expect(fake.callsTo('auth.test')).toHaveLength(0);
    expect(fake.calls.filter((c) => c.method !== 'response_url')).toHaveLength(0);
    await fake.close();
  });
});
