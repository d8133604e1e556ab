/**
 * What root causes cost (SPEC §6.6): one daily run for a day with 20 spikes (simulated Rapid7, with its query
 * API, and fake Slack on loopback), with the production poll timing (first poll after 0.5 s, backing off).
 * Prints queries and polls per run, when the alerts were delivered vs when the explanations were, the time
 * the explanations add after the alerts, and the Rapid7 query limits checked. Exits 1 when a limit or the
 * order (alerts first) is missed.
 *
 *   npx tsx bench/explain.ts
 */
import type { DailyStage } from '../src/daily.js';
import { addDays, type Day } from '../src/days.js';
import { spikyFleet } from '../test/support/fleet.js';
import { createWorld, WORLD_ALERTS } from '../test/support/world.js';

const LOGS = 200;
const SPIKES = 20;
const DAYS = 40;
const LAST: Day = '2026-03-15';
/** Rapid7's query limits per key per 15 minutes (RAPID7-API.md). */
const LIMITS = { submissions: 1500, polls: 10_000 };

// The product's own time-outs and poll timing; root causes on; only delivery pacing is off.
const w = await createWorld({
  data: spikyFleet({ logs: LOGS, sets: 10, days: DAYS, last: LAST, spikeEvery: LOGS / SPIKES }),
  timeouts: 'production',
  rootCause: true,
});
const { sim, slack } = w;
for (let i = 0; i < LOGS; i += LOGS / SPIKES) sim.query.setCause(`log-${i}`, LAST, `log-${i}-B`);
let failed = false;
try {
  w.clock.now = new Date(`${addDays(LAST, 1)}T06:30:00Z`);
  await w.collect(addDays(LAST, -DAYS + 1), addDays(LAST, -1));
  const marks = new Map<DailyStage | 'end', number>();
  const t0 = performance.now();
  const r = await w.runDay(LAST, { onStage: (s) => marks.set(s, performance.now()) });
  marks.set('end', performance.now());
  const s = (a: DailyStage | 'end', b: DailyStage | 'end') => (((marks.get(b) ?? 0) - (marks.get(a) ?? 0)) / 1000).toFixed(2);
  const spikes = r.findings.filter((f) => f.kind === 'spike').length;
  const c = r.explain?.counts ?? { topkeys: 0, submissions: 0, polls: 0 };
  const sim15 = sim.query.counts();
  const posts = slack.messages.filter((m) => m.channel === WORLD_ALERTS && !m.threadTs);
  const replies = slack.messages.filter((m) => (m.text ?? '').startsWith('Where it came from'));
  const alertsFirst = replies.every((rep) => posts.some((p) => p.ts === rep.threadTs));
  console.log(`root causes, ${LOGS} logs, a day with ${spikes} spikes (production poll timing):`);
  console.log(
    `  per run: ${c.topkeys} topkeys, ${c.submissions} query submissions, ${c.polls} polls; ${r.explain?.explained ?? 0} explained, ${r.explain?.skipped ?? 0} over the per-run bound`,
  );
  console.log(
    `  alerts delivered after ${((marks.get('explain')! - t0) / 1000).toFixed(2)} s; explanations add ${s('explain', 'end')} s after them (run ${((marks.get('end')! - t0) / 1000).toFixed(2)} s)`,
  );
  console.log(`  ${posts.length} alert posts, ${replies.length} explanations in their threads, each after its alert: ${alertsFirst}`);
  console.log(
    `  limits: ${sim15.submissions} of ${LIMITS.submissions} submissions and ${sim15.polls} of ${LIMITS.polls} polls per 15 minutes: ${sim15.submissions <= LIMITS.submissions && sim15.polls <= LIMITS.polls ? 'respected' : 'EXCEEDED'}`,
  );
  if (!alertsFirst || sim15.submissions > LIMITS.submissions || sim15.polls > LIMITS.polls || replies.length === 0) failed = true;
} finally {
  await w.close();
}
if (failed) {
  console.log('MISSED: alerts first, explanations posted, limits respected');
  process.exit(1);
}
