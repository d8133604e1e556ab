/**
 * The unusual organisation day as an alert (SPEC §6.7, §7), through the daily run against the Rapid7 simulator
 * and the fake Slack Web API: posted in the alert channel (with money) when it is material and no log's own
 * alert explains it, then resolved; not posted when one log's own alert carries it (the digest still tells it);
 * and not posted on the days after a log's new level was accepted as its new normal.
 */
import { describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { LEVEL_NOTICE } from '../../../src/pipeline/org.js';
import { listNotices } from '../../../src/store/alerts.js';
import { ALERTS, DIGESTS, startDailyHarness, visibleCalls } from '../../support/daily-harness.js';
import { buildData, logId } from '../../support/rapid7.js';

const GB = 1e9;
const FIRST: Day = '2026-01-01';
const JUDGED_FROM: Day = '2026-03-02';
const LAST: Day = '2026-04-12';
/** Every small log is up 35 % (none doubles: no log alerts), the organisation +23 %. */
const UNEXPLAINED: Day = '2026-03-04';
/** The big log triples for a day: its own spike alert carries the organisation's change. */
const EXPLAINED: Day = '2026-03-11';
/** From this day the big log sends 2.5× for good: alerts for a week, then its new normal. */
const SHIFT: Day = '2026-03-18';
const BIG = 20;

function dataset() {
  const days = daysInRange(FIRST, LAST);
  return buildData({
    logs: BIG + 1,
    days,
    logset: () => 'Platform',
    bytes: (i, day) => {
      const k = days.indexOf(day);
      let v = (i === BIG ? 10 : 1) * GB * (1 + 0.03 * Math.sin(k * 1.7 + i));
      if (i < BIG && day === UNEXPLAINED) v *= 1.35;
      if (i === BIG && day === EXPLAINED) v *= 3;
      if (i === BIG && day >= SHIFT) v *= 2.5;
      return Math.round(v);
    },
  });
}

describe('the unusual organisation day in the daily run', () => {
  it('is an alert when unexplained, not when one log’s alert explains it, and not after a new normal', { timeout: 120_000 }, async () => {
    const h = await startDailyHarness({ data: dataset(), settings: { price: { perGb: 0.35, currency: 'USD' } } });
    h.clock.now = new Date(`${JUDGED_FROM}T06:30:00Z`);
    await h.collect(FIRST, addDays(JUDGED_FROM, -1));
    const alerts: Record<Day, string[]> = {};
    const digests: Record<Day, string> = {};
    for (let day = JUDGED_FROM; day <= LAST; day = addDays(day, 1)) {
      const before = h.slack.calls.length;
      await h.runDay(day);
      alerts[day] = visibleCalls(h.slack, before).filter((c) => c.includes(` ${ALERTS} `));
      digests[day] = JSON.stringify(
        h.slack.calls.slice(before).filter((c) => c.body.channel === DIGESTS && c.method === 'chat.postMessage' && !c.body.thread_ts),
      );
    }
    const org = (day: Day) => (alerts[day] ?? []).filter((c) => /organisation/i.test(c));

    // Unexplained: one post in the alert channel, with its money and its contributors; resolved two days later.
    expect(org(UNEXPLAINED)).toHaveLength(1);
    expect(org(UNEXPLAINED)[0]).toMatch(/^post CALERTS01 Organisation: organisation: The organisation sent [\d.]+ GB, 2\d % more/);
    expect(org(UNEXPLAINED)[0]).toMatch(/≈ \+\$\d/);
    const post = h.slack.calls.find((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Organisation:'));
    expect(JSON.stringify(post?.body.blocks)).toContain('Where it came from');
    expect(alerts[addDays(UNEXPLAINED, 1)]).toEqual([]);
    expect(org(addDays(UNEXPLAINED, 2))).toEqual([
      expect.stringMatching(/^update CALERTS01 Resolved: organisation is back to normal/),
      expect.stringMatching(/^reply CALERTS01 Back to normal: organisation/),
    ]);
    expect(digests[UNEXPLAINED]).toContain('Unusual organisation day');

    // Explained by the big log's own spike: no organisation alert, the digest still tells the day.
    expect(alerts[EXPLAINED]).toEqual([expect.stringMatching(/^post CALERTS01 Spike: log-20/)]);
    expect(digests[EXPLAINED]).toContain('Unusual organisation day');

    // The new level: the big log's episode runs a week and ends as its new normal; the organisation is never
    // posted, neither during that week (the log's alerts explain it) nor on any day after it was accepted.
    const shiftDays = daysInRange(SHIFT, LAST);
    expect(shiftDays.flatMap((d) => org(d))).toEqual([]);
    const accepted = shiftDays.find((d) => (alerts[d] ?? []).some((c) => /New normal/.test(c)));
    expect(accepted).toBeDefined();
    expect(daysInRange(addDays(accepted!, 1), LAST).length).toBeGreaterThanOrEqual(14);
    expect(daysInRange(addDays(accepted!, 1), LAST).flatMap((d) => alerts[d] ?? [])).toEqual([]);
    // What the organisation's expectation counts the big log from: the first day of its accepted run.
    expect(listNotices(h.db, LEVEL_NOTICE).map((n) => n.details)).toEqual([{ logId: logId(BIG), day: accepted, from: SHIFT }]);
  });
});
