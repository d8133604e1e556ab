/**
 * Daily-run figures: one scheduled run on 2,000 logs × 60 days (simulated Rapid7 and fake Slack on
 * loopback), per stage; outbox throughput with pacing off; and the demo's wall time. Prints the
 * figures; exits 1 when a target is missed (run < 60 s, demo < 30 s).
 *
 *   npx tsx bench/daily.ts
 */
import { rmSync } from 'node:fs';
import type { DailyStage } from '../src/daily.js';
import { addDays, type Day } from '../src/days.js';
import { runDemo } from '../src/demo/run.js';
import { createSilentLogger } from '../src/logger.js';
import { createOutbox, createWebApiSender } from '../src/slack/outbox.js';
import { openDb } from '../src/store/db.js';
import { enqueueOutbox } from '../src/store/outbox.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { spikyFleet } from '../test/support/fleet.js';
import { createWorld } from '../test/support/world.js';

const LOGS = 2000;
const DAYS = 60;
const LAST: Day = '2026-03-15';
const TOKEN = 'xoxb-bench';
const logger = createSilentLogger();
let failed = false;

async function dailyRun(): Promise<void> {
  // The product's own time-outs and root causes (on by default); only delivery pacing is off.
  const w = await createWorld({
    data: spikyFleet({ logs: LOGS, sets: 20, days: DAYS, last: LAST, spikeEvery: 100 }),
    timeouts: 'production',
    rootCause: true,
  });
  try {
    w.clock.now = new Date(`${addDays(LAST, 1)}T06:30:00Z`);
    await w.collect(addDays(LAST, -DAYS + 1), addDays(LAST, -1));
    const marks: Array<[DailyStage | 'end', number]> = [];
    const t0 = performance.now();
    const r = await w.runDay(LAST, { onStage: (s) => marks.push([s, performance.now()]) });
    marks.push(['end', performance.now()]);
    const total = (performance.now() - t0) / 1000;
    const parts = marks.slice(0, -1).map(([s, t], i) => `${s} ${(((marks[i + 1]?.[1] ?? t) - t) / 1000).toFixed(2)} s`);
    console.log(`daily run, ${LOGS} logs × ${DAYS} days: ${total.toFixed(2)} s (${parts.join(', ')})`);
    console.log(`  ${r.findings.length} findings, ${r.messages.length} messages queued, ${r.delivery?.sent ?? 0} delivered`);
    if (total > 60) {
      console.log('  MISSED target: under 60 s');
      failed = true;
    }
  } finally {
    await w.close();
  }
}

async function outboxThroughput(): Promise<void> {
  const slack = await startFakeSlack({ token: TOKEN });
  const db = openDb(':memory:');
  try {
    const N = 500;
    const at = new Date().toISOString();
    db.transaction(() => {
      for (let i = 0; i < N; i++) {
        enqueueOutbox(db, { idemKey: `b${i}`, channel: `C${i % 5}`, method: 'post', payload: { text: `message ${i}` }, now: at });
      }
    })();
    const outbox = createOutbox({
      db,
      sender: createWebApiSender({ token: TOKEN, apiUrl: slack.apiUrl, logger }),
      logger,
      now: () => new Date(),
      paceMs: 0,
    });
    const t0 = performance.now();
    const r = await outbox.drain();
    const s = (performance.now() - t0) / 1000;
    console.log(
      `outbox, pacing off: ${r.sent} messages in ${s.toFixed(2)} s = ${(r.sent / s).toFixed(0)} messages/s (Slack allows ~1/s per channel; the default pace is 1.1 s)`,
    );
  } finally {
    db.close();
    await slack.close();
  }
}

async function demo(): Promise<void> {
  let out = '';
  const t0 = performance.now();
  const r = await runDemo({
    write: (t) => {
      out += t;
    },
    now: new Date(),
  });
  const s = (performance.now() - t0) / 1000;
  rmSync(r.dir, { recursive: true, force: true });
  console.log(
    `demo (in process, after start-up): ${s.toFixed(1)} s, ${r.messages.sent} messages, ${r.charts.length} charts, ${out.length} characters printed`,
  );
  if (s > 30) {
    console.log('  MISSED target: under 30 s');
    failed = true;
  }
}

await dailyRun();
await outboxThroughput();
await demo();
if (failed) process.exitCode = 1;
