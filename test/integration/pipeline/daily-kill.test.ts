/**
 * A daily run killed with SIGKILL (a real child process) part way — after the alert transaction, and
 * in the middle of delivery — then run again: the next run completes, nothing is lost, nothing is
 * posted twice.
 */
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { countOutbox } from '../../../src/store/outbox.js';
import { spawnWatched, type WatchedChild, waitUntil } from '../../support/child.js';
import { ALERTS, type DailyHarness, DIGESTS, startDailyHarness, TOKEN } from '../../support/daily-harness.js';
import { API_KEY, buildData } from '../../support/rapid7.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const FIRST: Day = '2026-02-01';
const DAY: Day = '2026-03-10';
const NOW = `${addDays(DAY, 1)}T06:30:00.000Z`;
/** Overall deadline for the child to get somewhere (it starts TypeScript; the machine may be busy). */
const CHILD_MS = 120_000;
/** Per test: set-up, the child's wait, and the in-process run that finishes the day. */
const TEST_MS = CHILD_MS + 60_000;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
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
  await h.collect(FIRST, addDays(DAY, -1));
  return h;
}

function startChild(h: DailyHarness, extra: Record<string, string>): WatchedChild {
  const c = spawnWatched(process.execPath, ['--import', 'tsx', join(HERE, '../../support/daily-child.ts')], {
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
  });
  children.push(c.child);
  return c;
}

/** What the child printed, for a time-out message. */
const output = (c: WatchedChild) => () => `child stdout:\n${c.stdout.join('\n')}\nchild stderr:\n${c.stderr.join('\n')}`;

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
  it(
    'killed after the alerts were decided but before the digest: the next run finishes the day once',
    async () => {
      const h = await setup();
      const c = startChild(h, { STALL_AT: 'digest' });
      await waitUntil(() => c.stdout.includes('STAGE digest'), 'the child to reach the digest stage', CHILD_MS, output(c));
      c.child.kill('SIGKILL');
      expect(await c.closed).toBe('SIGKILL');
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
    },
    TEST_MS,
  );

  it(
    'killed in the middle of delivery: what Slack accepted is not posted again, the rest is sent',
    async () => {
      const h = await setup();
      // The first post of each channel (an alert, the digest) goes at once; the next waits a pace per
      // channel. A long pace keeps the kill inside delivery even when this process is slow to notice.
      const c = startChild(h, { PACE_MS: String(CHILD_MS) });
      await waitUntil(() => h.slack.callsTo('chat.postMessage').length >= 2, 'two posts to reach Slack', CHILD_MS, output(c));
      c.child.kill('SIGKILL');
      expect(await c.closed).toBe('SIGKILL');
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
    },
    TEST_MS,
  );
});
