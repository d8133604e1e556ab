/** The simulated Rapid7 API as a test fake: data builders, a started simulator closed after each test, fast clients. */
import { afterEach } from 'vitest';
import type { SettingsOverrides } from '../../src/config.js';
import type { Day } from '../../src/days.js';
import { createSilentLogger, type Logger } from '../../src/logger.js';
import { createRapid7Client, type Rapid7Client } from '../../src/rapid7/client.js';
import { createRapid7Simulator, type Rapid7Simulator, type SimulatorData, type SimulatorOptions } from '../../src/rapid7/simulator.js';

/** A key long enough to be masked, with a marker that is easy to search for in bytes and text. */
export const API_KEY = 'r7key-9d1e2f3a-SECRET-4b5c6d7e8f90';

/** A deterministic UUID-shaped log id. */
export function logId(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `0b1c2d3e-0000-4000-8000-${hex}`;
}

export interface BuildOptions {
  logs: number;
  days: Day[];
  /** Bytes of log i on a day; undefined = the log sent nothing (absent from the answer). Default: 1000 × (i + 1) + day of month. */
  bytes?: (i: number, day: Day) => number | undefined;
  /** Log set of log i (default: 'Web' for even, 'Security' for odd). */
  logset?: (i: number) => string | undefined;
}

export function buildData(o: BuildOptions): SimulatorData {
  const bytes = o.bytes ?? ((i: number, day: Day) => 1000 * (i + 1) + Number(day.slice(8, 10)));
  const logset = o.logset ?? ((i: number) => (i % 2 === 0 ? 'Web' : 'Security'));
  const data: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < o.logs; i++) {
    const set = logset(i);
    data.logs.push({ id: logId(i), name: `log-${i}`, logsets: set ? [{ id: `set-${set.toLowerCase()}`, name: set }] : [] });
  }
  for (const day of o.days) {
    const perLog = new Map<string, number>();
    for (let i = 0; i < o.logs; i++) {
      const b = bytes(i, day);
      if (b !== undefined) perLog.set(logId(i), b);
    }
    data.usage.set(day, perLog);
  }
  return data;
}

const started: Rapid7Simulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** Starts a simulator (key API_KEY unless given) that is closed after the current test. */
export async function startSimulator(opts: Partial<SimulatorOptions> = {}): Promise<Rapid7Simulator> {
  const sim = createRapid7Simulator({ apiKey: API_KEY, ...opts });
  started.push(sim);
  await sim.start();
  return sim;
}

/** Client settings that make retries and timeouts take milliseconds. */
export function fastRapid7(url: string): NonNullable<SettingsOverrides['rapid7']> {
  return { baseUrl: url, timeoutMs: 400, maxRetries: 3, retryBaseMs: 5, retryMaxWaitMs: 300 };
}

export function createTestClient(
  sim: Rapid7Simulator,
  o: { logger?: Logger; apiKey?: string } & NonNullable<SettingsOverrides['rapid7']> = {},
): Rapid7Client {
  const fast = fastRapid7(sim.url);
  return createRapid7Client({
    baseUrl: o.baseUrl ?? fast.baseUrl ?? sim.url,
    apiKey: o.apiKey ?? API_KEY,
    region: o.region ?? 'us',
    timeoutMs: o.timeoutMs ?? fast.timeoutMs ?? 400,
    maxRetries: o.maxRetries ?? fast.maxRetries ?? 3,
    retryBaseMs: o.retryBaseMs ?? fast.retryBaseMs ?? 5,
    retryMaxWaitMs: o.retryMaxWaitMs ?? fast.retryMaxWaitMs ?? 300,
    logger: o.logger ?? createSilentLogger(),
  });
}
