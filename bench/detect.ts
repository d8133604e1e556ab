/**
 * Detection speed: `npx tsx bench/detect.ts [--logs 10000] [--days 365] [--skip-db] [--csv [--dist]]`.
 * Generates a labeled synthetic history itself (test/fixtures/detect/synthetic.ts), then measures:
 * - detect one day over every log (pure rules, in memory)                 target < 1 s
 * - detectForDay on a SQLite database holding the whole history           target < 1 s
 * - backtest (replay of every day, in memory, on `backtest`'s default threads) and its peak memory  target < 8 s, < 1 GB
 * - with --csv: backtest from a CSV file (read + replay), as `backtest --input` does  target < 8 s, < 1 GB
 *   (with --dist: the compiled CLI in dist/, as shipped; without: the sources through tsx)
 * Prints one line per figure and a JSON summary at the end.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultThreads, replayOnThreads } from '../src/commands/backtest-threads.js';
import { readSettings } from '../src/config.js';
import { addDays } from '../src/days.js';
import { toDetectLogs } from '../src/detect/backtest.js';
import { createDayDetector } from '../src/detect/detect-day.js';
import { DEFAULT_PARAMS } from '../src/detect/params.js';
import { detectForDay } from '../src/pipeline/detect.js';
import { openDb } from '../src/store/db.js';
import { writeImport } from '../src/store/usage.js';
import { generateSynthetic, historyOf } from '../test/fixtures/detect/synthetic.js';
import { numberArg } from './args.js';

const args = process.argv.slice(2);
const LOGS = numberArg('logs', 10_000);
const DAYS = numberArg('days', 365);
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
let peakRss = 0;
let phasePeak = 0;
const sample = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeak = Math.max(phasePeak, rss);
};
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};
const results: Record<string, number> = { logs: LOGS, days: DAYS };

console.log(`Generating ${LOGS} logs × ${DAYS} days …`);
const [set, genMs] = time(() => generateSynthetic({ seed: 42, logs: LOGS, days: DAYS }));
console.log(`  generated in ${(genMs / 1000).toFixed(1)} s`);
const h = historyOf(set);
for (let i = 0; i < h.days.length; i++) {
  let s = 0;
  for (const l of h.logs) s += l.values[i]!;
  h.org[i] = s;
}
sample();

// 1. One day over every log, pure (fresh per-log inputs each time: no week model is memoized).
{
  const detector = createDayDetector(DEFAULT_PARAMS);
  const runs: number[] = [];
  let findings = 0;
  for (let k = 0; k < 5; k++) {
    const logs = toDetectLogs(h, DEFAULT_PARAMS, undefined, { replay: false });
    const ctx = {
      days: h.days,
      t: h.days.length - 1,
      observed: h.observed,
      firstObserved: 0,
      org: h.org,
      logs,
      thresholds: [],
      monthlyBudget: 1e15,
      params: DEFAULT_PARAMS,
    };
    const [r, ms] = time(() => detector.detect(ctx));
    runs.push(ms);
    findings = r.findings.length;
  }
  runs.sort((a, b) => a - b);
  results.detectDayPureMs = Math.round(runs[2]!);
  console.log(`detect one day, ${LOGS} logs (pure, in memory, median of 5): ${runs[2]!.toFixed(0)} ms (${findings} findings)`);
}

// 2. detectForDay on SQLite.
if (!args.includes('--skip-db')) {
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-'));
  try {
    const db = openDb(join(dir, 'bench.db'));
    const [, loadMs] = time(() =>
      writeImport(db, {
        days: h.days,
        names: new Map(set.logs.map((l) => [l.id, l.name])),
        now: new Date().toISOString(),
        // Primary-key order (log, day): the load is set-up, not what is measured.
        each: (emit) => {
          for (const l of [...set.logs].sort((x, y) => (x.id < y.id ? -1 : 1)))
            for (let i = 0; i < h.days.length; i++) if (l.values[i]! > 0) emit(l.id, h.days[i]!, l.values[i]!);
        },
      }),
    );
    console.log(`  (database loaded in ${(loadMs / 1000).toFixed(1)} s)`);
    const settings = readSettings({ DATABASE_PATH: join(dir, 'bench.db') });
    const day = h.days.at(-1)!;
    const runs: Array<[number, number]> = [];
    let findings = 0;
    for (let k = 0; k < 5; k++) {
      const c0 = process.cpuUsage();
      const [r, ms] = time(() => detectForDay(db, day, settings));
      const c = process.cpuUsage(c0);
      runs.push([ms, (c.user + c.system) / 1000]);
      findings = r.findings.length;
    }
    runs.sort((a, b) => a[0] - b[0]);
    results.detectForDayMs = Math.round(runs[2]![0]);
    results.detectForDayCpuMs = Math.round(runs[2]![1]);
    console.log(
      `detectForDay ${day}, ${LOGS} logs × ${DAYS} days in SQLite (median of 5): ${runs[2]![0].toFixed(0)} ms (CPU ${runs[2]![1].toFixed(0)} ms, ${findings} findings)`,
    );
    db.close();
    sample();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 3. Backtest in memory.
{
  global.gc?.();
  phasePeak = 0;
  sample();
  let findings = 0;
  const cpu0 = process.cpuUsage();
  const threads = defaultThreads(h.logs.length, h.days.length);
  const t0 = performance.now();
  await replayOnThreads(
    h,
    {
      params: DEFAULT_PARAMS,
      // Memory is sampled every 64 logs: process.memoryUsage() per log would be a measurable share of the CPU.
      onProgress: (f) => {
        if (Math.round(f * LOGS) % 64 === 0) sample();
      },
      onDay: (r, done) => {
        findings += r.findings.length;
        if (done % 16 === 0) sample();
      },
    },
    threads,
  );
  const ms = performance.now() - t0;
  sample();
  const cpu = process.cpuUsage(cpu0);
  results.backtestMs = Math.round(ms);
  results.backtestCpuMs = Math.round((cpu.user + cpu.system) / 1000);
  results.backtestPeakRssMB = Math.round(phasePeak / 1e6);
  results.backtestFindings = findings;
  console.log(
    `backtest ${LOGS} logs × ${DAYS} days (in memory, ${threads} thread${threads === 1 ? '' : 's'}): ${(ms / 1000).toFixed(1)} s (CPU ${(results.backtestCpuMs / 1000).toFixed(1)} s), ${findings} findings, peak RSS ${mb(phasePeak)} (the generated history included)`,
  );
}

// 4. Backtest from CSV (optional: writes a large file), in a fresh process so that its memory is its own.
if (args.includes('--csv')) {
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-'));
  try {
    const path = join(dir, 'usage.csv');
    const fd = openSync(path, 'w');
    writeSync(fd, 'day,log_id,log_name,bytes\n');
    for (let i = 0; i < set.days; i++) {
      const d = addDays(set.start, i);
      let chunk = '';
      for (const l of set.logs) if (l.values[i]! > 0) chunk += `${d},${l.id},${l.name},${l.values[i]}\n`;
      writeSync(fd, chunk);
    }
    closeSync(fd);
    // The child reports its own peak memory (kB) on exit.
    const report =
      "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('maxRSS '+u.maxRSS+' cpuUs '+(u.userCPUTime+u.systemCPUTime))})";
    // --dist: the compiled CLI as `npm start` ships it (`npm run build` first); otherwise the sources through tsx.
    const dist = process.argv.includes('--dist');
    const cli = join(import.meta.dirname, '..', dist ? 'dist/cli.js' : 'src/cli.ts');
    if (dist && !existsSync(cli)) throw new Error('--dist needs the compiled CLI: run `npm run build` first');
    const loader = dist ? [] : ['--import', 'tsx'];
    const r = spawnSync(process.execPath, [...loader, '--import', report, cli, 'backtest', '--input', path], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_PATH: join(dir, 'unused.db') },
    });
    const usage = /in ([\d.]+) s/.exec(r.stdout)?.[1];
    const peak = /maxRSS (\d+)/.exec(r.stderr)?.[1];
    const cpuUs = /cpuUs (\d+)/.exec(r.stderr)?.[1];
    results.backtestCsvMs = usage ? Math.round(Number(usage) * 1000) : -1;
    if (cpuUs) results.backtestCsvCpuMs = Math.round(Number(cpuUs) / 1000);
    console.log(`logusage backtest --input (${mb(statSync(path).size)} CSV, own process): ${r.stdout.split('\n')[0]}`);
    // The child's CPU time includes its start (module loading), which the printed duration does not.
    if (cpuUs) console.log(`  its CPU time (whole process): ${(Number(cpuUs) / 1e6).toFixed(1)} s`);
    if (peak) results.backtestCsvPeakRssMB = Math.round(Number(peak) / 1000);
    console.log(`  its peak memory (RSS): ${peak ? mb(Number(peak) * 1000) : 'unknown'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

sample();
results.peakRssMB = Math.round(peakRss / 1e6);
console.log(`peak memory (RSS) of this process: ${mb(peakRss)}`);
console.log(JSON.stringify(results));

// Targets (docs/benchmarks.md), on wall-clock time; CPU time is printed above for loaded machines.
const targets: Array<[string, number | undefined, number]> = [
  ['detect one day (pure) < 1 s', results.detectDayPureMs, 1000],
  ['detectForDay (SQLite) < 1 s', results.detectForDayMs, 1000],
  ['backtest < 8 s', results.backtestMs, 8_000],
  ['backtest peak memory < 1 GB', results.backtestPeakRssMB, 1000],
  ['backtest --input < 8 s', results.backtestCsvMs, 8_000],
  ['backtest --input peak memory < 1 GB', results.backtestCsvPeakRssMB, 1000],
];
let missed = false;
for (const [what, value, limit] of targets) {
  if (value === undefined) continue;
  const ok = value < limit;
  if (!ok) missed = true;
  console.log(`${ok ? 'PASS' : 'MISS'} ${what}: ${value}`);
}
if (LOGS === 10_000 && DAYS === 365 && missed) process.exitCode = 1;
