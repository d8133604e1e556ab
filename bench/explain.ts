/**
 * What root causes cost (SPEC §6.6): one daily run for a day with 20 spikes (simulated Rapid7, with its query
 * API, and fake Slack on loopback), with the production poll timing (first poll after 0.5 s, backing off).
 * Prints queries and polls per run, when the alerts were delivered vs when the explanations were, the time
 * the explanations add after the alerts, and the Rapid7 query limits checked. Exits 1 when a limit or the
 * order (alerts first) is missed.
 *
 *   npx tsx bench/explain.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollect } from '../src/collect.js';
import { readSettings } from '../src/config.js';
import { type DailyStage, runDaily } from '../src/daily.js';
import { addDays, type Day } from '../src/days.js';
import { createSilentLogger } from '../src/logger.js';
import { createDailyDeps, createRapid7FromSettings } from '../src/main.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { openDb } from '../src/store/db.js';
import { startFakeSlack } from '../test/support/fake-slack.js';

const LOGS = 200;
const SPIKES = 20;
const DAYS = 40;
const LAST: Day = '2026-03-15';
const TOKEN = 'xoxb-bench';
/** Rapid7's query limits per key per 15 minutes (RAPID7-API.md). */
const LIMITS = { submissions: 1500, polls: 10_000 };
const logger = createSilentLogger();

function data(): SimulatorData {
  const d: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < LOGS; i++) d.logs.push({ id: `log-${i}`, name: `log-${i}`, logsets: [{ id: `s${i % 10}`, name: `set-${i % 10}` }] });
  for (let k = 0; k < DAYS; k++) {
    const day = addDays(LAST, k - DAYS + 1);
    const m = new Map<string, number>();
    for (let i = 0; i < LOGS; i++) {
      const spike = k === DAYS - 1 && i % (LOGS / SPIKES) === 0 ? 4 : 1;
      m.set(`log-${i}`, Math.round((1 + (i % 50)) * 1e8 * (1 + 0.05 * Math.sin(k + i)) * spike));
    }
    d.usage.set(day, m);
  }
  return d;
}

const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-explain-'));
const sim = createRapid7Simulator({ apiKey: 'bench-key', data: data() });
await sim.start();
for (let i = 0; i < LOGS; i += LOGS / SPIKES) sim.query.setCause(`log-${i}`, LAST, `log-${i}-B`);
const slack = await startFakeSlack({ token: TOKEN });
let failed = false;
try {
  const settings = readSettings(
    {},
    {
      rapid7: { apiKey: 'bench-key', baseUrl: sim.url },
      slack: { botToken: TOKEN, apiUrl: slack.apiUrl, alertChannel: 'CALERTS', digestChannel: 'CDIGEST' },
      databasePath: join(dir, 'bench.db'),
    },
  );
  const db = openDb(settings.databasePath);
  const now = new Date(`${addDays(LAST, 1)}T06:30:00Z`);
  const client = createRapid7FromSettings(settings, logger);
  await runCollect({ db, client, logger, now: () => now }, { from: addDays(LAST, -DAYS + 1), to: addDays(LAST, -1) });
  const marks = new Map<DailyStage | 'end', number>();
  const t0 = performance.now();
  const r = await runDaily(
    createDailyDeps(
      { db, settings, logger, now: () => now },
      { rapid7: client, outbox: { paceMs: 0 }, onStage: (s) => marks.set(s, performance.now()) },
    ),
    { day: LAST },
  );
  marks.set('end', performance.now());
  const s = (a: DailyStage | 'end', b: DailyStage | 'end') => (((marks.get(b) ?? 0) - (marks.get(a) ?? 0)) / 1000).toFixed(2);
  const spikes = r.findings.filter((f) => f.kind === 'spike').length;
  const c = r.explain?.counts ?? { topkeys: 0, submissions: 0, polls: 0 };
  const sim15 = sim.query.counts();
  const posts = slack.messages.filter((m) => m.channel === 'CALERTS' && !m.threadTs);
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
  db.close();
} finally {
  await slack.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.log('MISSED: alerts first, explanations posted, limits respected');
  process.exit(1);
}
