/**
 * A 300-log organisation shaped like a real InsightIDR account (test/fixtures/orgs/organisation.ts) run
 * day by day for 18 days against the Rapid7 simulator and the fake Slack Web API, with real detection:
 * a collector outage, two holidays, a day of unrelated spikes, a new log and an internal log that spikes.
 * Counts the top-level posts per day and channel and asserts the bound (SPEC §7 "No floods"), and that
 * every message naming "Endpoint Agents" names its log set (SPEC §4).
 */
import { describe, expect, it } from 'vitest';
import { addDays, type Day } from '../../../src/days.js';
import { detectForDay } from '../../../src/pipeline/detect.js';
import { setThreshold } from '../../../src/store/controls.js';
import { buildOrganisation } from '../../fixtures/orgs/organisation.js';
import { ALERTS, DIGESTS, startDailyHarness } from '../../support/daily-harness.js';

const LAST: Day = '2026-11-30';
/** Top-level messages one channel may take on one morning ("a handful", SPEC §7). */
const MAX_POSTS = 3;
/** Slack calls (posts, updates, replies) one channel may take on one morning: seconds at Slack's ~1/s pace. */
const MAX_CALLS = 8;

describe('a 300-log organisation, 18 mornings', () => {
  it('never floods a channel, and tells every log it names apart', { timeout: 240_000 }, async () => {
    const org = buildOrganisation(LAST);
    const h = await startDailyHarness({ data: org.data });
    h.clock.now = new Date(`${org.judgedFrom}T06:30:00Z`);
    await h.collect(org.days[0]!, addDays(org.judgedFrom, -1));

    const posts: Record<string, Record<string, number>> = {};
    const calls: Record<string, Record<string, number>> = {};
    const texts: string[] = [];
    for (let day = org.judgedFrom; day <= LAST; day = addDays(day, 1)) {
      const before = h.slack.calls.length;
      await h.runDay(day);
      posts[day] = {};
      calls[day] = {};
      for (const c of h.slack.calls.slice(before)) {
        if (c.fault || !['chat.postMessage', 'chat.update'].includes(c.method)) continue;
        const channel = String(c.body.channel);
        calls[day]![channel] = (calls[day]![channel] ?? 0) + 1;
        if (c.method === 'chat.postMessage' && !c.body.thread_ts) posts[day]![channel] = (posts[day]![channel] ?? 0) + 1;
        texts.push(`${day} ${JSON.stringify({ text: c.body.text, blocks: c.body.blocks })}`);
      }
    }
    const most = (m: Record<string, Record<string, number>>) => Math.max(0, ...Object.values(m).flatMap((d) => Object.values(d)));
    // Figures for docs/operations.md ("No floods"): printed, then bounded.
    console.log(
      `top-level posts per morning in ${ALERTS}:`,
      Object.values(posts)
        .map((d) => d[ALERTS] ?? 0)
        .join(' '),
    );
    console.log(
      `Slack calls per morning in ${ALERTS}:`,
      Object.values(calls)
        .map((d) => d[ALERTS] ?? 0)
        .join(' '),
    );
    expect(most(posts)).toBeLessThanOrEqual(MAX_POSTS);
    expect(most(calls)).toBeLessThanOrEqual(MAX_CALLS);
    expect(Object.values(posts).map((d) => d[DIGESTS] ?? 0)).toEqual(Object.keys(posts).map(() => 1));

    // The outage is one message of the log set, updated, then resolved — no per-log post of its hosts.
    const [down] = org.events.outage.days;
    const outage = texts.filter((t) => t.startsWith(down!) && t.includes('Linux servers'));
    expect(outage.some((t) => /\d+ of 9 logs of \*Linux servers\* sent nothing/.test(t))).toBe(true);
    expect(texts.some((t) => t.includes('Resolved — log set Linux servers'))).toBe(true);
    expect(texts.filter((t) => /^\S+ \{"text":"Silent: linux-host-\d/.test(t))).toEqual([]);
    // The holidays (most logs at a quarter of their volume) never post per-log drops one by one.
    for (const d of org.events.holidays) expect(texts.filter((t) => t.startsWith(`${d} {"text":"Drop: `))).toEqual([]);
    // The day of twelve unrelated spikes: one grouped message listing them.
    const spikes = texts.filter((t) => t.startsWith(org.events.spikeDay) && /alerts on /.test(t));
    expect(spikes).toHaveLength(1);
    // Each listed episode links to the grouped message (App Home, /logusage alerts).
    const grouped = h.db
      .prepare(
        'SELECT count(*) n, count(ts) linked, count(DISTINCT group_id) groups, count(DISTINCT ts) messages FROM alerts WHERE group_id IS NOT NULL',
      )
      .get() as { n: number; linked: number; groups: number; messages: number };
    expect(grouped.n).toBeGreaterThanOrEqual(12);
    expect(grouped).toMatchObject({ linked: grouped.n, messages: grouped.groups });

    // Every message naming "Endpoint Agents" names its log set (or its short id).
    for (const t of texts) {
      for (const m of t.matchAll(/Endpoint Agents(.{0,3})/g)) expect(m[1], t.slice(0, 300)).toMatch(/^ · /);
    }
    // Internal logs alert only when asked (default: no).
    expect(texts.filter((t) => /Web Access Log/.test(t) && !t.includes('Digest'))).toEqual([]);
    const quiet = detectForDay(h.db, org.events.spikeDay, h.settings);
    const watched = detectForDay(h.db, org.events.spikeDay, { ...h.settings, watchInternalLogs: true });
    expect(quiet.findings.some((f) => f.logId === org.events.internalSpike)).toBe(false);
    expect(quiet.muted.some((f) => f.logId === org.events.internalSpike && f.kind === 'spike')).toBe(true);
    expect(watched.findings.find((f) => f.logId === org.events.internalSpike)).toMatchObject({
      kind: 'spike',
      logName: 'Web Access Log (internal)',
    });
    // A threshold that names an internal log always alerts.
    setThreshold(
      h.db,
      { scope: 'log', target: org.events.internalSpike, bytesPerDay: 1e9 },
      { actor: 'U0ADMIN01', at: h.clock.now.toISOString() },
    );
    const named = detectForDay(h.db, org.events.spikeDay, h.settings);
    expect(named.findings.filter((f) => f.logId === org.events.internalSpike).map((f) => f.kind)).toEqual(['threshold']);
  });
});
