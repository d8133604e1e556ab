/**
 * A short soak (the 30-day one is bench/soak.ts): 10 simulated days of daily runs with random, seeded
 * faults in Rapid7 (429 with absurd Retry-After, 5xx, resets, cut and slow bodies, hangs, and days that
 * fail outright and are retried) and in Slack (5xx, 429, error answers on posts, updates, uploads and
 * history reads). Every message the fault-free reference world delivered arrives exactly once, in the
 * same order per channel, with the same final text; each chart once; nothing left queued or given up.
 */
import { describe, expect, it } from 'vitest';
import { compareDeliveries, type Delivered, runSoak } from '../support/soak.js';

describe('soak: daily runs day after day through random faults', () => {
  it('10 days, seed 20261126: every expected message delivered exactly once', async () => {
    const r = await runSoak({ days: 10, seed: 20261126 });
    expect(r.problems).toEqual([]);
    expect(r.expected.alertPosts).toBeGreaterThanOrEqual(3);
    expect(r.expected.updates).toBeGreaterThan(0);
    expect(r.rapid7Faults).toBeGreaterThan(5);
    expect(r.slackFaultsServed).toBeGreaterThan(5);
    expect(r.failedRuns).toBeGreaterThan(0);
    expect(r.delivered.failureNotices).toBe(r.delivered.recoveryReplies);
    expect(r.delivered.messages).toBe(r.expected.messages + r.delivered.failureNotices + r.delivered.recoveryReplies);
    expect(r.delivered.uploads).toBe(r.expected.uploads);
  }, 60_000);

  it('the comparison notices a loss, a duplicate, a changed text and a reordering', () => {
    const msg = (key: string, text = key) => ({ key, text, thread: null });
    const world = (list: Array<ReturnType<typeof msg>>): Delivered => {
      const counts = new Map<string, number>();
      for (const m of list) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
      return { byChannel: new Map([['C1', list]]), counts, files: new Map() };
    };
    const want = world([msg('a'), msg('b'), msg('c')]);
    expect(compareDeliveries(want, world([msg('a'), msg('b'), msg('c')]))).toEqual([]);
    expect(compareDeliveries(want, world([msg('a'), msg('c')])).join('\n')).toMatch(/never delivered in C1: b/);
    expect(compareDeliveries(want, world([msg('a'), msg('b'), msg('b'), msg('c')])).join('\n')).toMatch(/delivered 2 times: b/);
    expect(compareDeliveries(want, world([msg('a'), msg('b', 'other'), msg('c')])).join('\n')).toMatch(/final text differs for b/);
    expect(compareDeliveries(want, world([msg('b'), msg('a'), msg('c')])).join('\n')).toMatch(/order differs in C1/);
    expect(compareDeliveries(want, world([msg('a'), msg('b'), msg('c'), msg('run-failed:x')]))).toEqual([]);
  });
});
