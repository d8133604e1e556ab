/**
 * The daily-run test bench: the one test world (test/support/world.ts) closed after each test, and helpers
 * that read what Slack received.
 */
import { afterEach } from 'vitest';
import type { SettingsOverrides } from '../../src/config.js';
import type { SimulatorData } from '../../src/rapid7/simulator.js';
import type { FakeSlack } from './fake-slack.js';
import { API_KEY } from './rapid7.js';
import { tempDbPath } from './tmp.js';
import { createWorld, WORLD_ALERTS, WORLD_DIGESTS, type World } from './world.js';

export const TOKEN = 'xoxb-daily-test-token';
/** The world's channels, under the names the daily tests use. */
export const ALERTS = WORLD_ALERTS;
export const DIGESTS = WORLD_DIGESTS;

export type DailyHarness = Omit<World, 'close' | 'logger'>;

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0).reverse()) await w.close();
});

/**
 * The world of the daily tests (test/support/world.ts) with `patient` time-outs, closed after each test; root
 * causes off unless `settings.rootCause` (the other daily tests count exactly the messages of collect → detect →
 * alerts → digest).
 */
export async function startDailyHarness(o: {
  data: SimulatorData;
  budget?: number;
  dbPath?: string;
  /** Settings beside the harness's own (e.g. watchInternalLogs, rootCause). */
  settings?: Omit<SettingsOverrides, 'rapid7' | 'slack'>;
}): Promise<DailyHarness> {
  const w = await createWorld({
    data: o.data,
    apiKey: API_KEY,
    token: TOKEN,
    timeouts: 'patient',
    dbPath: o.dbPath ?? tempDbPath(),
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.settings ? { settings: o.settings } : {}),
  });
  open.push(w);
  return w;
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
