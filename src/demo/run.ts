/**
 * `logusage demo`: the whole product with no credentials and no setup. A simulated Rapid7 API on
 * loopback (src/rapid7/simulator.ts) serves 60 days of realistic usage for ~40 logs; the demo collects
 * the older history, then replays the last two weeks one scheduled daily run at a time through the
 * REAL path (collect → detect → alert lifecycle → outbox → digest), printing every Slack message as
 * text and saving the charts. One day the Rapid7 key is revoked, to show how a failed run is reported.
 * Everything lives in a temporary folder (or the database given with --db).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { renderUsageChartPng } from '../charts.js';
import { runCollect } from '../collect.js';
import { readSettings } from '../config.js';
import { runDaily } from '../daily.js';
import { addDays, type Day, yesterdayUtc } from '../days.js';
import { AppError, describeError } from '../errors.js';
import { createSilentLogger, type Logger } from '../logger.js';
import { createDailyDeps, createLogSearchFromSettings, createRapid7FromSettings } from '../main.js';
import { formatPrice } from '../money.js';
import { createRapid7Simulator } from '../rapid7/simulator.js';
import { showDay } from '../slack/blocks/alert.js';
import { openDb } from '../store/db.js';
import { countOutbox } from '../store/outbox.js';
import { formatBytes } from '../units.js';
import { buildDemoDataset, demoBudget, demoLogId } from './dataset.js';
import { createTerminalSender } from './terminal.js';

export interface DemoOptions {
  write: (text: string) => void;
  /** The real clock reading: the simulated history ends yesterday (UTC). */
  now: Date;
  /** Database file to keep (default: one in the temporary folder). */
  dbPath?: string;
  /** Days replayed one daily run at a time (default 14). */
  replayDays?: number;
  logger?: Logger;
  fontPath?: string;
}

export interface DemoResult {
  dir: string;
  dbPath: string;
  charts: string[];
  days: number;
  messages: { sent: number; pending: number; dead: number };
  failedRuns: number;
  ms: number;
}

