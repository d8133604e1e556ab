/**
 * Secrets never leak. Distinctive fake secrets — the Rapid7 key, the bot token, the signing secret, an
 * app-level token and a password inside RAPID7_BASE_URL — go through a hostile day: collections with
 * rate limits, resets and 5xx; a daily run with Slack failing; a revoked key (so errors are told to
 * Slack and to people); `status` as text and JSON; the Slack app answering commands, a failing refresh
 * and a forged request. Then everything is scanned: every log line (from a logger that does NOT mask
 * secrets, so the code itself must never hand one over), every CLI output and error, everything the fake
 * Slack received (bodies, and headers other than the bot's own Authorization), every reply of the app,
 * and the bytes of the database file with its -wal and -shm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../src/collect.js';
import { readSettings } from '../../src/config.js';
import { type Day, daysInRange } from '../../src/days.js';
import { createRapid7FromSettings } from '../../src/main.js';
import { createSlackApp, type SlackApp } from '../../src/slack/app.js';
import { createTestCli } from '../support/cli.js';
import { CALL_ONCE, sendSlashCommand } from '../support/fake-slack.js';
import { databaseBytes } from '../support/hostile.js';
import { createCapturingLogger } from '../support/logs.js';
import { buildData } from '../support/rapid7.js';
import { createWorld, WORLD_ALERTS, WORLD_KEY, WORLD_TOKEN, type World } from '../support/world.js';

const SIGNING = 'sigsecret-SECRET-9e1f0a-do-not-log';
const APP_TOKEN = 'xapp-1-SECRET-2c4e6a-do-not-log';
const URL_PASS = 'urlpass-SECRET-1b2c3d';
const SECRETS = [WORLD_KEY, WORLD_TOKEN, SIGNING, APP_TOKEN, URL_PASS];
const ADMIN = 'UADMIN001';
const FIRST: Day = '2026-02-01';
const DAY: Day = '2026-03-10';

const captured = createCapturingLogger();
const outputs: string[] = [];
let w: World;
let app: SlackApp;
let appUrl = '';

function credentialedUrl(url: string): string {
  const u = new URL(url);
  u.username = 'proxyuser';
  u.password = URL_PASS;
  return u.toString().replace(/\/$/, '');
}

/** The CLI in-process, its logger the unmasked capturing one, settings from the environment. */
async function cli(...argv: string[]): Promise<number> {
  const c = createTestCli({
    env: {
      DATABASE_PATH: w.dbPath,
      RAPID7_API_KEY: WORLD_KEY,
      RAPID7_BASE_URL: credentialedUrl(w.sim.url),
      SLACK_BOT_TOKEN: WORLD_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: w.slack.apiUrl,
      SLACK_ALERT_CHANNEL: WORLD_ALERTS,
      LOGUSAGE_ADMINS: ADMIN,
    },
    now: new Date(`${DAY}T06:30:00Z`),
    overrides: { rapid7: { timeoutMs: 400, maxRetries: 3, retryBaseMs: 5, retryMaxWaitMs: 100 } },
  });
  c.io.logger = captured.logger;
  const code = await c.run(...argv);
  outputs.push(`$ logusage ${argv.join(' ')} → ${code}\n${c.out()}\n${c.err()}`);
  return code;
}

