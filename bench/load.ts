/**
 * Load: 50 concurrent users send mixed `/logusage` commands for 60 s to the real Bolt app while daily runs
 * execute in the same process (as `logusage serve` runs its schedule), all on loopback.
 *
 *   npx tsx bench/load.ts [--seconds 60] [--users 50] [--logs 2000] [--days 60] [--think-ms 1000]
 *                         [--daily process|worker|none] [--read-only]
 *
 * Each user sends a command, waits for its answer, reads it for `think-ms` to twice that (uniformly),
 * then sends the next: 50 users keep ~20–30 commands/s coming. `--think-ms 0` is a saturation test.
 *
 * Two processes: this one plays Slack and Rapid7 (the users, the response_url endpoint, the fake Web API,
 * the Rapid7 simulator); a child process (`--server`) is logusage: one SQLite file, the Slack app on
 * 127.0.0.1, and a loop of daily runs (collect → detect → alerts → digest with chart → deliver) for
 * successive days. The child reports its RSS at the start and end of the load, its event-loop delay and
 * each daily run. Commands: summary, summary DATE, top N, log NAME, alerts, status, help, threshold list,
 * budget show, route list, chart, 10 KB of junk, a non-admin's change, and admins' changes (snooze,
 * unsnooze, mute, unmute, threshold set/remove, budget set/clear).
 *
 * Targets (issue 6): no error answers; every ack (the HTTP answer Slack waits for) under 3 s; memory flat.
 * Exits non-zero when a target is missed. Stops by itself (hard limit: the duration + 3 minutes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parentPort, SHARE_ENV, Worker } from 'node:worker_threads';
import { runCollect } from '../src/collect.js';
import { readSettings, type Settings } from '../src/config.js';
import { type DailyDeps, runDaily } from '../src/daily.js';
import { addDays, type Day, daysInRange, weekdayOf } from '../src/days.js';
import { describeError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { createDailyDeps, createRapid7FromSettings } from '../src/main.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { createSlackApp } from '../src/slack/app.js';
import { setRoute, setThreshold } from '../src/store/controls.js';
import { type Db, openDb } from '../src/store/db.js';
import { signedHeaders, slashCommandBody, startFakeSlack } from '../test/helpers/fake-slack.js';

const SECRET = 'load-signing-secret';
const KEY = 'load-rapid7-key';
const TOKEN = 'xoxb-load-token';
const ADMINS = ['ULOADADM1', 'ULOADADM2', 'ULOADADM3', 'ULOADADM4', 'ULOADADM5'];
const ALERTS = 'CLOADALRT';
const DIGESTS = 'CLOADDIGS';
/** The last day of history before the load; daily runs then process the days after it, one by one. */
const HISTORY_END: Day = '2026-03-20';
const LOOP_DAYS = 30;
const ACK_LIMIT_MS = 3000;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

// ---------------------------------------------------------------------------------------------
// The logusage process (child)

interface ServerReport {
  rssStart: number;
  rssEnd: number;
  heapStart: number;
  heapEnd: number;
  loopDelay: { p50: number; p99: number; max: number };
  /** RSS every 5 s of the load, bytes. */
  rssSeries: number[];
  runs: Array<{ day: Day; ms: number; ok: boolean; error?: string; queued: number }>;
}

function serverSettings(env: NodeJS.ProcessEnv) {
  return readSettings(
    {
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: env.SLACK_API_URL,
      SLACK_ALERT_CHANNEL: ALERTS,
      SLACK_DIGEST_CHANNEL: DIGESTS,
      LOGUSAGE_ADMINS: ADMINS.join(','),
      RAPID7_API_KEY: KEY,
      RAPID7_BASE_URL: env.SIM_URL,
      DATABASE_PATH: env.DB,
      MONTHLY_BUDGET: '200TB',
    },
    { rapid7: { timeoutMs: 30_000, maxRetries: 2, retryBaseMs: 50, retryMaxWaitMs: 1000 } },
  );
}

type RunRecord = ServerReport['runs'][number];

/**
 * Daily runs for the days after the history, one after another, until `stopped()` or the data ends:
 * what the schedule of `serve` does, compressed (each run is for the next day).
 */
