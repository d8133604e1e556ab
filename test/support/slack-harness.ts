/**
 * Test harness: the REAL Bolt app (createSlackApp) on 127.0.0.1:0 with its Web API pointed at the fake
 * Slack, a real SQLite database with the real migrations, and a seeded usage history.
 */
import { readSettings } from '../../src/config.js';
import { addDays, type Day, daysInRange, weekdayOf } from '../../src/days.js';
import { createSilentLogger, type Logger } from '../../src/logger.js';
import { createSlackApp, type SlackApp, type SlackAppDeps } from '../../src/slack/app.js';
import { type Db, openDb } from '../../src/store/db.js';
import { type ManagedLog, type UsageRow, writeCollection } from '../../src/store/usage.js';
import {
  type BlockActionFields,
  type FakeSlack,
  type SignOptions,
  type SlackPostResult,
  sendBlockAction,
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
  close(): Promise<void>;
}

let ridCounter = 0;

export async function startHarness(
  opts: { admins?: string; db?: Db; logger?: Logger; env?: Record<string, string>; deps?: Partial<SlackAppDeps> } = {},
): Promise<Harness> {
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
    clientOptions: { retryConfig: { retries: 0 } },
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
    async close() {
      await app.stop();
      await fake.close();
      if (!opts.db) db.close();
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