beforeAll(async () => {
  const days = daysInRange(FIRST, DAY);
  w = await createWorld({
    logger: captured.logger,
    data: buildData({
      logs: 6,
      days,
      bytes: (i, d) => Math.round((i + 1) * 1e9 * (1 + 0.02 * Math.sin(days.indexOf(d) + i)) * (i === 0 && d >= '2026-03-08' ? 5 : 1)),
    }),
  });
  w.settings.rapid7.baseUrl = credentialedUrl(w.sim.url);

  // Collections through rate limits, resets and 5xx; then one with the names refused.
  w.sim.inject(
    { path: '/usage/organizations/logs', status: 429, headers: { 'Retry-After': '1' } },
    { path: '/usage/organizations/logs', destroy: true },
    { path: '/management/logs', status: 503 },
    { path: '/usage/organizations', truncateAt: 20 },
  );
  expect(await cli('collect', '--from', FIRST, '--to', '2026-03-07')).toBe(0);

  // Daily runs with Slack failing for a while, then a revoked key: errors reach Slack and people.
  w.slack.fail('chat.postMessage', { kind: 'http', status: 500 }, 2);
  w.slack.fail('chat.postMessage', { kind: 'ratelimit', retryAfter: 1 }, 1);
  await w.runDay('2026-03-08');
  w.sim.setApiKey('rotated-by-an-admin');
  await expect(w.runDay('2026-03-09')).rejects.toMatchObject({ code: 'RAPID7_UNAUTHORIZED' });
  expect(await cli('collect')).toBe(1);
  expect(await cli('status')).toBe(0);
  expect(await cli('status', '--json')).toBe(0);

  // The Slack app: answers, a refresh that fails on the revoked key, a forged request.
  const settings = readSettings(
    {
      SLACK_BOT_TOKEN: WORLD_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING,
      SLACK_API_URL: w.slack.apiUrl,
      SLACK_ALERT_CHANNEL: WORLD_ALERTS,
      LOGUSAGE_ADMINS: ADMIN,
      LOG_LEVEL: 'trace',
    },
    { rapid7: { ...w.settings.rapid7 } },
  );
  app = createSlackApp({
    settings,
    db: w.db,
    logger: captured.logger,
    now: () => new Date(`${DAY}T08:00:00Z`),
    clientOptions: CALL_ONCE,
    features: {
      refresh: async () => {
        const r = await runCollect({
          db: w.db,
          client: createRapid7FromSettings(settings, captured.logger),
          logger: captured.logger,
          now: () => new Date(`${DAY}T08:00:00Z`),
        });
        return `Collected ${r.usageRows} values.`;
      },
    },
  });
  const { port } = await app.start(0);
  appUrl = `http://127.0.0.1:${port}/slack/events`;
  for (const [text, user] of [
    ['refresh', ADMIN],
    ['status', ADMIN],
    ['summary', 'UUSER0001'],
    ['budget set 1TB/month', 'UUSER0001'],
    ['log log-0', 'UUSER0001'],
  ] as const) {
    const rid = `secret-${outputs.length}`;
    const res = await sendSlashCommand(appUrl, SIGNING, { text, user_id: user, response_url: w.slack.responseUrl(rid) });
    outputs.push(`/logusage ${text} → ${res.status} ${res.text}`);
    if (!res.json?.text) await w.slack.waitFor(() => w.slack.responses(rid).length >= (text === 'refresh' ? 2 : 1), 10_000);
  }
  const forged = await sendSlashCommand(appUrl, 'guessed-secret', {
    text: 'mute log-0',
    user_id: ADMIN,
    response_url: w.slack.responseUrl('forged'),
  });
  expect(forged.status).toBe(401);
  w.sim.setApiKey(WORLD_KEY);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await w?.close();
});

function expectClean(what: string, text: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${what} contains ${s}`).toBe(false);
}

describe('secrets on a hostile day', () => {
  it('the day really happened: retries logged, errors told to Slack and to people', () => {
    const logs = captured.logs.text();
    expect(logs).toContain('Rapid7 request failed; retrying');
    expect(logs).toContain('RAPID7_UNAUTHORIZED');
    const all = outputs.join('\n');
    expect(all).toMatch(/error: Rapid7 refused the API key \(401 Unauthorized\)/);
    expect(JSON.stringify(w.slack.responses())).toMatch(/Collection failed: Rapid7 refused the API key/);
    expect(
      w.slack.messages.some((m) => m.channel === WORLD_ALERTS && m.text?.startsWith('The daily logusage run for 2026-03-09 failed')),
    ).toBe(true);
    expect(w.slack.calls.filter((c) => c.fault).length).toBeGreaterThanOrEqual(3);
  });

  it('no log line holds a secret (the logger does not mask: the code never hands one over)', () => {
    expect(captured.logs.lines.length).toBeGreaterThan(20);
    expectClean('the logs', captured.logs.text());
  });

  it('no CLI output or error, `status` text or `status --json`, holds a secret', () => {
    expect(outputs.some((o) => o.startsWith('$ logusage status --json → 0\n{'))).toBe(true);
    expectClean('the CLI output', outputs.join('\n'));
  });

  it('nothing Slack received holds a secret, outside the bot token in its own Authorization header', () => {
    expect(w.slack.calls.length).toBeGreaterThan(5);
    for (const c of w.slack.calls) {
      const { authorization, ...headers } = c.headers;
      if (authorization !== undefined) expect(authorization).toBe(`Bearer ${WORLD_TOKEN}`);
      expectClean(`${c.method} body`, JSON.stringify(c.body));
      expectClean(`${c.method} headers`, JSON.stringify(headers));
    }
  });

  it('the database file, its -wal and -shm hold no secret', () => {
    const bytes = databaseBytes(w.dbPath);
    expect(bytes.length).toBeGreaterThan(100_000);
    for (const s of SECRETS) {
      expect(bytes.includes(Buffer.from(s, 'utf8')), `database contains ${s}`).toBe(false);
      expect(bytes.includes(Buffer.from(s, 'utf16le')), `database contains ${s} (UTF-16)`).toBe(false);
    }
  });
});
