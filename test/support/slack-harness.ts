/**
 * Test harness: the REAL Bolt app (createSlackApp) on 127.0.0.1:0 with its Web API pointed at the fake
 * Slack, a real SQLite database with the real migrations, and a seeded usage history.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { readSettings } from '../../src/config.js';
import { addDays, type Day, daysInRange, weekdayOf } from '../../src/days.js';
import type { Finding } from '../../src/detect/types.js';
import { createSilentLogger, type Logger } from '../../src/logger.js';
import { createSlackApp, type SlackApp, type SlackAppDeps } from '../../src/slack/app.js';
import { insertAlert } from '../../src/store/alerts.js';
import { type Db, openDb } from '../../src/store/db.js';
import { type ManagedLog, type UsageRow, writeCollection } from '../../src/store/usage.js';
import {
  type BlockActionFields,
  CALL_ONCE,
  type FakeSlack,
  type SignOptions,
  type SlackPostResult,
  sendBlockAction,
  sendInteraction,
  sendSlashCommand,
  startFakeSlack,
} from './fake-slack.js';

export const SECRET = 'test-signing-secret';
export const ADMIN = 'UADMIN001';
export const USER = 'UUSER0001';
export const CHANNEL = 'C0CHAN001';
/** The newest collected day of seeded histories; "now" is the next morning. */
export const LAST_DAY: Day = '2026-03-10';
export const NOW = new Date('2026-03-11T08:00:00.000Z');

export interface SeedLog {
  id: string;
  name: string;
  logsets?: string[];
  /** Bytes on a weekday; weekends get 40 %. */
  base: number;
  /** Overrides for single days. */
  days?: Record<Day, number>;
}

/** The logs most Slack tests seed; a test gives one its own last day with `onLastDay`. */
export const FIREWALL_EU: SeedLog = { id: 'aaaa-1111', name: 'firewall-eu', logsets: ['Firewalls'], base: 50e9 };
export const FIREWALL_US: SeedLog = { id: 'bbbb-2222', name: 'firewall-us', logsets: ['Firewalls'], base: 40e9 };
export const WEB_PROXY: SeedLog = { id: 'cccc-3333', name: 'web proxy', logsets: ['Proxies'], base: 10e9 };
/** A log whose name and log set would ping a channel and a user if a message carried them raw. */
export const MENTION_LOG: SeedLog = { id: 'dddd-4444', name: '<!channel> & <@UEVIL0001>', logsets: ['<!here> set'], base: 5e9 };

/** `log` with `bytes` on LAST_DAY. */
export function onLastDay(log: SeedLog, bytes: number): SeedLog {
  return { ...log, days: { [LAST_DAY]: bytes } };
}

/** Writes `days` of history ending LAST_DAY for these logs (org totals = sum), in one collection. */
export function seedHistory(db: Db, logs: SeedLog[], days = 60, end: Day = LAST_DAY): void {
  const range = daysInRange(addDays(end, -(days - 1)), end);
  const usage: UsageRow[] = [];
  const org = new Map<Day, number>();
  for (const l of logs) {
    for (const [i, d] of range.entries()) {
      const w = weekdayOf(d);
      const wiggle = 1 + 0.03 * Math.sin(i * 1.7 + l.base);
      const bytes = l.days?.[d] ?? Math.round(l.base * (w === 0 || w === 6 ? 0.4 : 1) * wiggle);
      usage.push({ logId: l.id, day: d, bytes });
      org.set(d, (org.get(d) ?? 0) + bytes);
    }
  }
  const managedLogs: ManagedLog[] = logs.map((l) => ({
    id: l.id,
    name: l.name,
    logsets: (l.logsets ?? []).map((n) => ({ id: `set-${n}`, name: n })),
  }));
  writeCollection(db, {
    observedDays: range,
    source: 'api',
    usage,
    managedLogs,
    orgDaily: [...org].map(([day, bytes]) => ({ day, bytes })),
    now: NOW.toISOString(),
  });
}

export interface Harness {
  fake: FakeSlack;
  db: Db;
  app: SlackApp;
  url: string;
  /** Sends `/logusage <text>`; response_url is on the fake with id `rid`. */
  command(text: string, opts?: { user?: string; channel?: string; rid?: string; sign?: SignOptions }): Promise<SlackPostResult>;
  /** Sends a command and waits for its first response_url answer (or returns the ack body when answered in the ack). */
  ask(text: string, opts?: { user?: string; channel?: string }): Promise<{ text: string; blocks: unknown[]; raw: Record<string, unknown> }>;
  click(f: Omit<BlockActionFields, 'responseUrl'> & { rid?: string }, sign?: SignOptions): Promise<SlackPostResult>;
  /** Sends a signed interaction payload (a view submission, a block action in a view, a type-ahead) as Slack does. */
  interact(payload: Record<string, unknown>, sign?: SignOptions): Promise<SlackPostResult>;
  close(): Promise<void>;
}

let ridCounter = 0;

type HarnessOptions = { admins?: string; db?: Db; logger?: Logger; env?: Record<string, string>; deps?: Partial<SlackAppDeps> };

/**
 * The harness of one test file: started with `logs` seeded (`days` of history ending LAST_DAY) before the first
 * test, the fake Slack's record cleared before each test, closed after the last. The object is filled in by the
 * `beforeAll` hook, so a test file holds it from the start.
 */
