/**
 * A daily-run test bench: the Rapid7 simulator and the fake Slack Web API on loopback, a real SQLite
 * file, real detection, and a clock the test moves day by day. Closed after each test.
 */
import { afterEach } from 'vitest';
import { readSettings, type Settings, type SettingsOverrides } from '../../src/config.js';
import { type DailyDeps, runDaily } from '../../src/daily.js';
import { addDays, type Day } from '../../src/days.js';
import { createSilentLogger } from '../../src/logger.js';
import { createDailyDeps } from '../../src/main.js';
import type { Rapid7Simulator, SimulatorData } from '../../src/rapid7/simulator.js';
import { type Db, openDb } from '../../src/store/db.js';
import { type FakeSlack, startFakeSlack } from '../helpers/fake-slack.js';
import { API_KEY, fastRapid7, startSimulator } from '../helpers/rapid7.js';
import { tempDbPath } from '../helpers/tmp.js';

export const TOKEN = 'xoxb-daily-test-token';
export const ALERTS = 'CALERTS01';
export const DIGESTS = 'CDIGEST01';

export interface DailyHarness {
  sim: Rapid7Simulator;
  slack: FakeSlack;
  db: Db;
  dbPath: string;
  settings: Settings;
  /** The clock: set it, or let `runDay` set it to the morning after the day. */
  clock: { now: Date };
  deps(extra?: Partial<DailyDeps>): DailyDeps;
  /** One scheduled run for `day` at 06:30 UTC the next morning. */
  runDay(day: Day, extra?: Partial<DailyDeps>): ReturnType<typeof runDaily>;
}

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

export async function startDailyHarness(o: {
  data: SimulatorData;
  budget?: number;
  dbPath?: string;
  /** Settings beside the harness's own (e.g. watchInternalLogs). */
  settings?: Omit<SettingsOverrides, 'rapid7' | 'slack'>;
}): Promise<DailyHarness> {
  const sim = await startSimulator({ data: o.data });
  const slack = await startFakeSlack({ token: TOKEN });
  const dbPath = o.dbPath ?? tempDbPath();
  const settings = readSettings(
    {},
    {
      // Fast retries, but time-outs long enough that a busy machine is not mistaken for a hung API.
      rapid7: { ...fastRapid7(sim.url), timeoutMs: 30_000, apiKey: API_KEY },
      slack: { botToken: TOKEN, apiUrl: slack.apiUrl, alertChannel: ALERTS, digestChannel: DIGESTS },
      databasePath: dbPath,
      // Root causes (Log Search queries, replies in alert threads) are left to daily-explain.test.ts, which turns
      // them on; the other daily tests count exactly the messages of collect → detect → alerts → digest.
      rootCause: false,
      ...(o.budget ? { monthlyBudget: o.budget } : {}),
      ...o.settings,
    },
  );
  const db = openDb(dbPath);
  open.push(
    { close: () => slack.close() },
    {
      close: () => {
        if (db.open) db.close();
      },
    },
  );
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const logger = createSilentLogger();
  const deps = (extra: Partial<DailyDeps> = {}): DailyDeps => ({
    ...createDailyDeps(
      { db, settings, logger, now: () => clock.now },
      { slackTimeoutMs: 30_000, outbox: { paceMs: 0, retryBaseMs: 5, retryMaxMs: 50 }, deliverTimeoutMs: 60_000 },
    ),
    ...extra,
  });
  return {
    sim,
    slack,
    db,
    dbPath,
    settings,
    clock,
    deps,
    runDay: (day, extra) => {
      clock.now = new Date(`${addDays(day, 1)}T06:30:00Z`);
      return runDaily(deps(extra), { day });
    },
  };
}

/**
 * Slack calls that change what people see, as `<kind> <channel> <text>` lines in call order, where
 * kind is post, update, reply or upload. Calls that got an injected fault are left out.
 */
export function visibleCalls(slack: FakeSlack, from = 0): string[] {
  const out: string[] = [];
  for (const c of slack.calls.slice(from)) {
    if (c.fault) continue;
    const text = String(c.body.text ?? '');
    if (c.method === 'chat.postMessage') out.push(`${c.body.thread_ts ? 'reply' : 'post'} ${c.body.channel} ${text}`);
    else if (c.method === 'chat.update') out.push(`update ${c.body.channel} ${text}`);
    else if (c.method === 'files.completeUploadExternal') out.push(`upload ${c.body.channel_id}`);
  }
  return out;
}

/** The same lines grouped by channel (order kept within a channel; channels are sent independently). */
export function byChannel(lines: string[]): string[] {
  const channel = (l: string) => l.split(' ')[1] ?? '';
  return [...lines].sort((a, b) => channel(a).localeCompare(channel(b)));
}
