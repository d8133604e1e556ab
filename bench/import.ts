/**
 * Import benchmark: 10,000 logs × 365 days (3.65 M rows) from a generated CSV, beside a bare
 * better-sqlite3 prepared-insert loop writing the same rows to the same schema in one transaction.
 * Each side runs in its own child process so its peak RSS (VmHWM) is its own.
 *
 *   npx tsx bench/import.ts [--logs 10000] [--days 365]
 *
 * Targets (docs/benchmarks.md): ours ≥ 50 % of the bare rate; ours peaks under 300 MB RSS.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays } from '../src/days.js';
import { runImport } from '../src/import.js';
import { openDb } from '../src/store/db.js';

interface Figures {
  rows: number;
  ms: number;
  peakRssMb: number;
}

const LAST_DAY = '2026-03-14';
const NOW = new Date('2026-03-15T08:00:00Z');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

function logId(i: number): string {
  return `0b1c2d3e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Deterministic bytes of log i on day d (some zeros, as real exports have). */
function bytesOf(i: number, d: number): number {
  return ((i * 2_654_435_761 + d * 40_503) >>> 0) % 50_000_000;
}

/** Peak resident set size of this process so far, MB (Linux VmHWM; else the current RSS). */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

function generateCsv(path: string, logs: number, days: number): void {
  const fd = openSync(path, 'w');
  let buf = 'day,log_id,bytes,log_name\n';
  for (let d = 0; d < days; d++) {
    const day = addDays(LAST_DAY, d - days + 1);
    for (let i = 0; i < logs; i++) {
      buf += `${day},${logId(i)},${bytesOf(i, d)},log-${i}\n`;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

/** The reference: the same rows, the same schema, one transaction, one prepared INSERT, no CSV. */
function runBare(dbPath: string, logs: number, days: number): Figures {
  const db = openDb(dbPath);
  const t0 = performance.now();
  const insertLog = db.prepare("INSERT INTO logs (id, name, updated_at) VALUES (?, ?, '2026-03-15T08:00:00Z')");
  const insert = db.prepare('INSERT INTO usage (log_id, day, bytes) VALUES (?, ?, ?)');
  let rows = 0;
  db.transaction(() => {
    for (let i = 0; i < logs; i++) insertLog.run(logId(i), `log-${i}`);
    for (let d = 0; d < days; d++) {
      const day = addDays(LAST_DAY, d - days + 1);
      for (let i = 0; i < logs; i++) {
        const b = bytesOf(i, d);
        if (b > 0) insert.run(logId(i), day, b);
        rows++;
      }
    }
  })();
  const ms = performance.now() - t0;
  db.close();
  return { rows, ms, peakRssMb: peakRssMb() };
}

function runOurs(dbPath: string, csvPath: string): Figures {
  const db = openDb(dbPath);
  const t0 = performance.now();
  const r = runImport(db, csvPath, { now: () => NOW });
  const ms = performance.now() - t0;
  db.close();
  return { rows: r.rows, ms, peakRssMb: peakRssMb() };
}

function child(kind: 'bare' | 'ours', dir: string, csvPath: string, logs: number, days: number): Figures {
  const out = execFileSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      kind,
      '--dir',
      dir,
      '--csv',
      csvPath,
      '--logs',
      String(logs),
      '--days',
      String(days),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Figures;
}

function main(): void {
  const childKind = process.argv[process.argv.indexOf('--child') + 1];
  const logs = arg('logs', 10_000);
  const days = arg('days', 365);
  if (process.argv.includes('--child')) {
    const dir = process.argv[process.argv.indexOf('--dir') + 1] as string;
    const csvPath = process.argv[process.argv.indexOf('--csv') + 1] as string;
    const f = childKind === 'bare' ? runBare(join(dir, 'bare.db'), logs, days) : runOurs(join(dir, 'ours.db'), csvPath);
    process.stdout.write(`${JSON.stringify(f)}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-import-'));
  try {
    const csvPath = join(dir, 'history.csv');
    const g0 = performance.now();
    generateCsv(csvPath, logs, days);
    const size = statSync(csvPath).size;
    console.log(
      `import bench: ${logs.toLocaleString('en-US')} logs × ${days} days = ${(logs * days).toLocaleString('en-US')} rows; CSV ${(size / 1e6).toFixed(0)} MB generated in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    const bare = child('bare', dir, csvPath, logs, days);
    const ours = child('ours', dir, csvPath, logs, days);
    const rate = (f: Figures) => f.rows / (f.ms / 1000);
    const line = (name: string, f: Figures) =>
      `${name.padEnd(38)} ${(f.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(rate(f)).toLocaleString('en-US').padStart(10)} rows/s  peak RSS ${f.peakRssMb.toFixed(0)} MB`;
    console.log(line('bare prepared INSERT, one transaction', bare));
    console.log(line('logusage import (check + write)', ours));
    const ratio = rate(ours) / rate(bare);
    console.log(
      `ours / bare: ${(ratio * 100).toFixed(0)} % (target ≥ 50 %); ours peak RSS ${ours.peakRssMb.toFixed(0)} MB (target < 300 MB)`,
    );
    if (ratio < 0.5 || ours.peakRssMb >= 300) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
