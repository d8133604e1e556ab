/**
 * The daily commands through the CLI: `run-daily --dry-run` (text and --json) prints and posts nothing,
 * `run-daily` posts, `digest` (with the weekly digest on a Sunday), the /logusage digest preview hook.
 */
import { describe, expect, it } from 'vitest';
import { createServeParts } from '../../../src/commands/serve.js';
import { DAILY_LOCK } from '../../../src/daily.js';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { createSilentLogger } from '../../../src/logger.js';
import { createContext } from '../../../src/main.js';
import { createDailyService } from '../../../src/schedule.js';
import { acquireLock, readLock, releaseLock } from '../../../src/store/locks.js';
import { countOutbox } from '../../../src/store/outbox.js';
import { recentRuns } from '../../../src/store/runs.js';
import { createTestCli } from '../../support/cli.js';
import { ALERTS, byChannel, type DailyHarness, DIGESTS, startDailyHarness, TOKEN, visibleCalls } from '../../support/daily-harness.js';
import { API_KEY, buildData } from '../../support/rapid7.js';

const FIRST: Day = '2026-01-20';
const DAY: Day = '2026-03-08'; // a Sunday
const NOW = new Date(`${addDays(DAY, 1)}T06:30:00Z`);

async function setup(): Promise<DailyHarness> {
  const days = daysInRange(FIRST, DAY);
  const data = buildData({
    logs: 3,
    days,
    bytes: (i, day) => Math.round((i + 1) * 1e9 * (1 + 0.02 * Math.sin(days.indexOf(day) + i)) * (i === 1 && day === DAY ? 5 : 1)),
  });
  const h = await startDailyHarness({ data });
  h.clock.now = NOW;
  await h.collect(FIRST, addDays(DAY, -1));
  return h;
}

function cliFor(h: DailyHarness, extra: Record<string, string> = {}) {
  return createTestCli({
    env: {
      DATABASE_PATH: h.dbPath,
      RAPID7_API_KEY: API_KEY,
      RAPID7_BASE_URL: h.sim.url,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: h.slack.apiUrl,
      SLACK_ALERT_CHANNEL: ALERTS,
      SLACK_DIGEST_CHANNEL: DIGESTS,
      ...extra,
    },
    now: NOW,
    overrides: { rapid7: { maxRetries: 1, retryBaseMs: 5, retryMaxWaitMs: 50 } },
  });
}

