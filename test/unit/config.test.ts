import { describe, expect, it } from 'vitest';
import { ENV_HELP, readSettings, requireSettings } from '../../src/config.js';
import type { AppError } from '../../src/errors.js';
import { thrown } from '../support/errors.js';

function settingsError(env: Record<string, string>): AppError {
  return thrown(() => readSettings(env));
}

describe('readSettings', () => {
  it('gives the documented defaults for an empty environment', () => {
    const s = readSettings({});
    expect(s.rapid7).toMatchObject({
      apiKey: undefined,
      region: 'us',
      baseUrl: 'https://us.rest.logs.insight.rapid7.com',
      timeoutMs: 30_000,
    });
    expect(s.slack).toEqual({
      botToken: undefined,
      signingSecret: undefined,
      appToken: undefined,
      apiUrl: 'https://slack.com/api/',
      alertChannel: undefined,
      digestChannel: undefined,
      admins: [],
    });
    expect(s.databasePath).toBe('./data/logusage.db');
    expect(s.schedule).toBe('30 6 * * *');
    expect(s.timezone).toBe('UTC');
    expect(s.monthlyBudget).toBeUndefined();
    expect(s.port).toBe(3000);
    expect(s.logLevel).toBe('info');
    expect(s.weeklyDigest).toBe(false);
    expect(s.watchInternalLogs).toBe(false);
    expect(s.coldStartDays).toBe(14);
  });

  it('reads every setting', () => {
    const s = readSettings({
      RAPID7_API_KEY: ' key-1234 ',
      RAPID7_REGION: 'EU',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_APP_TOKEN: 'xapp-1-2',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      SLACK_ALERT_CHANNEL: 'C0123ABC',
      SLACK_DIGEST_CHANNEL: 'C0456DEF',
      LOGUSAGE_ADMINS: 'U01AAA, U02BBB W03CCC',
      DATABASE_PATH: '/var/lib/logusage/db.sqlite',
      SCHEDULE: '0 7 * * 1-5',
      TIMEZONE: 'Europe/Berlin',
      MONTHLY_BUDGET: '30 TB/month',
      PORT: '8080',
      LOG_LEVEL: 'DEBUG',
      WEEKLY_DIGEST: 'yes',
      WATCH_INTERNAL_LOGS: 'true',
      COLD_START_DAYS: '21',
      RAPID7_TIMEOUT_MS: '5000',
    });
    expect(s.rapid7).toMatchObject({
      apiKey: 'key-1234',
      region: 'eu',
      baseUrl: 'https://eu.rest.logs.insight.rapid7.com',
      timeoutMs: 5000,
    });
    expect(s.slack).toEqual({
      botToken: 'xoxb-1-2',
      signingSecret: 'shh',
      appToken: 'xapp-1-2',
      apiUrl: 'http://127.0.0.1:9999/api/',
      alertChannel: 'C0123ABC',
      digestChannel: 'C0456DEF',
      admins: ['U01AAA', 'U02BBB', 'W03CCC'],
    });
    expect(s).toMatchObject({
      databasePath: '/var/lib/logusage/db.sqlite',
      schedule: '0 7 * * 1-5',
      timezone: 'Europe/Berlin',
      monthlyBudget: 30e12,
      port: 8080,
      logLevel: 'debug',
      weeklyDigest: true,
      watchInternalLogs: true,
      coldStartDays: 21,
    });
  });

  it('prefers RAPID7_BASE_URL over the region and drops its trailing slashes', () => {
    expect(readSettings({ RAPID7_REGION: 'ap', RAPID7_BASE_URL: 'https://ap.api.insight.rapid7.com/log_search//' }).rapid7.baseUrl).toBe(
      'https://ap.api.insight.rapid7.com/log_search',
    );
  });

  it('uses the alert channel for the digest when no digest channel is set', () => {
    expect(readSettings({ SLACK_ALERT_CHANNEL: 'C0AAA' }).slack.digestChannel).toBe('C0AAA');
  });

  it('treats blank values as unset', () => {
    const s = readSettings({ RAPID7_REGION: '  ', PORT: '', MONTHLY_BUDGET: ' ' });
    expect(s.rapid7.region).toBe('us');
    expect(s.port).toBe(3000);
    expect(s.monthlyBudget).toBeUndefined();
  });

  it('lists every bad variable in one message, each with what is expected, and exits with code 2', () => {
    const bad = {
      RAPID7_REGION: 'mars',
      RAPID7_BASE_URL: 'ftp://example.com',
      SLACK_BOT_TOKEN: 'xoxp-user-token-secret',
      SLACK_APP_TOKEN: 'not-an-app-token-secret',
      SLACK_API_URL: 'slack dot com',
      SLACK_ALERT_CHANNEL: '#general',
      SLACK_DIGEST_CHANNEL: 'general',
      LOGUSAGE_ADMINS: 'U01AAA,bob',
      SCHEDULE: 'every morning',
      TIMEZONE: 'Mars/Olympus',
      MONTHLY_BUDGET: 'lots',
      PORT: '99999',
      LOG_LEVEL: 'loud',
      WEEKLY_DIGEST: 'maybe',
      WATCH_INTERNAL_LOGS: 'sometimes',
      COLD_START_DAYS: '0',
      RAPID7_TIMEOUT_MS: 'fast',
    };
    const err = settingsError(bad);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    const lines = err.message.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toHaveLength(Object.keys(bad).length);
    for (const name of Object.keys(bad)) {
      const line = lines.find((l) => l.startsWith(`  - ${name}`));
      expect(line, name).toBeDefined();
      expect(line).toContain(`expected ${ENV_HELP[name]}`);
    }
    expect(err.message).toContain('RAPID7_REGION="mars"');
    expect(err.message).toContain('(not user ids: bob)');
    // Token values are never echoed.
    expect(err.message).not.toContain('xoxp-user-token-secret');
    expect(err.message).not.toContain('not-an-app-token-secret');
  });

  it.each([
    ['MONTHLY_BUDGET', '0 GB'],
    ['MONTHLY_BUDGET', '30'],
    ['MONTHLY_BUDGET', '30 Tbit'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['COLD_START_DAYS', '366'],
    ['RAPID7_TIMEOUT_MS', '0'],
    ['SCHEDULE', '* * * *'],
    ['TIMEZONE', 'UTC+2'],
  ])('rejects %s=%s', (name, value) => {
    expect(settingsError({ [name]: value }).message).toContain(`${name}="${value}"`);
  });

  it('shortens very long bad values in the message', () => {
    const err = settingsError({ TIMEZONE: 'x'.repeat(300) });
    expect(err.message).toContain(`TIMEZONE="${'x'.repeat(60)}…"`);
  });

  it('merges overrides group by group', () => {
    const s = readSettings({ RAPID7_REGION: 'eu', SLACK_ALERT_CHANNEL: 'C0AAA' }, { rapid7: { retryBaseMs: 10 }, port: 0 });
    expect(s.rapid7.retryBaseMs).toBe(10);
    expect(s.rapid7.region).toBe('eu');
    expect(s.rapid7.maxRetries).toBe(4);
    expect(s.slack.alertChannel).toBe('C0AAA');
    expect(s.port).toBe(0);
  });
});

describe('requireSettings', () => {
  it('lists what a command needs and the settings lack, with exit code 2', () => {
    const s = readSettings({});
    const err = thrown(() => requireSettings(s, ['rapid7', 'slackHttp']));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    for (const name of ['RAPID7_API_KEY', 'SLACK_BOT_TOKEN', 'SLACK_ALERT_CHANNEL', 'SLACK_SIGNING_SECRET'])
      expect(err.message).toContain(name);
  });

  it('passes when everything needed is there', () => {
    const s = readSettings({ RAPID7_API_KEY: 'k', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_ALERT_CHANNEL: 'C0AAA', SLACK_APP_TOKEN: 'xapp-1' });
    expect(() => requireSettings(s, ['rapid7', 'slack', 'slackHttp'])).not.toThrow();
  });
});
