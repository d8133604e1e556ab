/**
 * The daily run end to end, day after day, against the Rapid7 simulator and the fake Slack Web API:
 * a spike that ends, a 3-day silence, a level shift; routing by log set; idempotent replays.
 */
import { describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { listOpenAlerts } from '../../../src/store/alerts.js';
import { setRoute } from '../../../src/store/controls.js';
import { countOutbox } from '../../../src/store/outbox.js';
import { ALERTS, byChannel, DIGESTS, startDailyHarness, visibleCalls } from '../../support/daily-harness.js';
import { buildData, logId } from '../../support/rapid7.js';

const FIRST: Day = '2026-02-01';
const REPLAY_FROM: Day = '2026-03-03';
const LAST: Day = '2026-03-16';
const SECURITY = 'CSECURITY1';
const GB = 1e9;

const SHIFT_FROM: Day = '2026-03-04';
const SPIKE_DAYS: Day[] = ['2026-03-06', '2026-03-07'];
const SILENT_DAYS: Day[] = ['2026-03-10', '2026-03-11', '2026-03-12'];

function dataset() {
  const days = daysInRange(FIRST, LAST);
  return buildData({
    logs: 6,
    days,
    logset: (i) => (i < 2 ? 'Security' : 'Web'),
    bytes: (i, day) => {
      const k = days.indexOf(day);
      let v = (i === 0 ? 1 : i === 1 ? 2 : i === 2 ? 3 : 1.5) * GB * (1 + 0.03 * Math.sin(k * 1.7 + i));
      if (i === 0 && SPIKE_DAYS.includes(day)) v *= 4;
      if (i === 1 && SILENT_DAYS.includes(day)) return undefined;
      if (i === 2 && day >= SHIFT_FROM) v *= 3;
      return Math.round(v);
    },
  });
}

describe('daily run, day after day', () => {
  it('posts once per episode, updates it, resolves it, gives one new-normal notice, and digests every day', async () => {
    const h = await startDailyHarness({ data: dataset(), budget: 480 * GB });
    setRoute(h.db, 'Security', SECURITY, { actor: 'U0ADMIN01', at: '2026-03-01T00:00:00.000Z' });
    h.clock.now = new Date(`${REPLAY_FROM}T06:30:00Z`);
    await h.collect(FIRST, addDays(REPLAY_FROM, -1));

    const byDay: Record<string, string[]> = {};
    for (let day = REPLAY_FROM; day <= LAST; day = addDays(day, 1)) {
      const before = h.slack.calls.length;
      await h.runDay(day);
      byDay[day] = byChannel(visibleCalls(h.slack, before).filter((c) => !c.includes(DIGESTS) && !c.startsWith(`post ${ALERTS} Budget`)));
    }

    const spike = 'log-0';
    const silent = 'log-1';
    const shift = 'log-2';
    const re = (s: string) => expect.stringMatching(new RegExp(`^${s}$`));
    const spikeUpdate = (ch: string, log: string, ratio: string, n: number) =>
      re(`update ${ch} Spike: ${log}: ${log} sent [\\d.]+ GB, ${ratio}× its usual [\\d.]+ (GB|MB) a day\\. Actual .*\\. Day ${n}\\.`);
    expect(byDay).toEqual({
      '2026-03-03': [],
      '2026-03-04': [
        re(
          `post ${ALERTS} Spike: ${shift}: ${shift} sent 8.74 GB, 2.9× its usual 3.01 GB a day\\. Actual 8.74 GB, expected 3.01 GB: \\+190% \\(\\+5.73 GB\\)\\.`,
        ),
      ],
      '2026-03-05': [spikeUpdate(ALERTS, shift, '3.0', 2)],
      '2026-03-06': [
        spikeUpdate(ALERTS, shift, '3.1', 3),
        re(`post ${SECURITY} Spike: ${spike}: ${spike} sent 3.95 GB, 3.9× its usual 1.02 GB a day\\. .*`),
      ],
      '2026-03-07': [spikeUpdate(ALERTS, shift, '3.0', 4), spikeUpdate(SECURITY, spike, '4.1', 2)],
      '2026-03-08': [spikeUpdate(ALERTS, shift, '2.9', 5)],
      '2026-03-09': [
        spikeUpdate(ALERTS, shift, '3.0', 6),
        `update ${SECURITY} Resolved: ${spike} is back to normal (was: spike).`,
        re(
          `reply ${SECURITY} Back to normal: ${spike} has been within its usual range for 2 days\\. Latest: [\\d.]+ (GB|MB) on Mon 2026-03-09\\.`,
        ),
      ],
      '2026-03-10': [
        `update ${ALERTS} New normal: ${shift} now sends about 9.24 GB/day.`,
        `reply ${ALERTS} New normal: ${shift} now sends about 9.24 GB/day (was 3.01 GB).`,
        re(
          `post ${SECURITY} Silent: ${silent}: ${silent} sent no data on Tuesday 2026-03-10; it usually sends [\\d.]+ GB a day\\. Actual 0 B, expected [\\d.]+ GB\\.`,
        ),
      ],
      '2026-03-11': [re(`update ${SECURITY} Silent: ${silent}: .*\\(no data for 2 days in a row\\)\\. Actual 0 B, .*\\. Day 2\\.`)],
      '2026-03-12': [re(`update ${SECURITY} Silent: ${silent}: .*\\(no data for 3 days in a row\\)\\. Actual 0 B, .*\\. Day 3\\.`)],
      '2026-03-13': [],
      '2026-03-14': [
        `update ${SECURITY} Resolved: ${silent} is back to normal (was: silent).`,
        re(
          `reply ${SECURITY} Back to normal: ${silent} has been within its usual range for 2 days\\. Latest: [\\d.]+ GB on Sat 2026-03-14\\.`,
        ),
      ],
      '2026-03-15': [],
      '2026-03-16': [],
    });

    // Exactly one message per episode: 3 posts, each later changed in place.
    const posts = h.slack.messages.filter((m) => !m.threadTs && m.channel !== DIGESTS && !m.text?.startsWith('Budget'));
    expect(posts.map((m) => [m.channel, m.updates])).toEqual([
      [ALERTS, 6],
      [SECURITY, 2],
      [SECURITY, 3],
    ]);
    const replies = h.slack.messages.filter((m) => m.threadTs && m.channel !== DIGESTS);
    expect(replies.map((r) => posts.findIndex((p) => p.ts === r.threadTs))).toEqual([1, 0, 2]);
    expect(listOpenAlerts(h.db)).toEqual([]);

    // One budget notice in the month, however many days the projection stays high.
    const budget = visibleCalls(h.slack).filter((c) => c.startsWith(`post ${ALERTS} Budget`));
    expect(budget).toEqual([expect.stringContaining('Budget: The month is projected to reach 80% of the budget.')]);

    // A digest every day, each with its chart in the thread.
    const digests = h.slack.messages.filter((m) => m.channel === DIGESTS && !m.threadTs);
    expect(digests).toHaveLength(14);
    expect(h.slack.files.filter((f) => f.channel === DIGESTS)).toHaveLength(14);
    for (const f of h.slack.files) {
      expect(f.threadTs).toBe(digests.find((d) => d.ts === f.threadTs)?.ts);
      expect(f.bytes?.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(f.altText).toMatch(/^Line chart of the organisation's bytes per day/);
    }
    const last = JSON.stringify(digests.at(-1)?.blocks);
    expect(last).toContain('Log usage digest — Mon 2026-03-16');
    expect(last).toMatch(/Yesterday's total \*\d[\d.]* GB\* — expected/);
    expect(last).toContain('Month to date (2026-03, 16 of 31 days)');
    expect(last).toContain('Budget 480 GB/month');
    expect(last).toContain('Top 6 logs');
    expect(last).toContain(`1. *${shift}*`);
    expect(last).toContain('Open alerts (0)');
    const tenth = JSON.stringify(digests.find((d) => d.text?.includes('2026-03-10'))?.blocks);
    expect(tenth).toContain('Silent logs');
    expect(tenth).toContain(`*${silent}* silent since Tue 2026-03-10`);
    expect(tenth).toContain('Open alerts (1)');
    expect(countOutbox(h.db)).toMatchObject({ pending: 0, dead: 0 });

    // The idempotency keys of everything queued over the fortnight: what makes a replayed day, a crash or a
    // second process send nothing twice. A change to how alerts are planned or rendered must keep them.
    const keys = (h.db.prepare('SELECT idem_key FROM outbox ORDER BY id').pluck().all() as string[]).map((k) =>
      k.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>'),
    );
    expect(keys).toEqual([
      'digest:2026-03-03',
      'digest:2026-03-03:chart',
      'alert:1:post',
      'digest:2026-03-04',
      'digest:2026-03-04:chart',
      'alert:1:update:2026-03-05',
      'digest:2026-03-05',
      'digest:2026-03-05:chart',
      'alert:1:update:2026-03-06',
      'alert:2:post',
      'digest:2026-03-06',
      'digest:2026-03-06:chart',
      'alert:2:update:2026-03-07',
      'alert:1:update:2026-03-07',
      'digest:2026-03-07',
      'digest:2026-03-07:chart',
      'alert:1:update:2026-03-08',
      'digest:2026-03-08',
      'digest:2026-03-08:chart',
      'alert:1:update:2026-03-09',
      'alert:2:resolved',
      'alert:2:resolved-reply',
      'digest:2026-03-09',
      'digest:2026-03-09:chart',
      'alert:1:level-shift',
      'alert:1:new-normal',
      'alert:3:post',
      'digest:2026-03-10',
      'digest:2026-03-10:chart',
      'alert:3:update:2026-03-11',
      'digest:2026-03-11',
      'digest:2026-03-11:chart',
      'alert:3:update:2026-03-12',
      'notice:budget:2026-03:projected-80',
      'digest:2026-03-12',
      'digest:2026-03-12:chart',
      'digest:2026-03-13',
      'digest:2026-03-13:chart',
      'alert:3:resolved',
      'alert:3:resolved-reply',
      'digest:2026-03-14',
      'digest:2026-03-14:chart',
      'digest:2026-03-15',
      'digest:2026-03-15:chart',
      'digest:2026-03-16',
      'digest:2026-03-16:chart',
    ]);
  });

  it('changes nothing and posts nothing new when a day is run twice', async () => {
    const h = await startDailyHarness({ data: dataset() });
    h.clock.now = new Date(`${SPIKE_DAYS[0]}T06:30:00Z`);
    await h.collect(FIRST, addDays(SPIKE_DAYS[0] as Day, -1));
    const first = await h.runDay(SPIKE_DAYS[0] as Day);
    expect(first.alerts.status).toBe('applied');
    const calls = visibleCalls(h.slack);
    expect(calls.length).toBeGreaterThan(2);
    const state = () => ({
      alerts: h.db.prepare('SELECT * FROM alerts ORDER BY id').all(),
      outbox: h.db.prepare('SELECT id, idem_key, status, result_ts FROM outbox ORDER BY id').all(),
      notices: h.db.prepare('SELECT * FROM notices ORDER BY key').all(),
    });
    const before = state();

    const again = await h.runDay(SPIKE_DAYS[0] as Day);

    expect(again.alerts.status).toBe('already-processed');
    expect(again.messages).toEqual([]);
    expect(again.digest.alreadyQueued).toBe(true);
    expect(visibleCalls(h.slack)).toEqual(calls);
    expect(state()).toEqual(before);
    expect(h.db.prepare("SELECT count(*) FROM runs WHERE job = 'run-daily' AND status = 'ok'").pluck().get()).toBe(2);
    expect(listOpenAlerts(h.db).map((a) => [a.kind, a.logId])).toContainEqual(['spike', logId(0)]);
  });
});