export function useHarness(logs: SeedLog[], o: HarnessOptions & { days?: number } = {}): Harness {
  const { days, ...opts } = o;
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(opts));
    seedHistory(h.db, logs, days);
  });
  // A harness that failed to start has nothing to close; the hook's own error is the one to read.
  afterAll(async () => {
    if ('close' in h) await h.close();
  });
  beforeEach(() => h.fake.reset());
  return h;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack({ token: 'xoxb-test-token' });
  const db = opts.db ?? openDb(':memory:');
  const settings = readSettings({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_ALERT_CHANNEL: 'C0ALERTS1',
    LOGUSAGE_ADMINS: opts.admins ?? ADMIN,
    PORT: '0',
    ...opts.env,
  });
  const app = createSlackApp({
    settings,
    db,
    logger: opts.logger ?? createSilentLogger(),
    now: () => NOW,
    clientOptions: CALL_ONCE,
    ...opts.deps,
  });
  const { port } = await app.start(0);
  const url = `http://127.0.0.1:${port}/slack/events`;
  const command: Harness['command'] = (text, o = {}) =>
    sendSlashCommand(
      url,
      SECRET,
      { text, user_id: o.user ?? ADMIN, channel_id: o.channel ?? CHANNEL, response_url: fake.responseUrl(o.rid ?? `r${++ridCounter}`) },
      o.sign,
    );
  return {
    fake,
    db,
    app,
    url,
    command,
    async ask(text, o = {}) {
      const rid = `ask${++ridCounter}`;
      const res = await command(text, { ...o, rid });
      if (res.status !== 200) throw new Error(`slash command answered HTTP ${res.status}: ${res.text}`);
      if (res.json && (res.json.text || res.json.blocks)) {
        return { text: String(res.json.text ?? ''), blocks: (res.json.blocks as unknown[]) ?? [], raw: res.json };
      }
      await fake.waitFor(() => fake.responses(rid).length > 0, 10_000);
      const body = fake.responses(rid)[0] as Record<string, unknown>;
      return { text: String(body.text ?? ''), blocks: (body.blocks as unknown[]) ?? [], raw: body };
    },
    click(f, sign) {
      return sendBlockAction(url, SECRET, { ...f, responseUrl: fake.responseUrl(f.rid ?? `c${++ridCounter}`) }, sign);
    },
    interact(payload, sign) {
      return sendInteraction(url, SECRET, payload, sign);
    },
    async close() {
      await app.stop();
      await fake.close();
      if (!opts.db) db.close();
    },
  };
}

export interface SocketHarness {
  fake: FakeSlack;
  db: Db;
  app: SlackApp;
  close(): Promise<void>;
}

/**
 * The real Bolt app in Socket Mode (an app token, no signing secret), connected to a fresh fake Slack's WebSocket,
 * with an in-memory database holding `logs` (40 days ending LAST_DAY).
 */
export async function startSocketHarness(logs: SeedLog[]): Promise<SocketHarness> {
  const fake = await startFakeSlack();
  const db = openDb(':memory:');
  seedHistory(db, logs, 40);
  const app = createSlackApp({
    settings: readSettings({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_API_URL: fake.apiUrl,
      LOGUSAGE_ADMINS: ADMIN,
    }),
    db,
    logger: createSilentLogger(),
    now: () => NOW,
    port: 0,
    clientOptions: CALL_ONCE,
  });
  await app.start();
  return {
    fake,
    db,
    app,
    async close() {
      await app.stop();
      await fake.close();
      db.close();
    },
  };
}

/** All visible text of a message's blocks, joined (for assertions). */
export function blockText(blocks: unknown[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string') out.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(blocks);
  return out.join('\n');
}

export interface SeedAlert {
  logId: string;
  logName: string;
  logsets?: string[];
  kind?: 'spike' | 'drop';
  /** Default LAST_DAY. */
  day?: Day;
  /** Default C0ALERTS1, the harness's alert channel. */
  channel?: string;
  /** Default `log:<logId>`. */
  episodeKey?: string;
  /** Figures and reason beside the default 45 GB against a usual 10 GB (band 8–12 GB). */
  finding?: Partial<Finding>;
}

/** firewall-eu's spike of 2026-03-09 in CHANNEL, for tests of the alert buttons (the figures do not matter there). */
export const FIREWALL_ALERT: SeedAlert = {
  logId: 'aaaa-1111',
  logName: 'firewall-eu',
  logsets: ['Firewalls'],
  day: '2026-03-09',
  channel: CHANNEL,
};

/** Stores an open alert of one log as the alert stage would (no message is posted); returns its id. */
export function seedAlert(db: Db, a: SeedAlert): number {
  const day = a.day ?? LAST_DAY;
  const kind = a.kind ?? 'spike';
  return insertAlert(db, {
    episodeKey: a.episodeKey ?? `log:${a.logId}`,
    scope: 'log',
    logId: a.logId,
    target: null,
    kind,
    status: 'open',
    day,
    channel: a.channel ?? 'C0ALERTS1',
    finding: {
      day,
      kind,
      scope: 'log',
      logId: a.logId,
      logName: a.logName,
      logsets: a.logsets ?? [],
      value: 45e9,
      expected: 10e9,
      low: 8e9,
      high: 12e9,
      score: 4,
      reason: `${a.logName} spiked`,
      changeBytes: 35e9,
      changePct: 350,
      ...a.finding,
    },
    now: NOW.toISOString(),
  });
}
