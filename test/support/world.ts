/**
 * The one loopback world of the daily tests, the hostile suite and the bench scripts: the Rapid7 simulator, the
 * fake Slack Web API, a real SQLite file, the real assembly of the daily run (`createDailyDeps` in src/main.ts), and
 * a clock the caller moves. How long it waits before it calls an API hung is an option (`timeouts`). Nothing here
 * depends on vitest (bench/ imports it too): the caller closes the world, or `startDailyHarness`
 * (test/support/daily-harness.ts) closes it after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollect } from '../../src/collect.js';
import { readSettings, type Settings, type SettingsOverrides } from '../../src/config.js';
import { type DailyDeps, runDaily } from '../../src/daily.js';
import { addDays, type Day } from '../../src/days.js';
import { createSilentLogger, type Logger } from '../../src/logger.js';
import { createDailyDeps, createRapid7FromSettings } from '../../src/main.js';
import { createRapid7Simulator, type Rapid7Simulator, type SimulatorData, type SimulatorOptions } from '../../src/rapid7/simulator.js';
import { openDb } from '../../src/store/db.js';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';

export const WORLD_KEY = 'r7key-WORLD-5f0c1e-SECRET-a9b8c7';
export const WORLD_TOKEN = 'xoxb-WORLD-3e2d1c-SECRET-token';
export const WORLD_ALERTS = 'CALERTS01';
export const WORLD_DIGESTS = 'CDIGEST01';

/** The database, settings and logger are the daily run's own (`deps()` hands them on). */
export interface World extends Pick<DailyDeps, 'db' | 'settings' | 'logger'> {
  sim: Rapid7Simulator;
  slack: FakeSlack;
  dbPath: string;
  /** The clock of the daily run (a simulated morning); delivery paces by the wall clock. */
  clock: { now: Date };
  deps(extra?: Partial<DailyDeps>): DailyDeps;
  /** `collect` of the days `from`…`to` (inclusive) through the real Rapid7 client, stamped with the world's clock. */
  collect(from: Day, to: Day): ReturnType<typeof runCollect>;
  /** The scheduled run for `day`, at 06:30 UTC the morning after. */
  runDay(day: Day, extra?: Partial<DailyDeps>): ReturnType<typeof runDaily>;
  close(): Promise<void>;
}

/**
 * Time-outs and retry waits of the world's clients, by who uses it:
 * - `fast` (default): the hostile suite — a stalled fake is called hung within a second, retries wait milliseconds.
 * - `patient`: the daily tests — retries as fast, but a busy two-core machine is never mistaken for a hung API.
 * - `production`: the product's own defaults (the benches measure what runs); only delivery pacing is off.
 */
export type WorldTimeouts = 'fast' | 'patient' | 'production';

interface Timing {
  rapid7: Partial<Settings['rapid7']>;
  daily: Parameters<typeof createDailyDeps>[1];
}

const FAST_OUTBOX = { paceMs: 0, retryBaseMs: 5, retryMaxMs: 50 };
const TIMING: Record<WorldTimeouts, Timing> = {
  fast: {
    rapid7: { timeoutMs: 400, maxRetries: 3, retryBaseMs: 5, retryMaxWaitMs: 200 },
    daily: { slackTimeoutMs: 3000, deliverTimeoutMs: 10_000, outbox: FAST_OUTBOX },
  },
  patient: {
    rapid7: { timeoutMs: 30_000, maxRetries: 3, retryBaseMs: 5, retryMaxWaitMs: 300 },
    daily: { slackTimeoutMs: 30_000, deliverTimeoutMs: 60_000, outbox: FAST_OUTBOX },
  },
  production: { rapid7: {}, daily: { outbox: { paceMs: 0 } } },
};

export interface WorldOptions {
  data: SimulatorData;
  budget?: number;
  logger?: Logger;
  sim?: Partial<SimulatorOptions>;
  /** Rapid7 key and Slack bot token (default: the WORLD_ ones, which the secret tests look for). */
  apiKey?: string;
  token?: string;
  /** Default `fast`. */
  timeouts?: WorldTimeouts;
  /** Settings beside the world's own (e.g. watchInternalLogs, rootCause). */
  settings?: Omit<SettingsOverrides, 'rapid7' | 'slack'>;
  /** The database file (default: a fresh one in a temporary folder, removed on close). */
  dbPath?: string;
  /** Root-cause queries (Log Search) in the daily run; default none: the fault matrices count usage requests. */
  rootCause?: boolean;
}

export async function createWorld(o: WorldOptions): Promise<World> {
  const dir = o.dbPath ? null : mkdtempSync(join(tmpdir(), 'logusage-world-'));
  const dbPath = o.dbPath ?? join(dir as string, 'logusage.db');
  const apiKey = o.apiKey ?? WORLD_KEY;
  const token = o.token ?? WORLD_TOKEN;
  const timing = TIMING[o.timeouts ?? 'fast'];
  const sim = createRapid7Simulator({ apiKey, data: o.data, ...o.sim });
  await sim.start();
  const slack = await startFakeSlack({ token });
  const settings = readSettings(
    {},
    {
      rapid7: { baseUrl: sim.url, apiKey, ...timing.rapid7 },
      slack: { botToken: token, apiUrl: slack.apiUrl, alertChannel: WORLD_ALERTS, digestChannel: WORLD_DIGESTS },
      databasePath: dbPath,
      rootCause: o.rootCause ?? false,
      ...(o.budget ? { monthlyBudget: o.budget } : {}),
      ...o.settings,
    },
  );
  const db = openDb(dbPath);
  const logger = o.logger ?? createSilentLogger();
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const deps = (extra: Partial<DailyDeps> = {}): DailyDeps => ({
    ...createDailyDeps({ db, settings, logger, now: () => clock.now }, timing.daily),
    ...extra,
  });
  return {
    sim,
    slack,
    db,
    dbPath,
    settings,
    logger,
    clock,
    deps,
    collect(from, to) {
      return runCollect({ db, client: createRapid7FromSettings(settings, logger), logger, now: () => clock.now }, { from, to });
    },
    runDay(day, extra) {
      clock.now = new Date(`${addDays(day, 1)}T06:30:00Z`);
      return runDaily(deps(extra), { day });
    },
    async close() {
      await sim.close();
      await slack.close();
      if (db.open) db.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
