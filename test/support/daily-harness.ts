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
import { createWorld, type World } from './world.js';

export const TOKEN = 'xoxb-daily-test-token';
export const ALERTS = 'CALERTS01';
export const DIGESTS = 'CDIGEST01';

export type DailyHarness = Omit<World, 'close' | 'logger'>;

const open: World[] = [];
afterEach(async () => {
  for (const w of open.splice(0).reverse()) await w.close();
});

/**
 * The world of the daily tests (test/support/world.ts), closed after each test: fast retries, but time-outs long
 * enough that a busy machine is not mistaken for a hung API; root causes off unless `settings.rootCause` (the other
 * daily tests count exactly the messages of collect → detect → alerts → digest).
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
    ...(o.budget ? { budget: o.budget } : {}),
    ...(o.dbPath ? { dbPath: o.dbPath } : { dbPath: tempDbPath() }),
    ...(o.settings ? { settings: o.settings } : {}),
    rapid7: { maxRetries: 3, retryBaseMs: 5, retryMaxWaitMs: 300, timeoutMs: 30_000 },
    slackTimeoutMs: 30_000,
    deliverTimeoutMs: 60_000,
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