async function dailyLoop(o: {
  db: Db;
  settings: Settings;
  clock: { now: Date };
  signal: AbortSignal;
  stopped: () => boolean;
  onRun: (r: RunRecord) => void;
}): Promise<void> {
  const logger = createSilentLogger();
  const deps = (): DailyDeps =>
    // Slack's pace (1.1 s per channel) is kept; a run delivers for at most 5 s, the next run goes on.
    createDailyDeps({ db: o.db, settings: o.settings, logger, now: () => o.clock.now }, { deliverTimeoutMs: 5_000 });
  for (let k = 1; k <= LOOP_DAYS && !o.stopped(); k++) {
    const day = addDays(HISTORY_END, k);
    o.clock.now = new Date(`${addDays(day, 1)}T06:30:00Z`);
    const t0 = performance.now();
    try {
      const r = await runDaily(deps(), { day, signal: o.signal });
      o.onRun({ day, ms: performance.now() - t0, ok: true, queued: r.messages.length });
    } catch (err) {
      o.onRun({ day, ms: performance.now() - t0, ok: false, error: describeError(err).slice(0, 200), queued: 0 });
    }
  }
}

/** `--daily-mode worker`: the daily loop in a worker thread with its own database connection. */
async function dailyWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('not in a worker');
  const settings = serverSettings(process.env);
  const db = openDb(settings.databasePath);
  const abort = new AbortController();
  let stop = false;
  port.on('message', (m: { type: string }) => {
    if (m.type === 'stop') {
      stop = true;
      abort.abort();
    }
  });
  await dailyLoop({
    db,
    settings,
    clock: { now: new Date() },
    signal: abort.signal,
    stopped: () => stop,
    onRun: (r) => port.postMessage({ type: 'run', run: r }),
  });
  db.close();
  port.postMessage({ type: 'done' });
}

