/**
 * Daily-run figures: one scheduled run on 2,000 logs × 60 days (simulated Rapid7 and fake Slack on
 * loopback), per stage; outbox throughput with pacing off; and the demo's wall time. Prints the
 * figures; exits 1 when a target is missed (run < 60 s, demo < 30 s).
 *
 *   npx tsx bench/daily.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollect } from '../src/collect.js';
import { readSettings } from '../src/config.js';
import { type DailyStage, runDaily } from '../src/daily.js';
import { addDays, type Day } from '../src/days.js';
import { runDemo } from '../src/demo/run.js';
import { createSilentLogger } from '../src/logger.js';
import { createDailyDeps, createRapid7FromSettings } from '../src/main.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { createOutbox, createWebApiSender } from '../src/slack/outbox.js';
import { openDb } from '../src/store/db.js';
import { enqueueOutbox } from '../src/store/outbox.js';
import { startFakeSlack } from '../test/support/fake-slack.js';

const LOGS = 2000;
const DAYS = 60;
const LAST: Day = '2026-03-15';
const TOKEN = 'xoxb-bench';
const logger = createSilentLogger();
let failed = false;

function data(): SimulatorData {
  const d: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < LOGS; i++) d.logs.push({ id: `log-${i}`, name: `log-${i}`, logsets: [{ id: `s${i % 20}`, name: `set-${i % 20}` }] });
  for (let k = 0; k < DAYS; k++) {
    const day = addDays(LAST, k - DAYS + 1);
    const m = new Map<string, number>();
    for (let i = 0; i < LOGS; i++) {
      const spike = k === DAYS - 1 && i % 100 === 0 ? 4 : 1;
      m.set(`log-${i}`, Math.round((1 + (i % 50)) * 1e8 * (1 + 0.05 * Math.sin(k + i)) * spike));
    }
    d.usage.set(day, m);
  }
  return d;
}

async function dailyRun(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-'));
  const sim = createRapid7Simulator({ apiKey: 'bench-key', data: data() });
  await sim.start();
  const slack = await startFakeSlack({ token: TOKEN });
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
    const marks: Array<[DailyStage | 'end', number]> = [];
    const t0 = performance.now();
    const r = await runDaily(
      createDailyDeps(
        { db, settings, logger, now: () => now },
        { rapid7: client, outbox: { paceMs: 0 }, onStage: (s) => marks.push([s, performance.now()]) },
      ),
      { day: LAST },
    );
    marks.push(['end', performance.now()]);
    const total = (performance.now() - t0) / 1000;
    const parts = marks.slice(0, -1).map(([s, t], i) => `${s} ${(((marks[i + 1]?.[1] ?? t) - t) / 1000).toFixed(2)} s`);
    console.log(`daily run, ${LOGS} logs × ${DAYS} days: ${total.toFixed(2)} s (${parts.join(', ')})`);
    console.log(`  ${r.findings.length} findings, ${r.messages.length} messages queued, ${r.delivery?.sent ?? 0} delivered`);
    if (total > 60) {
      console.log('  MISSED target: under 60 s');
      failed = true;
    }
    db.close();
  } finally {
    await slack.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
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