const DEMO_KEY = 'demo-rapid7-key-not-a-secret';
const CHANNEL = 'C0DEMOALERTS';
/** The demo's price per GB, so alerts and the digest show money. */
const DEMO_PRICE = { perGb: 0.35, currency: 'USD' };

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const out = o.write;
  const dir = mkdtempSync(join(tmpdir(), 'logusage-demo-'));
  const chartDir = join(dir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  const dbPath = o.dbPath ? resolve(o.dbPath) : join(dir, 'logusage.db');
  if (o.dbPath && existsSync(dbPath)) {
    rmSync(dir, { recursive: true, force: true });
    throw new AppError('USAGE', `${dbPath} already exists: the demo builds a new database; give a new path or delete that file.`, {
      exitCode: 2,
    });
  }
  if (o.dbPath) mkdirSync(dirname(dbPath), { recursive: true });
  const logger = o.logger ?? createSilentLogger();
  const lastDay = yesterdayUtc(o.now);
  const replay = o.replayDays ?? 14;
  const ds = buildDemoDataset(lastDay);
  const budget = demoBudget(ds);
  const sim = createRapid7Simulator({ apiKey: DEMO_KEY, data: ds.data });
  await sim.start();
  // A known cause per spike: Log Search's answer names the host that carried it (SPEC §6.6).
  const spikeLog = demoLogId(ds.events.spike.log);
  sim.query.setHosts(spikeLog, ['nginx-eu-01', 'nginx-eu-02', 'nginx-eu-03', 'nginx-eu-04']);
  for (const d of ds.events.spike.days) sim.query.setCause(spikeLog, d, 'nginx-eu-03');
  const shiftLog = demoLogId(ds.events.shift.log);
  sim.query.setHosts(shiftLog, ['node-pool-a', 'node-pool-b', 'node-pool-c']);
  for (const d of ds.days) if (d >= ds.events.shift.from) sim.query.setCause(shiftLog, d, 'node-pool-b');
  const lastLog = demoLogId(ds.events.lastSpike.log);
  sim.query.setHosts(lastLog, ['vpc-prod-a', 'vpc-prod-b', 'vpc-batch-c'], 'r7_context.asset.name');
  sim.query.setCause(lastLog, ds.events.lastSpike.day, 'vpc-batch-c');
  const settings = readSettings(
    {},
    {
      rapid7: { apiKey: DEMO_KEY, baseUrl: sim.url, maxRetries: 1, retryBaseMs: 5, retryMaxWaitMs: 50, timeoutMs: 5000 },
      slack: { alertChannel: CHANNEL, digestChannel: CHANNEL },
      databasePath: dbPath,
      monthlyBudget: budget,
      price: DEMO_PRICE,
      // The organisation's holiday is declared, as HOLIDAYS would be (SPEC §6.4): one notice that day.
      holidays: [ds.events.holiday],
    },
  );
  const db = openDb(dbPath);
  let clock = new Date(`${addDays(lastDay, -replay + 1)}T06:30:00Z`);
  const now = () => clock;
  const firstReplay = addDays(lastDay, -replay + 1);
  const outageDay = addDays(lastDay, -3);
  const sender = createTerminalSender({
    write: out,
    fileDir: chartDir,
    // Earlier digests as one line each; the last day's digest in full.
    show: (key) => (key.startsWith('digest:') && !key.startsWith(`digest:${lastDay}`) ? 'line' : 'full'),
    showFile: (filename) => filename.includes(lastDay),
  });
  let failedRuns = 0;
  try {
    out(
      [
        'logusage demo',
        '=============',
        `A simulated Rapid7 Log Search account on ${sim.url}: ${ds.data.logs.length} logs in ${new Set(ds.data.logs.flatMap((l) => (l.logsets ?? []).map((x) => x.name))).size} log sets, ${ds.days.length} days of usage (${ds.days[0]} … ${lastDay}),`,
        `monthly budget ${formatBytes(budget)}, price ${formatPrice(DEMO_PRICE)}. No credentials, no Slack: every message the bot would post is printed below.`,
        '',
      ].join('\n'),
    );
    const client = createRapid7FromSettings(settings, logger);
    const history = await runCollect({ db, client, logger, now }, { from: ds.days[0] as Day, to: addDays(firstReplay, -1) });
    out(
      `History: collected ${history.observedDays.length} days for ${history.logs} logs (${history.requests} requests), so every log has its weekly rhythm learnt.\n` +
        `Now replaying the last ${replay} days, one scheduled daily run each (collect → detect → alerts → digest):\n`,
    );
    for (let day = firstReplay; day <= lastDay; day = addDays(day, 1)) {
      clock = new Date(`${addDays(day, 1)}T06:30:00Z`);
      out(`\n━━ daily run of ${clock.toISOString().slice(0, 16).replace('T', ' ')} UTC — judging ${showDay(day)} ━━\n`);
      if (day === outageDay) {
        out('(the Rapid7 API key is revoked for this run)\n');
        sim.setApiKey('demo-rapid7-key-rotated');
      }
      try {
        const r = await runDaily(
          createDailyDeps(
            { db, settings, logger, now },
            {
              rapid7: client,
              sender,
              renderChart: (input) => renderUsageChartPng({ ...input, ...(o.fontPath ? { fontPath: o.fontPath } : {}) }),
              outbox: { paceMs: 0 },
              owner: 'demo',
              logSearch: () => {
                // The simulator answers at once: short polls keep the demo quick.
                const c = createLogSearchFromSettings(settings, logger, { pollStartMs: 10, pollMaxMs: 50 });
                if (!c) throw new Error('the demo always has a key');
                return c;
              },
            },
          ),
          { day },
        );
        const alertMessages = r.alerts.queued.length;
        if (alertMessages === 0) out('(no alerts: everything within its usual range)\n');
      } catch (err) {
        failedRuns++;
        out(`(the run failed: ${describeError(err)})\n`);
      } finally {
        if (day === outageDay) sim.setApiKey(DEMO_KEY);
      }
    }
    const counts = countOutbox(db);
    out(
      [
        '',
        '━━ done ━━',
        `${counts.sent} Slack messages, posts and updates, delivered through the durable outbox (${counts.pending} waiting, ${counts.dead} dropped).`,
        `Charts saved in ${chartDir} (${sender.saved.length} PNG files; the last one is ${sender.saved.at(-1) ?? 'none'}).`,
        `Database: ${dbPath} — explore it with  DATABASE_PATH=${dbPath} npm run logusage -- status`,
        `Took ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing else was written outside ${o.dbPath ? `${dir} and ${dbPath}` : dir}.`,
        '',
      ].join('\n'),
    );
    return {
      dir,
      dbPath,
      charts: [...sender.saved],
      days: replay,
      messages: { sent: counts.sent, pending: counts.pending, dead: counts.dead },
      failedRuns,
      ms: Date.now() - started,
    };
  } finally {
    db.close();
    await sim.close();
  }
}
