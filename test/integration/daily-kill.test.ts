/**
 * A daily run killed with SIGKILL (a real child process) part way — after the alert transaction, and
 * in the middle of delivery — then run again: the next run completes, nothing is lost, nothing is
 * posted twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCollect } from '../../src/collect.js';
import { addDays, type Day, daysInRange } from '../../src/days.js';
import { createSilentLogger } from '../../src/logger.js';
import { createRapid7FromSettings } from '../../src/main.js';
import { countOutbox } from '../../src/store/outbox.js';
import { API_KEY, buildData } from '../helpers/rapid7.js';
import { ALERTS, type DailyHarness, DIGESTS, startDailyHarness, TOKEN } from './daily-harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIRST: Day = '2026-02-01';
const DAY: Day = '2026-03-10';
const NOW = `${addDays(DAY, 1)}T06:30:00.000Z`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Three logs spike on DAY: three alert posts, plus the digest and its chart. */
async function setup(): Promise<DailyHarness> {
  const days = daysInRange(FIRST, DAY);
  const data = buildData({
    logs: 5,
    days,
    bytes: (i, day) => Math.round((i + 1) * 1e9 * (1 + 0.02 * Math.sin(days.indexOf(day) * 1.3 + i)) * (i < 3 && day === DAY ? 4 : 1)),
  });
  const h = await startDailyHarness({ data });
  h.clock.now = new Date(NOW);
  const logger = createSilentLogger();
  await runCollect(
    { db: h.db, client: createRapid7FromSettings(h.settings, logger), logger, now: () => h.clock.now },
    { from: FIRST, to: addDays(DAY, -1) },
  );
  return h;
}

function startChild(
  h: DailyHarness,
  extra: Record<string, string>,
): { child: ChildProcess; lines: string[]; exited: Promise<NodeJS.Signals | number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'daily-child.ts')], {
    env: {
      ...process.env,
      DB: h.dbPath,
      R7_URL: h.sim.url,
      R7_KEY: API_KEY,
      SLACK_URL: h.slack.apiUrl,
      SLACK_TOKEN: TOKEN,
      ALERTS,
      DIGESTS,
      DAY,
      NOW,
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  child.stdout?.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, lines, exited };
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every message the day should produce, delivered exactly once. */
function expectDeliveredOnce(h: DailyHarness): void {
  const keys = h.slack.messages.map((m) => m.metadata?.event_payload.key ?? '');
  expect(new Set(keys).size).toBe(keys.length);
  const posts = h.slack.messages.filter((m) => m.channel === ALERTS && !m.threadTs);
  expect(posts.map((m) => m.text?.split(':')[0]).sort()).toEqual(['Spike', 'Spike', 'Spike']);
  expect(new Set(posts.map((m) => m.text?.split(':')[1])).size).toBe(3);
  expect(h.slack.messages.filter((m) => m.channel === DIGESTS && !m.threadTs)).toHaveLength(1);
  expect(h.slack.files.filter((f) => f.channel === DIGESTS && f.channel !== undefined)).toHaveLength(1);
  expect(countOutbox(h.db)).toEqual({ pending: 0, sent: 5, dead: 0 });
}

describe('a daily run killed part way', () => {
  it('killed after the alerts were decided but before the digest: the next run finishes the day once', async () => {
    const h = await setup();
    const c = startChild(h, { STALL_AT: 'digest' });
    await until(() => c.lines.includes('STAGE digest'), 'the child to reach the digest stage');
    c.child.kill('SIGKILL');
    expect(await c.exited).toBe('SIGKILL');
    expect(h.slack.messages).toHaveLength(0);
    expect(countOutbox(h.db).pending).toBe(3);

    const r = await h.runDay(DAY);

    expect(r.alerts.status).toBe('already-processed');
    expect(r.digest.alreadyQueued).toBe(false);
    expectDeliveredOnce(h);
    const runs = h.db.prepare("SELECT status, error_code FROM runs WHERE job = 'run-daily' ORDER BY id").all();
    expect(runs).toEqual([
      { status: 'failed', error_code: 'INTERRUPTED' },
      { status: 'ok', error_code: null },
    ]);
  });

  it('killed in the middle of delivery: what Slack accepted is not posted again, the rest is sent', async () => {
    const h = await setup();
    const c = startChild(h, { PACE_MS: '400' });
    await until(() => h.slack.callsTo('chat.postMessage').length >= 2, 'two posts to reach Slack');
    c.child.kill('SIGKILL');
    expect(await c.exited).toBe('SIGKILL');
    const before = h.slack.messages.length;
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(5);

    const r = await h.runDay(DAY);

    expect(r.alerts.status).toBe('already-processed');
    expect(r.delivery).toMatchObject({ pending: 0, dead: 0 });
    expectDeliveredOnce(h);
    // The killed run had finished its data work (recorded ok) before delivering; the second one delivered.
    const runs = h.db.prepare("SELECT status FROM runs WHERE job = 'run-daily' ORDER BY id").pluck().all();
    expect(runs).toEqual(['ok', 'ok']);
  });
});
