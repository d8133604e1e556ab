/**
 * Headroom: how the daily stages and the slash commands grow with the number of logs.
 *
 *   npx tsx bench/headroom.ts [--logs 10000,50000] [--days 90]
 *
 * For each size, in a process of its own (so memory figures are its own): a labeled synthetic history
 * (test/fixtures/detect/synthetic.ts) of `logs` × `days` is imported into a SQLite file, all but the last day;
 * then, on that database:
 * - collect: the scheduled 7-day window ending on the last day, from the Rapid7 simulator on loopback (in the
 *   same process: its CPU counts), as `logusage collect` runs it;
 * - detectForDay of the last day (median of 3), as the daily run calls it;
 * - backtest: a replay of every day of the history in memory (`logusage backtest`'s engine, on its default threads;
 *   the CPU time is the whole process's, threads included);
 * - digest: the digest of the last day with its chart (`digest --dry-run`: reads, Block Kit, PNG);
 * - slash summary / top 10 / log NAME: the Slack service's answers, first (nothing cached) and again;
 * - one daily run for the last day (collect → detect → alerts → digest → deliver to the fake Slack Web API, paced
 *   off), as the schedule of `serve` runs it in its worker.
 * Prints a table with both sizes side by side and the ratio of each figure to the ratio of logs; a figure that
 * grows more than 1.5 × faster than the logs is flagged (docs/benchmarks.md, "Headroom").
 * Targets at 50,000 logs: detectForDay < 5 s, one daily run < 60 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderUsageChartPng } from '../src/charts.js';
import { runCollect } from '../src/collect.js';
import { defaultThreads, replayOnThreads } from '../src/commands/backtest-threads.js';
import { readSettings } from '../src/config.js';
import { runDaily } from '../src/daily.js';
import { addDays, type Day } from '../src/days.js';
import { DEFAULT_PARAMS } from '../src/detect/params.js';
import { queueDigest } from '../src/digest.js';
import { createSilentLogger } from '../src/logger.js';
import { createDailyDeps, createRapid7FromSettings } from '../src/main.js';
import { detectForDay } from '../src/pipeline/detect.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { createSlackService } from '../src/slack/service.js';
import { openDb } from '../src/store/db.js';
import { writeImport } from '../src/store/usage.js';
import { generateSynthetic, historyOf } from '../test/fixtures/detect/synthetic.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { hardTimeLimit, numberArg, stringArg } from './args.js';

const KEY = 'headroom-rapid7-key';
const TOKEN = 'xoxb-headroom-token';
const SETS = ['Web', 'Security', 'Platform', 'Payments', 'Data'];

interface Figure {
  ms: number;
  cpuMs: number;
}
type Figures = Record<string, Figure | number>;

async function measure<T>(f: () => Promise<T> | T): Promise<[T, Figure]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const c = process.cpuUsage(c0);
  return [r, { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }];
}

/** One size, in this process; prints `HEADROOM <json>`. */
async function child(logs: number, days: number): Promise<void> {
  const out: Figures = {};
  const [set, gen] = await measure(() => generateSynthetic({ seed: 42, logs, days }));
  out.generateMs = Math.round(gen.ms);
  const h = historyOf(set);
  const last = h.days.at(-1) as Day;
  const dir = mkdtempSync(join(tmpdir(), 'logusage-headroom-'));
  const sim = createRapid7Simulator({
    apiKey: KEY,
    data: simulatorData(set, h.days.slice(-8)),
    rateLimit: { usage: 1e6, management: 1e6 },
  });
  await sim.start();
  const slack = await startFakeSlack({ token: TOKEN });
  try {
    const dbPath = join(dir, 'headroom.db');
    const db = openDb(dbPath);
    const sorted = [...set.logs].sort((a, b) => (a.id < b.id ? -1 : 1));
    const [, load] = await measure(() =>
      writeImport(db, {
        days: h.days.slice(0, -1),
        names: new Map(set.logs.map((l) => [l.id, l.name])),
        now: `${last}T01:00:00.000Z`,
        each: (emit) => {
          for (const l of sorted)
            for (let i = 0; i < days - 1; i++) if ((l.values[i] as number) > 0) emit(l.id, h.days[i] as Day, l.values[i] as number);
        },
      }),
    );
    out.importMs = Math.round(load.ms);
    const settings = readSettings(
      {},
      {
        rapid7: { baseUrl: sim.url, apiKey: KEY, timeoutMs: 120_000, maxRetries: 2, retryBaseMs: 50, retryMaxWaitMs: 1000 },
        slack: { botToken: TOKEN, apiUrl: slack.apiUrl, alertChannel: 'CHEADALRT', digestChannel: 'CHEADDIGS', admins: [] },
        databasePath: dbPath,
        monthlyBudget: 1e16,
      },
    );
    const logger = createSilentLogger();
    const morning = new Date(`${addDays(last, 1)}T06:30:00Z`);
    const now = () => morning;

    // collect: the scheduled window (7 days, six of them known) from the simulator.
    const client = createRapid7FromSettings(settings, logger);
    const [, collect] = await measure(() => runCollect({ db, client, logger, now }, { to: last }));
    out.collect = collect;

    // detectForDay of the last day, median of 3.
    const dets: Figure[] = [];
    let findings = 0;
    for (let k = 0; k < 3; k++) {
      const [r, f] = await measure(() => detectForDay(db, last, settings));
      findings = r.findings.length;
      dets.push(f);
    }
    dets.sort((a, b) => a.ms - b.ms);
    out.detectForDay = dets[1] as Figure;
    out.findings = findings;

    // backtest: every day of the history, in memory, on the threads `logusage backtest` would use.
    for (let i = 0; i < h.days.length; i++) {
      let s = 0;
      for (const l of h.logs) s += l.values[i] as number;
      h.org[i] = s;
    }
    const [, backtest] = await measure(() => replayOnThreads(h, { params: DEFAULT_PARAMS }, defaultThreads(h.logs.length, h.days.length)));
    out.backtest = backtest;

    // digest with its chart, not queued.
    const [, digest] = await measure(() =>
      queueDigest(
        {
          db,
          logger,
          now: morning,
          channel: 'CHEADDIGS',
          envBudget: settings.monthlyBudget,
          weeklyDigest: false,
          renderChart: renderUsageChartPng,
        },
        last,
        { dryRun: true },
      ),
    );
    out.digest = digest;

    // Slash commands through the Slack service (what the listener calls), first and again.
    const service = createSlackService({ db, settings, logger, now });
    const caller = { userId: 'UHEAD0001', channelId: 'CHEADCHAN' };
    const ask = (text: string) => measure(() => service.run(text, caller, async () => {}));
    out.summaryFirst = (await ask('summary'))[1];
    out.summaryAgain = (await ask('summary'))[1];
    out.topFirst = (await ask('top 10'))[1];
    out.logFirst = (await ask(`log ${set.logs[Math.floor(logs / 2)]?.name ?? 'x'}`))[1];
    out.logAgain = (await ask(`log ${set.logs[Math.floor(logs / 3)]?.name ?? 'x'}`))[1];

    // One daily run for the last day, as the schedule runs it (its own connection, as in serve's worker).
    db.close();
    const runDb = openDb(dbPath);
    const [, daily] = await measure(() =>
      runDaily(createDailyDeps({ db: runDb, settings, logger, now }, { outbox: { paceMs: 0 }, deliverTimeoutMs: 120_000 }), {
        day: last,
      }),
    );
    out.dailyRun = daily;
    runDb.close();
    out.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1000);
    process.stdout.write(`HEADROOM ${JSON.stringify({ logs, days, ...out })}\n`);
  } finally {
    await slack.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The simulator's data: every log (names, one log set) and its usage on `days`. */
function simulatorData(set: ReturnType<typeof generateSynthetic>, days: Day[]): SimulatorData {
  const data: SimulatorData = { logs: [], usage: new Map() };
  set.logs.forEach((l, i) => {
    data.logs.push({ id: l.id, name: l.name, logsets: [{ id: `set-${i % 5}`, name: SETS[i % 5] as string }] });
  });
  const first = set.days - days.length;
  days.forEach((d, k) => {
    const m = new Map<string, number>();
    for (const l of set.logs) {
      const v = l.values[first + k] as number;
      if (v > 0) m.set(l.id, v);
    }
    data.usage.set(d, m);
  });
  return data;
}

function parent(): void {
  const sizes = stringArg('logs', '10000,50000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  const days = numberArg('days', 90);
  const self = fileURLToPath(import.meta.url);
  const rows: Array<Record<string, Figure | number>> = [];
  for (const n of sizes) {
    console.log(`headroom: ${n.toLocaleString('en-US')} logs × ${days} days …`);
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', String(n), '--days', String(days)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 30 * 60_000,
      maxBuffer: 1 << 24,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('HEADROOM '));
    if (!line) {
      console.error(`headroom: the ${n}-log run failed (status ${r.status}, signal ${r.signal})\n${r.stdout}`);
      process.exitCode = 1;
      return;
    }
    rows.push(JSON.parse(line.slice('HEADROOM '.length)) as Record<string, Figure | number>);
  }
  const names: Array<[string, string]> = [
    ['collect', 'collect (7-day window)'],
    ['detectForDay', 'detectForDay'],
    ['backtest', `backtest (${days} days, in memory)`],
    ['digest', 'digest + chart (dry run)'],
    ['summaryFirst', '/logusage summary (first)'],
    ['summaryAgain', '/logusage summary (cached)'],
    ['topFirst', '/logusage top 10 (first)'],
    ['logFirst', '/logusage log NAME (first)'],
    ['logAgain', '/logusage log NAME (next)'],
    ['dailyRun', 'one daily run'],
  ];
  const fmt = (f: Figure) => `${f.ms.toFixed(0).padStart(7)} ms (CPU ${f.cpuMs.toFixed(0).padStart(6)})`;
  const head = rows.map((r) => `${Number(r.logs).toLocaleString('en-US')} logs`.padStart(27)).join(' ');
  console.log(
    `\n${'figure'.padEnd(30)} ${head}   growth (logs ×${rows.length > 1 ? (Number(rows.at(-1)?.logs) / Number(rows[0]?.logs)).toFixed(1) : '-'})`,
  );
  let superLinear = false;
  for (const [key, label] of names) {
    const figs = rows.map((r) => r[key] as Figure);
    let growth = '';
    if (rows.length > 1) {
      const a = figs[0] as Figure;
      const b = figs.at(-1) as Figure;
      const logRatio = Number(rows.at(-1)?.logs) / Number(rows[0]?.logs);
      // CPU time is the steadier figure on a shared machine; tiny figures (< 20 ms CPU) say nothing either way.
      const ratio = Math.max(b.cpuMs, 1) / Math.max(a.cpuMs, 1);
      const flagged = a.cpuMs >= 20 && ratio > 1.5 * logRatio;
      if (flagged) superLinear = true;
      growth = `×${ratio.toFixed(1)} CPU${flagged ? '  FASTER THAN LINEAR' : ''}`;
    }
    console.log(`${label.padEnd(30)} ${figs.map(fmt).join(' ')}   ${growth}`);
  }
  console.log(`${'peak RSS of the process'.padEnd(30)} ${rows.map((r) => `${r.peakRssMB} MB`.padStart(27)).join(' ')}`);
  console.log(`${'findings on the last day'.padEnd(30)} ${rows.map((r) => String(r.findings).padStart(27)).join(' ')}`);
  const big = rows.find((r) => Number(r.logs) === 50_000);
  if (big) {
    const det = (big.detectForDay as Figure).ms;
    const run = (big.dailyRun as Figure).ms;
    console.log(`\n${det < 5000 ? 'PASS' : 'MISS'} 50,000 logs: detectForDay ${(det / 1000).toFixed(1)} s (target < 5 s)`);
    console.log(`${run < 60_000 ? 'PASS' : 'MISS'} 50,000 logs: one daily run ${(run / 1000).toFixed(1)} s (target < 60 s)`);
    if (det >= 5000 || run >= 60_000) process.exitCode = 1;
  }
  console.log(superLinear ? 'some figure grows faster than linearly (flagged above)' : 'no figure grows faster than linearly in logs');
  console.log(`JSON ${JSON.stringify(rows)}`);
}

const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  // A size stops by itself (the parent waits at most 30 minutes for it too).
  hardTimeLimit('headroom', 30 * 60);
  await child(Number(process.argv[childAt + 1]), numberArg('days', 90));
} else parent();
