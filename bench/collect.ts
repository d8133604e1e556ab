/**
 * Collect benchmark: `logusage collect` of a 7-day window for 10,000 logs (70,000 values) from the
 * Rapid7 simulator on loopback, end to end through the CLI entry (settings, database, 3 requests,
 * validation, one write transaction). The simulator runs in a child process, as a remote API would;
 * wall time and this process's CPU time are printed for each run.
 *
 *   npx tsx bench/collect.ts [--logs 10000]
 *
 * Target (docs/benchmarks.md): under 2 s end to end.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli.js';
import { addDays, daysInRange } from '../src/days.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { openDb } from '../src/store/db.js';

const API_KEY = 'bench-key-0000000000';
const NOW = new Date('2026-03-15T08:00:00Z');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

function buildData(logs: number, days: string[]): SimulatorData {
  const data: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < logs; i++) {
    data.logs.push({
      id: `0b1c2d3e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      name: `service-${i}-${i % 3 === 0 ? 'access' : 'app'}`,
      logsets: [{ id: `set-${i % 40}`, name: `Log set ${i % 40}` }],
    });
  }
  days.forEach((day, d) => {
    const perLog = new Map<string, number>();
    for (let i = 0; i < logs; i++) perLog.set((data.logs[i] as { id: string }).id, 1_000_000 + ((i * 7_919 + d * 104_729) % 900_000_000));
    data.usage.set(day, perLog);
  });
  return data;
}

const TO = addDays(NOW.toISOString().slice(0, 10), -1);
const FROM = addDays(TO, -6);

/** Child process: serves the simulator, reports its URL, adds 1 byte to every value on 'bump'. */
async function serve(logs: number): Promise<void> {
  const data = buildData(logs, daysInRange(FROM, TO));
  const sim = createRapid7Simulator({ apiKey: API_KEY, data, usageAs: 'mixed' });
  const { url } = await sim.start();
  process.on('message', (m) => {
    if (m === 'bump') {
      for (const perLog of data.usage.values()) for (const [id, b] of perLog) perLog.set(id, b + 1);
      process.send?.('bumped');
    } else if (m === 'stop') void sim.close().then(() => process.exit(0));
  });
  process.send?.({ url });
}

function request(child: ReturnType<typeof fork>, message: string, reply: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (m === reply) {
        child.off('message', on);
        resolve();
      }
    };
    child.on('message', on);
    child.send(message);
  });
}

async function main(): Promise<void> {
  const logs = arg('logs', 10_000);
  if (process.argv.includes('--serve')) return serve(logs);
  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--logs', String(logs)], { execArgv: process.execArgv });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-collect-'));
  const dbPath = join(dir, 'logusage.db');
  let out = '';
  const io = {
    env: { RAPID7_API_KEY: API_KEY, RAPID7_BASE_URL: url, DATABASE_PATH: dbPath, LOG_LEVEL: 'warn' },
    out: (s: string) => {
      out += s;
    },
    err: (s: string) => process.stderr.write(s),
    isTTY: false,
    now: () => NOW,
  };
  try {
    console.log(
      `collect bench: ${logs.toLocaleString('en-US')} logs × 7 days = ${(logs * 7).toLocaleString('en-US')} values, window ${FROM} … ${TO}`,
    );
    const runs: Array<[string, string[]]> = [
      ['explicit window, new database', ['collect', '--from', FROM, '--to', TO, '--json']],
      ['scheduled run, same values again', ['collect', '--json']],
      ['scheduled run, every value changed', ['collect', '--json']],
    ];
    let worst = 0;
    for (const [i, [name, argv]] of runs.entries()) {
      if (i === 2) await request(child, 'bump', 'bumped');
      out = '';
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const code = await runCli(argv, io);
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0) throw new Error(`collect exited with ${code}`);
      const r = JSON.parse(out) as { usageRows: number; requests: number };
      worst = Math.max(worst, ms);
      console.log(
        `${name.padEnd(36)} ${(ms / 1000).toFixed(2).padStart(6)} s wall  ${((cpu.user + cpu.system) / 1e6).toFixed(2).padStart(5)} s CPU  ${r.usageRows.toLocaleString('en-US')} values  ${r.requests} requests`,
      );
    }
    const db = openDb(dbPath, { readonly: true });
    const n = (db.prepare('SELECT count(*) n FROM usage').get() as { n: number }).n;
    db.close();
    if (n !== logs * 7) throw new Error(`expected ${logs * 7} stored values, found ${n}`);
    console.log(`slowest run ${(worst / 1000).toFixed(2)} s (target < 2 s); peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    if (worst >= 2000) process.exitCode = 1;
  } finally {
    child.send('stop');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
