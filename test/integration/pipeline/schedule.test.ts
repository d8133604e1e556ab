/**
 * The schedule: node-cron fires at the local time across DST changes (vitest fake timers), a missed
 * run is caught up at start, runs never overlap, failures are retried, stop waits for a safe point.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSilentLogger } from '../../../src/logger.js';
import { createScheduler, type JobOutcome, missedSince, nextFireOf, previousFire } from '../../../src/schedule.js';

afterEach(() => {
  vi.useRealTimers();
});

function recorder(o: { schedule: string; timezone: string; catchUp?: boolean; job?: () => Promise<JobOutcome> }) {
  const fired: string[] = [];
  const s = createScheduler({
    logger: createSilentLogger(),
    schedule: o.schedule,
    timezone: o.timezone,
    needsCatchUp: () => o.catchUp ?? false,
    retryDelaysMs: [60_000],
    job: async () => {
      fired.push(new Date().toISOString());
      return o.job ? o.job() : { status: 'ok' };
    },
  });
  return { s, fired };
}

describe('schedule', () => {
  it('fires at 06:30 Berlin time on both sides of the spring DST change', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-27T00:00:00Z') });
    const { s, fired } = recorder({ schedule: '30 6 * * *', timezone: 'Europe/Berlin' });
    await s.start();
    expect(s.status().nextRun).toBe('2026-03-27T05:30:00.000Z');
    await vi.advanceTimersByTimeAsync(4 * 86_400_000);
    await s.stop();
    // CET (UTC+1) until 29 March 01:00 UTC, then CEST (UTC+2).
    expect(fired).toEqual(['2026-03-27T05:30:00.000Z', '2026-03-28T05:30:00.000Z', '2026-03-29T04:30:00.000Z', '2026-03-30T04:30:00.000Z']);
  });

  it('fires at 06:30 New York time across the autumn DST change', async () => {
    vi.useFakeTimers({ now: new Date('2026-10-31T00:00:00Z') });
    const { s, fired } = recorder({ schedule: '30 6 * * *', timezone: 'America/New_York' });
    await s.start();
    await vi.advanceTimersByTimeAsync(3 * 86_400_000);
    await s.stop();
    // EDT (UTC−4) until 1 November 06:00 UTC, then EST (UTC−5).
    expect(fired).toEqual(['2026-10-31T10:30:00.000Z', '2026-11-01T11:30:00.000Z', '2026-11-02T11:30:00.000Z']);
  });

  it('computes the next and previous fire without a running task', () => {
    expect(nextFireOf('30 6 * * *', 'Europe/Berlin', new Date('2026-03-28T12:00:00Z'))?.toISOString()).toBe('2026-03-29T04:30:00.000Z');
    expect(nextFireOf('0 9 * * 1', 'UTC', new Date('2026-03-28T12:00:00Z'))?.toISOString()).toBe('2026-03-30T09:00:00.000Z');
    const task = { match: (d: Date) => d.getUTCHours() === 6 && d.getUTCMinutes() === 30 };
    expect(previousFire(task, new Date('2026-03-28T06:29:59Z'))?.toISOString()).toBe('2026-03-27T06:30:00.000Z');
    expect(previousFire(task, new Date('2026-03-28T06:30:10Z'))?.toISOString()).toBe('2026-03-28T06:30:00.000Z');
  });

  it('decides catch-up from the last successful day and the latest fire', () => {
    const fire = new Date('2026-03-28T06:30:00Z');
    expect(missedSince(null, fire)).toBe(true);
    expect(missedSince('2026-03-26', fire)).toBe(true);
    expect(missedSince('2026-03-27', fire)).toBe(false);
    expect(missedSince('2026-03-27', null)).toBe(false);
  });

  it('catches up a missed run at start, then waits for the next fire', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T12:00:00Z') });
    const { s, fired } = recorder({ schedule: '30 6 * * *', timezone: 'UTC', catchUp: true });
    await s.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fired).toEqual(['2026-03-28T12:00:00.000Z']);
    expect(s.status().last).toMatchObject({ reason: 'catch-up', status: 'ok' });
    await vi.advanceTimersByTimeAsync(86_400_000);
    await s.stop();
    expect(fired).toEqual(['2026-03-28T12:00:00.000Z', '2026-03-29T06:30:00.000Z']);
  });

  it('never overlaps: a fire while a run is going on is skipped', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T12:00:00Z') });
    const { s, fired } = recorder({
      schedule: '*/10 * * * *',
      timezone: 'UTC',
      job: () => new Promise((resolve) => setTimeout(() => resolve({ status: 'ok' }), 25 * 60_000)),
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    const stopping = s.stop({ timeoutMs: 60 * 60_000 });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await stopping;
    // Fires at :10 (runs to :35), :20 and :30 skipped, :40 runs (to 13:05), :50 and 13:00 skipped.
    expect(fired).toEqual(['2026-03-28T12:10:00.000Z', '2026-03-28T12:40:00.000Z']);
  });

  it('retries a failed run once after the retry delay', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-28T06:29:00Z') });
    let calls = 0;
    const { s, fired } = recorder({
      schedule: '30 6 * * *',
      timezone: 'UTC',
      job: async () => {
        calls++;
        if (calls < 3) throw new Error('Rapid7 is down');
        return { status: 'ok' };
      },
    });
    await s.start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    await s.stop();
    // The scheduled run and one retry (the only configured delay); no third attempt until the next day.
    expect(fired).toEqual(['2026-03-28T06:30:00.000Z', '2026-03-28T06:31:00.000Z']);
    expect(s.status().last).toMatchObject({ reason: 'retry', status: 'failed', error: 'Error: Rapid7 is down' });
  });

  it('stop signals the running job and waits for it to reach a safe point', async () => {
    let seen: AbortSignal | undefined;
    let finished = false;
    const s = createScheduler({
      logger: createSilentLogger(),
      schedule: '30 6 * * *',
      timezone: 'UTC',
      needsCatchUp: () => false,
      job: async ({ signal }) => {
        seen = signal;
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => setTimeout(resolve, 50), { once: true }));
        finished = true;
        return { status: 'ok' };
      },
    });
    await s.start();
    const run = s.runNow();
    expect(s.status().running).toBe(true);
    // Real timers: the job reaches its safe point 50 ms after the signal; the stop deadline only bounds a failure.
    await s.stop({ timeoutMs: 60_000 });
    expect(seen?.aborted).toBe(true);
    expect(finished).toBe(true);
    expect(await run).toEqual({ status: 'ok' });
    expect(s.status()).toMatchObject({ running: false, nextRun: null });
  }, 90_000);
});