describe('daily commands', () => {
  it('run-daily --dry-run prints the messages as text and changes nothing about alerts', async () => {
    const h = await setup();
    const cli = cliFor(h);
    expect(await cli.run('run-daily', '--dry-run')).toBe(0);
    const out = cli.out();
    expect(out).toMatch(/┌ new message in #CALERTS01\n│ 📈 Spike — log-1\n│ log-1 sent [\d.]+ GB, [\d.]+× its usual/);
    expect(out).toContain('[ Snooze 1 day ] [ Snooze 1 week ] [ Mark as expected ] [ Mute log ]');
    expect(out).toContain(`┌ new message in #${DIGESTS}\n│ ▌LOG USAGE DIGEST — SUN ${DAY}`);
    expect(out).toContain(`  ↳ file in the thread (#${DIGESTS}): logusage-org-30d-${DAY}.png`);
    expect(h.slack.calls).toHaveLength(0);
    expect(countOutbox(h.db)).toEqual({ pending: 0, sent: 0, dead: 0 });
    expect(h.db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(0);

    cli.reset();
    expect(await cli.run('run-daily', '--dry-run', '--json')).toBe(0);
    const lines = cli
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { channel: string; method: string; text: string; blocks: unknown[] | null });
    expect(lines.map((l) => `${l.method} ${l.channel}`)).toEqual([`post ${ALERTS}`, `post ${DIGESTS}`, `upload ${DIGESTS}`]);
    expect(lines[0]?.blocks?.length).toBeGreaterThan(3);
  });

  it('run-daily posts, and a second run for the same day posts nothing new', async () => {
    const h = await setup();
    const cli = cliFor(h);
    expect(await cli.run('run-daily')).toBe(0);
    expect(cli.out()).toMatch(
      new RegExp(
        `^Daily run for ${DAY}: collected ${addDays(DAY, -6)} … ${DAY}; 1 finding\\(s\\); alerts: 1 opened; digest: queued; Slack: 3 delivered\\.\\n$`,
      ),
    );
    const calls = visibleCalls(h.slack);
    // After the alerts are out, the spike's cause from Log Search (ROOT_CAUSE defaults to true): a reply in the
    // alert's thread and the alert updated with its cause line (SPEC §6.6). Order is compared per channel: the
    // channels are delivered independently.
    const perChannel = byChannel(calls);
    expect(perChannel.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      `post ${ALERTS}`,
      `reply ${ALERTS}`,
      `update ${ALERTS}`,
      `post ${DIGESTS}`,
      `upload ${DIGESTS}`,
    ]);
    expect(perChannel[1]).toMatch(/Where it came from .*came from log-\d+-[ABC] \(by hostname\)/);
    cli.reset();
    expect(await cli.run('run-daily')).toBe(0);
    expect(cli.out()).toContain('alerts: already done; digest: already posted; Slack: 0 delivered.');
    expect(visibleCalls(h.slack)).toEqual(calls);
  });

  it('digest posts the daily digest and, on a Sunday with WEEKLY_DIGEST, the weekly one', async () => {
    const h = await setup();
    await h.collect(DAY, DAY);
    const cli = cliFor(h, { WEEKLY_DIGEST: 'true' });
    expect(await cli.run('digest', '--day', DAY)).toBe(0);
    expect(cli.out()).toBe(`Digest of ${DAY}: 3 delivered.\n`);
    const texts = h.slack.messages.map((m) => m.text ?? '');
    expect(texts[0]).toMatch(new RegExp(`^Log usage digest for ${DAY}: `));
    expect(texts[1]).toMatch(/^Weekly log usage 2026-03-02 … 2026-03-08: [\d.]+ GB\. Alerts opened 0, resolved 0\.$/);
    expect(h.slack.files).toHaveLength(1);
    cli.reset();
    expect(await cli.run('digest', '--day', DAY)).toBe(0);
    expect(cli.out()).toContain(`The digest of ${DAY} was already posted (use --force to post it again).`);
    expect(h.slack.messages).toHaveLength(2);
    cli.reset();
    expect(await cli.run('digest', '--day', DAY, '--force')).toBe(0);
    expect(h.slack.messages.filter((m) => m.text?.startsWith('Log usage digest'))).toHaveLength(2);
  });

  it('refuses a day that is not over, and run-daily without Slack settings', async () => {
    const h = await setup();
    const cli = cliFor(h, { SLACK_BOT_TOKEN: '' });
    expect(await cli.run('run-daily', '--day', addDays(DAY, 1))).toBe(2);
    expect(cli.err()).toContain('is not over yet');
    cli.reset();
    expect(await cli.run('run-daily')).toBe(2);
    expect(cli.err()).toContain('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
  });

  it('detect without --dry-run posts under the daily lease with a run record, and refuses while a run holds the lease', async () => {
    const h = await setup();
    await h.collect(DAY, DAY);
    // Another process (on another host, so never taken over) holds the daily lease: nothing is judged or posted.
    expect(acquireLock(h.db, DAILY_LOCK, 'other-host:4242:abc', NOW, 60_000)).toBe(true);
    const cli = cliFor(h);
    expect(await cli.run('detect', '--day', DAY)).toBe(1);
    expect(cli.err()).toMatch(/Another logusage process \(other-host:4242:abc\) is running run-daily/);
    expect(h.slack.messages).toHaveLength(0);
    expect(recentRuns(h.db, 10).filter((r) => r.job === 'detect')).toEqual([]);
    releaseLock(h.db, DAILY_LOCK, 'other-host:4242:abc');

    cli.reset();
    expect(await cli.run('detect', '--day', DAY), cli.err()).toBe(0);
    expect(cli.out()).toMatch(new RegExp(`finding\\(s\\) for ${DAY}: 1 opened; Slack: 1 delivered`));
    expect(h.slack.messages.filter((m) => m.channel === ALERTS && !m.threadTs)).toHaveLength(1);
    expect(recentRuns(h.db, 10).filter((r) => r.job === 'detect')).toMatchObject([{ status: 'ok', day: DAY }]);
    expect(readLock(h.db, DAILY_LOCK)).toBeUndefined();
  });

  it("serve's daily service delivers what Slack refused earlier, on its own, and stops cleanly", async () => {
    const h = await setup();
    h.slack.fail('chat.postMessage', { kind: 'http', status: 503 }, 1000);
    await h.runDay(DAY, { deliverTimeoutMs: 200 });
    expect(countOutbox(h.db).pending).toBe(3);
    h.slack.reset();
    const service = createDailyService({ ...h.deps(), drainEveryMs: 50 });
    await service.start();
    try {
      await h.slack.waitFor(() => countOutbox(h.db).pending === 0, 20_000);
      expect(service.health()).toMatchObject({ status: 'ok', lastSuccess: { day: DAY }, pendingMessages: 0, running: false });
      // One top-level post in each channel; the two channels are delivered independently, so no order across them.
      const topLevel = h.slack.messages.filter((m) => !m.threadTs).map((m) => m.channel);
      expect([...topLevel].sort()).toEqual([ALERTS, DIGESTS].sort());
    } finally {
      await service.stop();
    }
    expect(service.health().nextRun).toBeNull();
  });

  it('gives serve the digest preview, the next run and the health report', async () => {
    const h = await setup();
    const ctx = createContext(
      { DATABASE_PATH: h.dbPath, SLACK_BOT_TOKEN: TOKEN, SLACK_ALERT_CHANNEL: ALERTS, SCHEDULE: '30 6 * * *' },
      { logger: createSilentLogger(), now: () => NOW },
    );
    try {
      const parts = createServeParts(ctx);
      const preview = await parts.features.previewDigest?.();
      expect(preview?.text).toMatch(/^Log usage digest for 2026-03-07: /);
      expect(parts.health()).toMatchObject({ status: 200, body: { status: 'never-run', lastRun: null, pendingMessages: 0 } });
      // The schedule is not started here: no next run yet.
      expect(parts.features.nextRun?.()).toBeNull();
    } finally {
      ctx.close();
    }
  });
});
