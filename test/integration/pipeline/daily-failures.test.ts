/**
 * Failures reach people once: a revoked Rapid7 key, a wrong region (404) and a full database post ONE
 * clear message to the alert channel however often the run is retried, `status` shows it, and the
 * next success replies "working again". A Slack outage during a run loses nothing and doubles nothing.
 */
import { describe, expect, it } from 'vitest';
import { currentFailure, runDaily } from '../../../src/daily.js';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { countOutbox } from '../../../src/store/outbox.js';
import { createTestCli } from '../../support/cli.js';
import { ALERTS, DIGESTS, startDailyHarness, visibleCalls } from '../../support/daily-harness.js';
import { API_KEY, buildData } from '../../support/rapid7.js';

const FIRST: Day = '2026-02-01';
const DAY: Day = '2026-03-10';

function dataset(spikeDay?: Day) {
  const days = daysInRange(FIRST, '2026-03-14');
  return buildData({
    logs: 4,
    days,
    bytes: (i, day) => Math.round((i + 1) * 1e9 * (1 + 0.02 * Math.sin(days.indexOf(day) + i)) * (i === 0 && day === spikeDay ? 5 : 1)),
  });
}

async function withHistory(spikeDay?: Day) {
  const h = await startDailyHarness({ data: dataset(spikeDay) });
  h.clock.now = new Date(`${DAY}T06:30:00Z`);
  await h.collect(FIRST, addDays(DAY, -1));
  return h;
}

const failurePosts = (lines: string[]) => lines.filter((l) => l.startsWith(`post ${ALERTS} The daily logusage run`));

describe('a failed daily run', () => {
  it('tells the alert channel once while the Rapid7 key is revoked, status shows it, and a success says it works again', async () => {
    const h = await withHistory();
    h.sim.setApiKey('rotated-key-the-bot-does-not-have');

    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(h.runDay(DAY)).rejects.toMatchObject({ code: 'RAPID7_UNAUTHORIZED' });
    }
    await expect(h.runDay(addDays(DAY, 1))).rejects.toMatchObject({ code: 'RAPID7_UNAUTHORIZED' });

    const posts = failurePosts(visibleCalls(h.slack));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain(`The daily logusage run for ${DAY} failed: Rapid7 refused the API key (401 Unauthorized)`);
    expect(posts[0]).toContain('Check RAPID7_API_KEY');
    expect(JSON.stringify(h.slack.calls.map((c) => c.body))).not.toContain(API_KEY);
    expect(currentFailure(h.db)).toMatchObject({ code: 'RAPID7_UNAUTHORIZED', day: DAY });
    expect(h.slack.messages.filter((m) => m.channel === DIGESTS)).toHaveLength(0);

    const cli = createTestCli({ env: { DATABASE_PATH: h.dbPath }, now: h.clock.now });
    expect(await cli.run('status')).toBe(0);
    expect(cli.out()).toMatch(
      /FAILING since .*: Rapid7 refused the API key \(401 Unauthorized\).*\(RAPID7_UNAUTHORIZED\); the alert channel was told once/,
    );
    cli.reset();
    expect(await cli.run('status', '--json')).toBe(0);
    expect(JSON.parse(cli.out()).daily).toMatchObject({ status: 'failing', failure: { code: 'RAPID7_UNAUTHORIZED' } });

    h.sim.setApiKey(API_KEY);
    await h.runDay(addDays(DAY, 1));
    const failure = h.slack.messages.find((m) => m.text?.startsWith('The daily logusage run'));
    const replies = h.slack.messages.filter((m) => m.threadTs === failure?.ts);
    expect(replies.map((r) => r.text)).toEqual([`Working again: the daily run for ${addDays(DAY, 1)} succeeded.`]);
    expect(currentFailure(h.db)).toBeNull();

    // A later failure is a new episode: told once again.
    h.sim.setApiKey('revoked-again');
    await expect(h.runDay(addDays(DAY, 2))).rejects.toMatchObject({ code: 'RAPID7_UNAUTHORIZED' });
    await expect(h.runDay(addDays(DAY, 2))).rejects.toMatchObject({ code: 'RAPID7_UNAUTHORIZED' });
    expect(failurePosts(visibleCalls(h.slack))).toHaveLength(2);
  });

  it('names the region when Rapid7 answers 404', async () => {
    const h = await withHistory();
    h.sim.inject({ status: 404, path: '/usage/organizations/logs' }, { status: 404, path: '/usage/organizations/logs' });
    await expect(h.runDay(DAY)).rejects.toMatchObject({ code: 'RAPID7_NOT_FOUND' });
    await expect(h.runDay(DAY)).rejects.toMatchObject({ code: 'RAPID7_NOT_FOUND' });
    const posts = failurePosts(visibleCalls(h.slack));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain("Check the region (RAPID7_REGION=us: the key's organisation must live there)");
  });

  it('sends the failure directly, once, when the database is full', async () => {
    const h = await withHistory();
    const pages = h.db.pragma('page_count', { simple: true }) as number;
    h.db.pragma(`max_page_count = ${pages}`);
    const deps = () => ({ ...h.deps(), now: () => new Date(`${addDays(DAY, 1)}T06:30:00Z`) });
    const first = await runDaily(deps(), { day: DAY }).catch((e: unknown) => e);
    const second = await runDaily(deps(), { day: DAY }).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: expect.stringMatching(/^DB_/) });
    expect(second).toMatchObject({ code: expect.stringMatching(/^DB_/) });
    const posts = failurePosts(visibleCalls(h.slack));
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatch(/full|DATABASE_PATH/);
  });
});

describe('a Slack outage during the daily run', () => {
  it('keeps every message queued, then delivers each exactly once and in order', async () => {
    const h = await withHistory(DAY);
    h.slack.fail('chat.postMessage', { kind: 'http', status: 500 }, 1000);

    const r = await h.runDay(DAY, { deliverTimeoutMs: 300 });

    expect(r.alerts.effects.map((e) => e.type)).toContain('open');
    expect(r.delivery).toMatchObject({ sent: 0, stoppedBy: 'deadline' });
    const queued = countOutbox(h.db).pending;
    expect(queued).toBe(r.messages.length);
    expect(h.slack.messages).toHaveLength(0);

    // Slack recovers, with a rate limit on the way; the next run delivers what waited, and its own messages.
    h.slack.reset();
    h.slack.fail('chat.postMessage', { kind: 'ratelimit', retryAfter: 1 }, 1);
    const next = await h.runDay(addDays(DAY, 1));
    expect(next.delivery).toMatchObject({ pending: 0, dead: 0 });

    const keys = h.slack.messages.map((m) => m.metadata?.event_payload.key);
    expect(new Set(keys).size).toBe(keys.length);
    const rows = h.db.prepare("SELECT idem_key, channel, result_ts FROM outbox WHERE status = 'sent' ORDER BY id").all() as Array<{
      idem_key: string;
      channel: string;
      result_ts: string;
    }>;
    for (const ch of [ALERTS, DIGESTS]) {
      const inOrder = rows.filter((x) => x.channel === ch && !x.idem_key.endsWith(':chart')).map((x) => x.idem_key);
      const delivered = h.slack.messages.filter((m) => m.channel === ch).map((m) => m.metadata?.event_payload.key);
      expect(delivered).toEqual(inOrder);
    }
    expect(h.slack.messages.filter((m) => m.text?.startsWith('Spike: log-0'))).toHaveLength(1);
  });
});
