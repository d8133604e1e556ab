/**
 * Pure: an environment record → validated settings. Every problem is reported at once.
 * Defaults ← env ← overrides (overrides are for tests and the demo).
 */
import { isDay } from './days.js';
import { AppError } from './errors.js';
import { bytesFor, DEFAULT_CURRENCY, isCurrencyCode, looksLikeMoney, type Price, parseMoney, parsePrice } from './money.js';
import { parseSize, SIZE_EXAMPLE } from './units.js';

export const REGIONS = ['us', 'us2', 'us3', 'eu', 'ca', 'au', 'ap'] as const;
export type Region = (typeof REGIONS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Settings {
  rapid7: {
    apiKey: string | undefined;
    region: Region;
    baseUrl: string;
    /** Per-request timeout, ms. */
    timeoutMs: number;
    /** Retries after the first attempt for 429 / 5xx / network errors. */
    maxRetries: number;
    /** First backoff delay, ms (doubles each retry). */
    retryBaseMs: number;
    /** Longest wait honoured from Retry-After / X-RateLimit-Reset, ms. */
    retryMaxWaitMs: number;
  };
  slack: {
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    alertChannel: string | undefined;
    digestChannel: string | undefined;
    admins: string[];
  };
  databasePath: string;
  schedule: string;
  timezone: string;
  /** Bytes per month, or undefined when no budget is set (a money budget is turned into bytes at the price). */
  monthlyBudget: number | undefined;
  /** MONTHLY_BUDGET as written when it was a money amount (shown beside the bytes). */
  monthlyBudgetMoney?: number | undefined;
  /** PRICE_PER_GB in CURRENCY, or undefined: no money is shown anywhere (SPEC §2). */
  price: Price | undefined;
  /** ISO 4217 code money is shown in (CURRENCY, default USD). */
  currency: string;
  /** Ask Log Search for the cause inside a log (SPEC §6.6). */
  rootCause: boolean;
  port: number;
  logLevel: LogLevel;
  /** Post a weekly digest on Mondays as well as the daily one. */
  weeklyDigest: boolean;
  /** Alert on Rapid7's platform-internal logs too (SPEC §4); default false: thresholds only. */
  watchInternalLogs: boolean;
  /** Days of history a log needs before statistical findings (spike/drop/silent). */
  coldStartDays: number;
  /** Consecutive normal days after which an open alert is marked resolved. */
  resolveAfterDays: number;
  /** Organisation holidays (SPEC §2, §6.4): `YYYY-MM-DD` dates and every-year `MM-DD` dates. */
  holidays: string[];
}

export type Env = Record<string, string | undefined>;

/** Settings that tests and the demo replace after the environment is read; nested groups merge key by key. */
export type SettingsOverrides = Partial<Omit<Settings, 'rapid7' | 'slack'>> & {
  rapid7?: Partial<Settings['rapid7']>;
  slack?: Partial<Settings['slack']>;
};

export const ENV_HELP: Record<string, string> = {
  RAPID7_API_KEY: 'a Rapid7 API key with Read/Write (or organisation) rights',
  RAPID7_REGION: `one of ${REGIONS.join(', ')}`,
  RAPID7_BASE_URL: 'an http(s) URL such as https://eu.rest.logs.insight.rapid7.com',
  SLACK_BOT_TOKEN: 'a bot token starting with xoxb-',
  SLACK_SIGNING_SECRET: "the app's signing secret (Basic Information page)",
  SLACK_APP_TOKEN: 'an app-level token starting with xapp- (Socket Mode)',
  SLACK_API_URL: 'an http(s) URL ending in /api/, default https://slack.com/api/',
  SLACK_ALERT_CHANNEL: 'a channel id such as C0123456789',
  SLACK_DIGEST_CHANNEL: 'a channel id such as C0123456789',
  LOGUSAGE_ADMINS: 'comma-separated Slack user ids such as U0123ABC,U0456DEF',
  DATABASE_PATH: 'a file path such as ./data/logusage.db',
  SCHEDULE: 'a cron expression such as "30 6 * * *"',
  TIMEZONE: 'an IANA time zone such as Europe/Berlin',
  MONTHLY_BUDGET: `a size per month such as ${SIZE_EXAMPLE}, or a money amount such as 12000 USD or $12,000 (needs PRICE_PER_GB)`,
  PRICE_PER_GB: 'the price of one ingested GB (10^9 bytes) such as 0.35 (in CURRENCY)',
  CURRENCY: 'an ISO 4217 currency code such as USD, EUR or CHF',
  ROOT_CAUSE: 'true or false',
  PORT: 'a port number from 0 to 65535 (0 = any free port)',
  LOG_LEVEL: LOG_LEVELS.join(', '),
  WEEKLY_DIGEST: 'true or false',
  WATCH_INTERNAL_LOGS: 'true or false',
  COLD_START_DAYS: 'a whole number of days from 1 to 365',
  RESOLVE_AFTER_DAYS: 'a whole number of days from 1 to 30',
  RAPID7_TIMEOUT_MS: 'milliseconds from 1 to 600000, default 30000',
  HOLIDAYS: 'comma-separated dates YYYY-MM-DD or MM-DD (every year), such as 12-25,01-01,2026-04-03',
};

/** `HOLIDAYS` items: the valid ones, and the ones that are not a date. */
export function parseHolidays(raw: string | undefined): { holidays: string[]; invalid: string[] } {
  const holidays: string[] = [];
  const invalid: string[] = [];
  for (const item of (raw ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    // MM-DD of every year: checked against a leap year so that 02-29 is allowed.
    if (/^\d{4}-\d{2}-\d{2}$/.test(item) ? isDay(item) : /^\d{2}-\d{2}$/.test(item) && isDay(`2024-${item}`)) holidays.push(item);
    else invalid.push(item);
  }
  return { holidays, invalid };
}

const CHANNEL_RE = /^[CGD][A-Z0-9]{2,}$/;
const USER_RE = /^[UW][A-Z0-9]{2,}$/;

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A cron expression of 5 or 6 fields with characters node-cron accepts (node-cron validates fully at schedule time). */
export function looksLikeCron(expr: string): boolean {
  const parts = expr.trim().split(/\s+/);
  if (parts.length < 5 || parts.length > 6) return false;
  return parts.every((p) => /^[0-9*,/\-A-Za-z?]+$/.test(p));
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function intSetting(v: string | undefined, def: number, min: number, max: number): number | undefined {
  if (v === undefined || v.trim() === '') return def;
  if (!/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return n >= min && n <= max ? n : undefined;
}

export function readSettings(env: Env, overrides: SettingsOverrides = {}): Settings {
  const problems: string[] = [];
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const bad = (k: string, got: string | undefined, extra = '') =>
    problems.push(
      `${k}${got === undefined ? '' : `="${got.length > 60 ? `${got.slice(0, 60)}…` : got}"`}: expected ${ENV_HELP[k] ?? 'a valid value'}${extra}`,
    );

  const region = (get('RAPID7_REGION') ?? 'us').toLowerCase();
  if (!(REGIONS as readonly string[]).includes(region)) bad('RAPID7_REGION', get('RAPID7_REGION'));
  const baseUrlRaw = get('RAPID7_BASE_URL');
  if (baseUrlRaw !== undefined && !isHttpUrl(baseUrlRaw)) bad('RAPID7_BASE_URL', baseUrlRaw);
  const baseUrl = (baseUrlRaw ?? `https://${region}.rest.logs.insight.rapid7.com`).replace(/\/+$/, '');

  const botToken = get('SLACK_BOT_TOKEN');
  if (botToken !== undefined && !botToken.startsWith('xoxb-')) bad('SLACK_BOT_TOKEN', undefined, ' (the value is hidden)');
  const appToken = get('SLACK_APP_TOKEN');
  if (appToken !== undefined && !appToken.startsWith('xapp-')) bad('SLACK_APP_TOKEN', undefined, ' (the value is hidden)');
  const apiUrlRaw = get('SLACK_API_URL');
  if (apiUrlRaw !== undefined && !isHttpUrl(apiUrlRaw)) bad('SLACK_API_URL', apiUrlRaw);
  const apiUrl = apiUrlRaw === undefined ? 'https://slack.com/api/' : apiUrlRaw.replace(/\/*$/, '/');
  const alertChannel = get('SLACK_ALERT_CHANNEL');
  if (alertChannel !== undefined && !CHANNEL_RE.test(alertChannel)) bad('SLACK_ALERT_CHANNEL', alertChannel);
  const digestChannel = get('SLACK_DIGEST_CHANNEL');
  if (digestChannel !== undefined && !CHANNEL_RE.test(digestChannel)) bad('SLACK_DIGEST_CHANNEL', digestChannel);
  const adminsRaw = get('LOGUSAGE_ADMINS');
  const admins = (adminsRaw ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const badAdmins = admins.filter((a) => !USER_RE.test(a));
  if (badAdmins.length > 0) bad('LOGUSAGE_ADMINS', adminsRaw, ` (not user ids: ${badAdmins.join(', ')})`);

  const schedule = get('SCHEDULE') ?? '30 6 * * *';
  if (!looksLikeCron(schedule)) bad('SCHEDULE', schedule);
  const timezone = get('TIMEZONE') ?? 'UTC';
  if (!isValidTimezone(timezone)) bad('TIMEZONE', timezone);

  const currency = (get('CURRENCY') ?? DEFAULT_CURRENCY).toUpperCase();
  if (!isCurrencyCode(currency)) bad('CURRENCY', get('CURRENCY'));
  let price: Price | undefined;
  const priceRaw = get('PRICE_PER_GB');
  if (priceRaw !== undefined) {
    const r = parsePrice(priceRaw, currency);
    if (r.ok && r.value.currency === currency) price = r.value;
    else bad('PRICE_PER_GB', priceRaw, r.ok ? ` (it is in ${r.value.currency} but CURRENCY is ${currency})` : '');
  }
  let monthlyBudget: number | undefined;
  let monthlyBudgetMoney: number | undefined;
  const budgetRaw = get('MONTHLY_BUDGET');
  if (budgetRaw !== undefined) {
    const text = budgetRaw.replace(/\s*\/\s*(month|mo)$/i, '');
    if (looksLikeMoney(text)) {
      const m = parseMoney(text, { expectCurrency: currency });
      if (!m.ok || !(m.value.amount > 0)) bad('MONTHLY_BUDGET', budgetRaw, m.ok ? '' : ` (${m.error})`);
      else if (!price) bad('MONTHLY_BUDGET', budgetRaw, ' (a budget in money needs PRICE_PER_GB to turn it into bytes)');
      else {
        monthlyBudgetMoney = m.value.amount;
        monthlyBudget = bytesFor(m.value.amount, price);
      }
    } else {
      const r = parseSize(text);
      if (r.ok && r.value > 0) monthlyBudget = r.value;
      else bad('MONTHLY_BUDGET', budgetRaw);
    }
  }
  const rootCauseRaw = (get('ROOT_CAUSE') ?? 'true').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(rootCauseRaw)) bad('ROOT_CAUSE', get('ROOT_CAUSE'));
  const port = intSetting(get('PORT'), 3000, 0, 65535);
  if (port === undefined) bad('PORT', get('PORT'));
  const logLevel = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) bad('LOG_LEVEL', get('LOG_LEVEL'));
  const weeklyRaw = (get('WEEKLY_DIGEST') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(weeklyRaw)) bad('WEEKLY_DIGEST', get('WEEKLY_DIGEST'));
  const internalRaw = (get('WATCH_INTERNAL_LOGS') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(internalRaw)) bad('WATCH_INTERNAL_LOGS', get('WATCH_INTERNAL_LOGS'));
  const coldStartDays = intSetting(get('COLD_START_DAYS'), 14, 1, 365);
  if (coldStartDays === undefined) bad('COLD_START_DAYS', get('COLD_START_DAYS'));
  const resolveAfterDays = intSetting(get('RESOLVE_AFTER_DAYS'), 2, 1, 30);
  if (resolveAfterDays === undefined) bad('RESOLVE_AFTER_DAYS', get('RESOLVE_AFTER_DAYS'));
  const holidays = parseHolidays(get('HOLIDAYS'));
  if (holidays.invalid.length > 0) bad('HOLIDAYS', get('HOLIDAYS'), ` (not a date: ${holidays.invalid.slice(0, 3).join(', ')})`);
  const timeoutMs = intSetting(get('RAPID7_TIMEOUT_MS'), 30_000, 1, 600_000);
  if (timeoutMs === undefined) bad('RAPID7_TIMEOUT_MS', get('RAPID7_TIMEOUT_MS'));

  if (problems.length > 0) {
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid settings (fix them in the environment or .env, see .env.example):\n  - ${problems.join('\n  - ')}`,
      { exitCode: 2 },
    );
  }

  const settings: Settings = {
    rapid7: {
      apiKey: get('RAPID7_API_KEY'),
      region: region as Region,
      baseUrl,
      timeoutMs: timeoutMs ?? 30_000,
      maxRetries: 4,
      retryBaseMs: 1_000,
      retryMaxWaitMs: 120_000,
    },
    slack: {
      botToken,
      signingSecret: get('SLACK_SIGNING_SECRET'),
      appToken,
      apiUrl,
      alertChannel,
      digestChannel: digestChannel ?? alertChannel,
      admins,
    },
    databasePath: get('DATABASE_PATH') ?? './data/logusage.db',
    schedule,
    timezone,
    monthlyBudget,
    ...(monthlyBudgetMoney === undefined ? {} : { monthlyBudgetMoney }),
    price,
    currency,
    rootCause: ['true', '1', 'yes'].includes(rootCauseRaw),
    port: port ?? 3000,
    logLevel: logLevel as LogLevel,
    weeklyDigest: ['true', '1', 'yes'].includes(weeklyRaw),
    watchInternalLogs: ['true', '1', 'yes'].includes(internalRaw),
    coldStartDays: coldStartDays ?? 14,
    resolveAfterDays: resolveAfterDays ?? 2,
    holidays: holidays.holidays,
  };
  return {
    ...settings,
    ...overrides,
    rapid7: { ...settings.rapid7, ...overrides.rapid7 },
    slack: { ...settings.slack, ...overrides.slack },
  };
}

/** What a command needs that the settings lack; thrown before any work starts. */
export function requireSettings(settings: Settings, needs: Array<'rapid7' | 'slack' | 'slackHttp'>): void {
  const missing: string[] = [];
  if (needs.includes('rapid7') && !settings.rapid7.apiKey) missing.push(`RAPID7_API_KEY: expected ${ENV_HELP.RAPID7_API_KEY}`);
  if (needs.includes('slack') || needs.includes('slackHttp')) {
    if (!settings.slack.botToken) missing.push(`SLACK_BOT_TOKEN: expected ${ENV_HELP.SLACK_BOT_TOKEN}`);
    if (!settings.slack.alertChannel) missing.push(`SLACK_ALERT_CHANNEL: expected ${ENV_HELP.SLACK_ALERT_CHANNEL}`);
  }
  if (needs.includes('slackHttp') && !settings.slack.appToken && !settings.slack.signingSecret) {
    missing.push(`SLACK_SIGNING_SECRET: expected ${ENV_HELP.SLACK_SIGNING_SECRET} (or set SLACK_APP_TOKEN for Socket Mode)`);
  }
  if (missing.length > 0) {
    throw new AppError('CONFIG_INVALID', `Missing settings (see .env.example):\n  - ${missing.join('\n  - ')}`, {
      exitCode: 2,
    });
  }
}