async function server(): Promise<void> {
  const env = process.env;
  const settings = serverSettings(env);
  const db = openDb(settings.databasePath);
  const logger = createSilentLogger();
  const clock = { now: new Date(`${addDays(HISTORY_END, 1)}T06:30:00Z`) };
  // As `logusage serve` builds it: Bolt's own Web API retries on.
  const app = createSlackApp({ settings, db, logger, now: () => clock.now });
  const { port } = await app.start(0);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const runs: RunRecord[] = [];
  let stop = false;
  const abort = new AbortController();
  const mode = env.LOAD_DAILY ?? 'process';
  let loop: Promise<void> = Promise.resolve();
  let worker: Worker | undefined;
  if (mode === 'process') {
    loop = dailyLoop({ db, settings, clock, signal: abort.signal, stopped: () => stop, onRun: (r) => runs.push(r) });
  } else if (mode === 'worker') {
    // tsx's loader is not inherited by workers: the worker registers it, then imports this file.
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const w = new Worker(boot, { eval: true, argv: ['--daily-worker'], env: SHARE_ENV });
    worker = w;
    loop = new Promise<void>((resolve) => {
      w.on('message', (m: { type: string; run?: RunRecord }) => {
        if (m.type === 'run' && m.run) {
          runs.push(m.run);
          clock.now = new Date(`${addDays(m.run.day, 1)}T06:30:00Z`);
        }
        if (m.type === 'done') resolve();
      });
      w.on('error', (err) => {
        runs.push({ day: '-', ms: 0, ok: false, error: describeError(err), queued: 0 });
        resolve();
      });
      w.on('exit', () => resolve());
    });
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const start = process.memoryUsage();
  process.send?.({ type: 'ready', port });
  const rssSeries: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  process.on('message', (m: { type: string }) => {
    if (m.type === 'go') {
      delay.enable();
      sampler = setInterval(() => rssSeries.push(process.memoryUsage().rss), 5_000);
    }
    if (m.type !== 'stop') return;
    stop = true;
    delay.disable();
    clearInterval(sampler);
    gc?.();
    const end = process.memoryUsage();
    const report: ServerReport = {
      rssStart: start.rss,
      rssEnd: end.rss,
      heapStart: start.heapUsed,
      heapEnd: end.heapUsed,
      loopDelay: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
      rssSeries,
      runs: [...runs],
    };
    abort.abort();
    worker?.postMessage({ type: 'stop' });
    void loop.finally(async () => {
      await app.stop();
      db.close();
      process.send?.({ type: 'report', report }, () => process.exit(0));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Slack, Rapid7 and the users (parent)

function dataset(logs: number, days: number): SimulatorData {
  const all = daysInRange(addDays(HISTORY_END, -(days - 1)), addDays(HISTORY_END, LOOP_DAYS));
  const data: SimulatorData = { logs: [], usage: new Map() };
  const sets = ['Web', 'Security', 'Platform', 'Payments', 'Data'];
  for (let i = 0; i < logs; i++) {
    data.logs.push({
      id: `10ad0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      name: `svc-${i}-${sets[i % 5]?.toLowerCase()}`,
      logsets: [{ id: `s${i % 5}`, name: sets[i % 5] as string }],
    });
  }
  for (const [n, day] of all.entries()) {
    const perLog = new Map<string, number>();
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    for (let i = 0; i < logs; i++) {
      let v = (1e6 + ((i * 7919) % 5000) * 1e6) * (weekend && i % 3 === 0 ? 0.5 : 1) * (1 + 0.04 * Math.sin(n * 0.9 + i));
      // A few spikes every day of the loop, so the daily runs have alerts to post, update and resolve.
      if (day > HISTORY_END && (i * 31 + n) % 397 === 0) v *= 5;
      perLog.set(data.logs[i]?.id as string, Math.round(v));
    }
    data.usage.set(day, perLog);
  }
  return data;
}

/** response_url endpoint: resolves the waiter of each id with the first answer posted there. */
async function startResponder(): Promise<{
  url: (id: string) => string;
  wait: (id: string, ms: number) => Promise<Record<string, unknown>>;
  close: () => Promise<void>;
}> {
  const waiters = new Map<string, (body: Record<string, unknown>) => void>();
  const early = new Map<string, Record<string, unknown>>();
  const srv: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { text: '(not JSON)' };
      }
      const w = waiters.get(id);
      if (w) {
        waiters.delete(id);
        w(body);
      } else if (!early.has(id)) early.set(id, body);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: (id) => `http://127.0.0.1:${port}/respond/${encodeURIComponent(id)}`,
    wait: (id, ms) =>
      new Promise((resolve, reject) => {
        const got = early.get(id);
        if (got) {
          early.delete(id);
          resolve(got);
          return;
        }
        const t = setTimeout(() => {
          waiters.delete(id);
          reject(new Error('no answer through response_url'));
        }, ms);
        waiters.set(id, (b) => {
          clearTimeout(t);
          resolve(b);
        });
      }),
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

interface Sample {
  kind: string;
  ackMs: number;
  answerMs: number;
  status: number;
  error?: string;
}

/** The mix people send; weights add up to 100. */
function pickCommand(rnd: () => number, logs: number, user: number, readOnly: boolean): { kind: string; text: string; admin: boolean } {
  const r = rnd() * (readOnly ? 83 : 100);
  const name = `svc-${Math.floor(rnd() * logs)}`;
  const admin = user < ADMINS.length;
  if (r < 18) return { kind: 'summary', text: 'summary', admin: false };
  if (r < 22) return { kind: 'summary DATE', text: `summary ${addDays(HISTORY_END, -Math.floor(rnd() * 20))}`, admin: false };
  if (r < 34) return { kind: 'top', text: `top ${1 + Math.floor(rnd() * 30)}`, admin: false };
  if (r < 48) return { kind: 'log', text: `log ${name}-`, admin: false };
  if (r < 55) return { kind: 'alerts', text: 'alerts', admin: false };
  if (r < 62) return { kind: 'status', text: 'status', admin: false };
  if (r < 66) return { kind: 'help', text: 'help', admin: false };
  if (r < 70) return { kind: 'threshold list', text: 'threshold list', admin: false };
  if (r < 73) return { kind: 'budget show', text: 'budget show', admin: false };
  if (r < 75) return { kind: 'route list', text: 'route list', admin: false };
  if (r < 78) return { kind: 'chart', text: rnd() < 0.5 ? 'chart org 30d' : `chart ${name}- 90d`, admin: false };
  if (r < 83)
    return { kind: 'junk', text: rnd() < 0.5 ? '🔥"<!channel>'.repeat(1000) : `snooze ${'x'.repeat(rnd() * 200)} soon`, admin: false };
  if (r < 87) return { kind: admin ? 'admin change' : 'non-admin change', text: `mute ${name}-`, admin };
  const changes = [
    `snooze ${name}- 3d`,
    `unsnooze ${name}-`,
    `mute ${name}-`,
    `unmute ${name}-`,
    `threshold set log ${name}- 50GB/day`,
    'threshold remove 999999',
    'budget set 250TB/month',
    'budget clear',
  ];
  return { kind: admin ? 'admin change' : 'non-admin change', text: changes[Math.floor(rnd() * changes.length)] as string, admin };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 60);
  const users = arg('users', 50);
  const logs = arg('logs', 2000);
  const days = arg('days', 60);
  const dailyAt = process.argv.indexOf('--daily');
  const dailyMode = dailyAt === -1 ? 'process' : (process.argv[dailyAt + 1] ?? 'process');
  if (!['process', 'worker', 'none'].includes(dailyMode)) throw new Error('--daily is process, worker or none');
  const noDaily = dailyMode === 'none';
  const thinkMs = arg('think-ms', 1000);
  const readOnly = process.argv.includes('--read-only');
  const hardStop = setTimeout(
    () => {
      console.error('load: hard time limit reached; stopping');
      process.exit(1);
    },
    (seconds + 180) * 1000,
  );
  hardStop.unref();

  const dir = mkdtempSync(join(tmpdir(), 'logusage-load-'));
  const dbPath = join(dir, 'logusage.db');
  const sim = createRapid7Simulator({ apiKey: KEY, data: dataset(logs, days), rateLimit: { usage: 100_000, management: 100_000 } });
  await sim.start();
  const slack = await startFakeSlack({ token: TOKEN });
  const responder = await startResponder();
  let child: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const db = openDb(dbPath);
    const s = readSettings({}, { rapid7: { baseUrl: sim.url, apiKey: KEY, timeoutMs: 60_000 } });
    await runCollect(
      {
        db,
        client: createRapid7FromSettings(s, createSilentLogger()),
        logger: createSilentLogger(),
        now: () => new Date(`${addDays(HISTORY_END, 1)}T06:00:00Z`),
      },
      { from: addDays(HISTORY_END, -(days - 1)), to: HISTORY_END },
    );
    const who = { actor: ADMINS[0] as string, at: `${HISTORY_END}T12:00:00.000Z` };
    setRoute(db, 'Payments', 'CLOADPAYS', who);
    setThreshold(db, { scope: 'org', target: '', bytesPerDay: 50e12 }, who);
    db.close();
    console.log(`load: ${logs.toLocaleString('en-US')} logs × ${days} days stored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const self = fileURLToPath(import.meta.url);
    child = spawn(process.execPath, [...process.execArgv, '--expose-gc', self, '--server'], {
      env: { ...process.env, DB: dbPath, SIM_URL: sim.url, SLACK_API_URL: slack.apiUrl, LOAD_DAILY: dailyMode },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const messages: Array<{ type: string; port?: number; report?: ServerReport }> = [];
    const next = (type: string) =>
      new Promise<{ port?: number; report?: ServerReport }>((resolve, reject) => {
        const found = messages.find((m) => m.type === type);
        if (found) return resolve(found);
        const onMsg = (m: { type: string; port?: number; report?: ServerReport }) => {
          if (m.type === type) {
            child?.off('message', onMsg);
            resolve(m);
          }
        };
        child?.on('message', onMsg);
        child?.once('exit', (code) => reject(new Error(`the logusage process exited (${code}) before "${type}"`)));
      });
    child.on('message', (m: { type: string }) => messages.push(m));
    const { port } = await next('ready');
    const url = `http://127.0.0.1:${port}/slack/events`;
    child.send({ type: 'go' });
    console.log(
      `load: ${users} users (think ${thinkMs}–${2 * thinkMs} ms) for ${seconds} s against ${url}, ${noDaily ? 'no daily run' : dailyMode === 'worker' ? 'daily runs in a worker thread of the same process' : 'daily runs on the main thread of the same process (as serve runs them today)'}`,
    );

    const samples: Sample[] = [];
    let seq = 0;
    const until = performance.now() + seconds * 1000;
    const user = async (u: number) => {
      let seed = 0x9e3779b9 ^ (u * 2654435761);
      const rnd = () => {
        seed = (seed + 0x6d2b79f5) >>> 0;
        let t = seed;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const userId = u < ADMINS.length ? (ADMINS[u] as string) : `ULOADU${String(u).padStart(3, '0')}`;
      while (performance.now() < until) {
        const cmd = pickCommand(rnd, logs, u, readOnly);
        const rid = `r${++seq}`;
        const body = slashCommandBody({ text: cmd.text, user_id: userId, channel_id: 'CLOADCHAN', response_url: responder.url(rid) });
        const t0 = performance.now();
        const sample: Sample = { kind: cmd.kind, ackMs: Number.NaN, answerMs: Number.NaN, status: 0 };
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: signedHeaders(SECRET, body),
            body,
          });
          const ackText = await res.text();
          sample.ackMs = performance.now() - t0;
          sample.status = res.status;
          let answer: Record<string, unknown> | undefined;
          if (ackText.trim() !== '') {
            try {
              answer = JSON.parse(ackText) as Record<string, unknown>;
            } catch {
              answer = { text: ackText };
            }
          }
          if (!answer?.text) answer = await responder.wait(rid, 30_000);
          sample.answerMs = performance.now() - t0;
          const text = String(answer.text ?? '');
          if (res.status !== 200) sample.error = `HTTP ${res.status}`;
          else if (/^Sorry, .* failed|could not be uploaded/.test(text)) sample.error = text.slice(0, 120);
          else if (cmd.kind === 'non-admin change' && !/Only admins may/.test(text))
            sample.error = `a non-admin change was not refused: ${text.slice(0, 80)}`;
        } catch (err) {
          sample.error = describeError(err);
        }
        samples.push(sample);
        await new Promise((r) => setTimeout(r, thinkMs * (1 + rnd())));
      }
    };
    await Promise.all(Array.from({ length: users }, (_, u) => user(u)));
    child.send({ type: 'stop' });
    const { report } = (await next('report')) as { report: ServerReport };

    // -------------------------------------------------------------------------------------------
    const kinds = [...new Set(samples.map((x) => x.kind))].sort();
    const row = (label: string, xs: Sample[]) => {
      const ack = xs
        .map((x) => x.ackMs)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const ans = xs
        .map((x) => x.answerMs)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0).padStart(6) : '     -');
      return `${label.padEnd(18)} ${String(xs.length).padStart(6)} ${f(percentile(ack, 50))} ${f(percentile(ack, 99))} ${f(ack.at(-1) ?? Number.NaN)} ${f(percentile(ans, 50))} ${f(percentile(ans, 99))} ${f(ans.at(-1) ?? Number.NaN)} ${String(xs.filter((x) => x.error).length).padStart(6)}`;
    };
    console.log(`\n${'command'.padEnd(18)}  count ack p50 ack p99 ack max ans p50 ans p99 ans max errors   (ms)`);
    for (const k of kinds)
      console.log(
        row(
          k,
          samples.filter((x) => x.kind === k),
        ),
      );
    console.log(row('all', samples));
    const errors = samples.filter((x) => x.error);
    for (const e of errors.slice(0, 10)) console.log(`  error (${e.kind}): ${e.error}`);
    const slowAcks = samples.filter((x) => !(x.ackMs < ACK_LIMIT_MS));
    const okRuns = report.runs.filter((r) => r.ok);
    console.log(
      `\ndaily runs during the load: ${report.runs.length} (${okRuns.length} ok), ${report.runs.map((r) => `${r.day} ${(r.ms / 1000).toFixed(1)} s${r.ok ? '' : ` FAILED ${r.error}`}`).join('; ')}`,
    );
    console.log(
      `messages the daily runs sent to Slack: ${slack.messages.length} (+ ${slack.files.filter((f) => f.channel).length} charts)`,
    );
    console.log(
      `event-loop delay of the logusage process: p50 ${report.loopDelay.p50.toFixed(0)} ms, p99 ${report.loopDelay.p99.toFixed(0)} ms, max ${report.loopDelay.max.toFixed(0)} ms`,
    );
    console.log(
      `RSS of the logusage process: start ${mb(report.rssStart)}, end ${mb(report.rssEnd)} (heap ${mb(report.heapStart)} → ${mb(report.heapEnd)})`,
    );
    console.log(`RSS every 5 s: ${report.rssSeries.map((r) => (r / 1e6).toFixed(0)).join(' ')} MB`);
    console.log(`throughput: ${(samples.length / seconds).toFixed(0)} commands/s`);
    const growth = report.rssEnd - report.rssStart;
    const ok = errors.length === 0 && slowAcks.length === 0 && (noDaily || okRuns.length > 0) && growth < 150e6;
    console.log(
      `\nRESULT ${ok ? 'PASS' : 'FAIL'}: ${errors.length} error answers (target 0), ${slowAcks.length} acks ≥ ${ACK_LIMIT_MS} ms (target 0), ${okRuns.length} daily runs completed (target ≥ 1), RSS growth ${mb(growth)} (target < 150 MB)`,
    );
    console.log(
      `JSON ${JSON.stringify({ seconds, users, thinkMs, daily: dailyMode, readOnly, logs, days, commands: samples.length, errors: errors.length, slowAcks: slowAcks.length, dailyRuns: report.runs.length, rssStartMB: Math.round(report.rssStart / 1e6), rssEndMB: Math.round(report.rssEnd / 1e6), loopDelayMaxMs: Math.round(report.loopDelay.max) })}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await responder.close();
    await slack.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--daily-worker')) await dailyWorker();
else if (process.argv.includes('--server')) await server();
else await main();
