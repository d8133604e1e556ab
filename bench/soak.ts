/**
 * Soak: 30 simulated days of daily runs in a row with random faults injected into Rapid7 (429 with absurd
 * Retry-After, 5xx, resets, cut and slow bodies, hangs, days that fail outright and are retried) and
 * Slack (5xx, 429, error answers on posts, updates, uploads and history reads), against a reference
 * world that runs the same 30 days with no fault. Loopback only; stops by itself.
 *
 *   npx tsx bench/soak.ts [--days 30] [--seed 20261126] [--quiet]
 *
 * Target (docs/reliability.md): every message the reference delivered arrives exactly once (no loss, no duplicate),
 * in the same order per channel, with the same final text; nothing left queued or given up. The only
 * extra messages are one failure notice per failed day and its "working again" reply. Exits non-zero
 * when the target is missed. The engine is test/support/soak.ts (also run, 10 days, by the tests).
 */
import { runSoak } from '../test/support/soak.js';
import { hardTimeLimit, numberArg } from './args.js';

const days = numberArg('days', 30);
const seed = numberArg('seed', 20261126);
const quiet = process.argv.includes('--quiet');
hardTimeLimit('soak', 60 + days * 10);

console.log(`soak: ${days} days, seed ${seed}`);
const r = await runSoak({ days, seed, ...(quiet ? {} : { onDay: (line) => console.log(`  ${line}`) }) });
const rss = process.memoryUsage().rss;
console.log(`
| figure | value |
|---|---|
| simulated days | ${r.days} (seed ${r.seed}) |
| daily runs (faulty world) | ${r.runs}, of which ${r.failedRuns} failed and were retried |
| Rapid7 faults injected | ${r.rapid7Faults} |
| Slack faults injected / served | ${r.slackFaults} / ${r.slackFaultsServed} |
| expected (reference): messages, alert posts, updates, charts | ${r.expected.messages}, ${r.expected.alertPosts}, ${r.expected.updates}, ${r.expected.uploads} |
| delivered (faulty): messages, charts | ${r.delivered.messages}, ${r.delivered.uploads} |
| failure notices / "working again" replies | ${r.delivered.failureNotices} / ${r.delivered.recoveryReplies} |
| lost, duplicated, reordered or changed | ${r.problems.length} |
| wall time, RSS at the end | ${(r.ms / 1000).toFixed(1)} s, ${(rss / 1e6).toFixed(0)} MB |`);
for (const p of r.problems) console.log(`  problem: ${p}`);
const ok = r.problems.length === 0;
console.log(`\nRESULT ${ok ? 'PASS' : 'FAIL'}: ${r.problems.length} problems (target 0)`);
console.log(`JSON ${JSON.stringify({ ...r, problems: r.problems.length })}`);
if (!ok) process.exitCode = 1;
