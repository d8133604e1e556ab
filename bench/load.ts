/**
 * Load: 50 concurrent users send mixed `/logusage` commands for 60 s to `logusage serve` while its schedule
 * runs daily runs for successive days (in serve's daily worker process, as production runs them), all on loopback.
 *
 *   npx tsx bench/load.ts [--seconds 60] [--users 50] [--logs 2000] [--days 60] [--think-ms 1000]
 *                         [--daily serve|none] [--read-only] [--burst] [--profile DIR]
 *
 * Each user sends a command, waits for its answer, reads it for `think-ms` to twice that (uniformly),
 * then sends the next: 50 users keep ~20–30 commands/s coming. `--think-ms 0` is a saturation test. Users start
 * at a random moment of the first `think-ms`, as people do; `--burst` starts all of them in the same millisecond
 * (50 commands in one turn of the event loop: a stall of 5–7 ms per command, by construction).
 *
 * Three processes: this one plays Slack (the users, the response_url endpoint, the fake Web API); a child
 * process is the Rapid7 simulator (so building its large answers never delays the acks timed here); a child
 * process (`--server`) is logusage: `runServe` as `logusage serve` calls it, on a SQLite file, the Slack app on
 * 127.0.0.1; its schedule fires every second and runs the day before its simulated clock, which moves on a day
 * after each run (collect → detect → alerts → digest with chart → deliver, in serve's daily worker process). It
 * reports its RSS at the start and end of the load (the worker process's memory is its own), the event-loop delay
 * of the Slack thread and each daily run.
 * Commands: summary, summary DATE, top N, log NAME, alerts, status, help, threshold list,
 * budget show, route list, chart, 10 KB of junk, a non-admin's change, and admins' changes (snooze,
 * unsnooze, mute, unmute, threshold set/remove, budget set/clear).
 *
 * Targets (docs/benchmarks.md, "Load"): no error answers; no ack (the HTTP answer Slack waits for) of 3 s or more;
 * ack p99 < 500 ms; event-loop delay max < 200 ms; RSS growth < 100 MB. Exits non-zero when a target is missed. Stops by itself (hard limit: the duration + 3 minutes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runCollect } from '../src/collect.js';
import { startServe } from '../src/commands/serve.js';
import { readSettings } from '../src/config.js';
import { DAILY_JOB } from '../src/daily.js';
import { addDays, type Day, daysInRange, weekdayOf } from '../src/days.js';
import { describeError } from '../src/errors.js';
import { createSilentLogger } from '../src/logger.js';
import { createContext, createRapid7FromSettings } from '../src/main.js';
import { createRapid7Simulator, type SimulatorData } from '../src/rapid7/simulator.js';
import { setRoute, setThreshold } from '../src/store/controls.js';
import { openDb } from '../src/store/db.js';
import { finishRun, startRun } from '../src/store/runs.js';
import { signedHeaders, slashCommandBody, startFakeSlack } from '../test/support/fake-slack.js';
import { hardTimeLimit, numberArg, stringArg } from './args.js';

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
  /** The longest stalls of the event loop (a 20 ms timer late by more than STALL_MS), s after the start of the load. */
  stalls: Array<{ atS: number; ms: number }>;
  /** `endS`: when the run was seen finished, s after the start of the load. */
  runs: Array<{ day: Day; ms: number; ok: boolean; error?: string; queued: number; endS: number }>;
}

/** A timer this late marks a stall worth listing, ms. */
const STALL_MS = 100;

function serverEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return {
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
    // Every second: each fire runs the day before the simulated clock unless that day is done (then it only
    // delivers what is pending), so a run starts within a second of the clock moving on to the next day.
    SCHEDULE: '* * * * * *',
    TIMEZONE: 'UTC',
    PORT: '0',
  };
}

const RAPID7_OVERRIDES = { rapid7: { timeoutMs: 30_000, maxRetries: 2, retryBaseMs: 50, retryMaxWaitMs: 1000 } };

type RunRecord = ServerReport['runs'][number];

/**
 * The logusage process: `runServe` as `logusage serve` calls it (src/commands/serve.ts), on a context from
 * `createContext` — the schedule, the daily runs in their worker thread, the outbox, /healthz and /metrics exactly
 * as wired in production. Only the clock is simulated: once the run for the day before the clock is done, the
 * clock moves on one day, and the next fire of the schedule runs that day.
 */
async function server(): Promise<void> {
  const env = process.env;
  const clock = { now: new Date(`${addDays(HISTORY_END, 1)}T06:30:00Z`) };
  const ctx = createContext(serverEnv(env), { overrides: RAPID7_OVERRIDES, logger: createSilentLogger(), now: () => clock.now });
  const noDaily = env.LOAD_DAILY === 'none';
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const runs: RunRecord[] = [];
  const serving = await startServe(ctx, { port: 0 });
  const port = serving.port;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const start = process.memoryUsage();
  process.send?.({ type: 'ready', port });
  const rssSeries: number[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let watcher: NodeJS.Timeout | undefined;
  let staller: NodeJS.Timeout | undefined;
  let goAt = 0;
  const stalls: ServerReport['stalls'] = [];
  let seenRunId = 0;
  const watch = () => {
    // Reads the run records the daily runs wrote (in the worker) and moves the clock on after each one.
    const rows = ctx.db
      .prepare(
        "SELECT id, day, status, duration_ms, error, details FROM runs WHERE job = 'run-daily' AND id > ? AND status != 'running' ORDER BY id",
      )
      .all(seenRunId) as Array<{
      id: number;
      day: Day;
      status: string;
      duration_ms: number | null;
      error: string | null;
      details: string | null;
    }>;
    for (const r of rows) {
      seenRunId = r.id;
      const queued = Number((JSON.parse(r.details ?? '{}') as { queued?: number }).queued ?? 0);
      runs.push({
        day: r.day,
        ms: r.duration_ms ?? 0,
        ok: r.status === 'ok',
        ...(r.error ? { error: r.error.slice(0, 200) } : {}),
        queued,
        endS: (performance.now() - goAt) / 1000,
      });
      if (r.status === 'ok' && runs.filter((x) => x.ok).length < LOOP_DAYS) clock.now = new Date(`${addDays(r.day, 2)}T06:30:00Z`);
    }
  };
  process.on('message', (m: { type: string }) => {
    if (m.type === 'go') {
      delay.enable();
      goAt = performance.now();
      let tick = goAt;
      staller = setInterval(() => {
        const t = performance.now();
        if (t - tick - 20 > STALL_MS) stalls.push({ atS: (t - goAt) / 1000, ms: t - tick - 20 });
        tick = t;
      }, 20);
      sampler = setInterval(() => rssSeries.push(process.memoryUsage().rss), 5_000);
      if (!noDaily) {
        seenRunId = ctx.db.prepare('SELECT coalesce(max(id), 0) FROM runs').pluck().get() as number;
        clock.now = new Date(`${addDays(HISTORY_END, 2)}T06:30:00Z`);
        watcher = setInterval(watch, 250);
      }
    }
    if (m.type !== 'stop') return;
    delay.disable();
    clearInterval(staller);
    clearInterval(sampler);
    clearInterval(watcher);
    if (!noDaily) watch();
    const loopDelay = { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    void serving.stop('bench').finally(() => {
      gc?.();
      const end = process.memoryUsage();
      const report: ServerReport = {
        rssStart: start.rss,
        rssEnd: end.rss,
        heapStart: start.heapUsed,
        heapEnd: end.heapUsed,
        loopDelay,
        rssSeries,
        stalls: [...stalls].sort((a, b) => b.ms - a.ms).slice(0, 8),
        runs: [...runs],
      };
      ctx.close();
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
  const seconds = numberArg('seconds', 60);
  const users = numberArg('users', 50);
  const logs = numberArg('logs', 2000);
  const days = numberArg('days', 60);
  const dailyMode = stringArg('daily', 'serve');
  if (!['serve', 'none'].includes(dailyMode)) throw new Error('--daily is serve (daily runs as serve runs them) or none');
  const noDaily = dailyMode === 'none';
  const thinkMs = numberArg('think-ms', 1000);
  const readOnly = process.argv.includes('--read-only');
  const burst = process.argv.includes('--burst');
  hardTimeLimit('load', seconds + 180);

  const dir = mkdtempSync(join(tmpdir(), 'logusage-load-'));
  const dbPath = join(dir, 'logusage.db');
  // The simulator runs in a process of its own, as a remote API would: building a 10,000-log answer must not stall
  // this process, which times the acks.
  const self = fileURLToPath(import.meta.url);
  const simChild = spawn(process.execPath, [...process.execArgv, self, '--simulator', String(logs), String(days)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sim = {
    url: await new Promise<string>((resolve, reject) => {
      simChild.once('message', (m: { url: string }) => resolve(m.url));
      simChild.once('exit', (code) => reject(new Error(`the Rapid7 simulator exited (${code})`)));
    }),
    close: async () => {
      simChild.kill('SIGTERM');
    },
  };
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
    // The history is judged: the schedule has nothing to catch up until the clock moves on (at "go").
    const judged = new Date(`${addDays(HISTORY_END, 1)}T06:31:00Z`);
    finishRun(db, startRun(db, DAILY_JOB, judged, { day: HISTORY_END }), judged, { status: 'ok' });
    db.close();
    console.log(`load: ${logs.toLocaleString('en-US')} logs × ${days} days stored in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // `--profile DIR`: V8 CPU profiles of the logusage process (its Slack thread and each worker) into DIR.
    const profDir = stringArg('profile', '');
    const prof = profDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
    child = spawn(process.execPath, [...process.execArgv, ...prof, '--expose-gc', self, '--server'], {
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
      `load: ${users} users (think ${thinkMs}–${2 * thinkMs} ms, ${burst ? 'all starting at once' : 'starting over the first think time'}) for ${seconds} s against ${url}, ${noDaily ? 'no daily run' : 'daily runs for successive days as `serve` runs them (its schedule, in its daily worker process)'}`,
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
      if (!burst) await new Promise((r) => setTimeout(r, thinkMs * rnd()));
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
    const inRun = (at: number) => report.runs.some((r) => at <= r.endS + 0.25 && at >= r.endS - r.ms / 1000 - 0.25);
    console.log(
      `stalls over ${STALL_MS} ms (longest first, s after the start; * = during a daily run): ${report.stalls.map((x) => `${x.ms.toFixed(0)} ms at ${x.atS.toFixed(1)} s${inRun(x.atS) ? '*' : ''}`).join(', ') || 'none'}`,
    );
    console.log(
      `RSS of the logusage process: start ${mb(report.rssStart)}, end ${mb(report.rssEnd)} (heap ${mb(report.heapStart)} → ${mb(report.heapEnd)})`,
    );
    console.log(`RSS every 5 s: ${report.rssSeries.map((r) => (r / 1e6).toFixed(0)).join(' ')} MB`);
    console.log(`throughput: ${(samples.length / seconds).toFixed(0)} commands/s`);
    const growth = report.rssEnd - report.rssStart;
    const peak = Math.max(report.rssEnd, ...report.rssSeries);
    const allAcks = samples
      .map((x) => x.ackMs)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const ackP99 = percentile(allAcks, 99);
    // The targets of docs/benchmarks.md ("Load"), one line each.
    const targets: Array<[string, string, boolean]> = [
      ['acks of 3 s or more', `${slowAcks.length} (target 0)`, slowAcks.length === 0],
      ['ack p99', `${ackP99.toFixed(0)} ms (target < 500 ms)`, ackP99 < 500],
      ['error answers', `${errors.length} (target 0)`, errors.length === 0],
      [
        'RSS growth over the run',
        `${mb(growth)}: ${mb(report.rssStart)} → ${mb(report.rssEnd)}, peak ${mb(peak)} (target < 100 MB)`,
        growth < 100e6,
      ],
      ['event-loop delay max (Slack thread)', `${report.loopDelay.max.toFixed(0)} ms (target < 200 ms)`, report.loopDelay.max < 200],
      ['daily runs completed', `${okRuns.length} (target ≥ 1)`, noDaily || okRuns.length > 0],
    ];
    console.log('\ntargets:');
    for (const [what, figure, met] of targets) console.log(`  ${met ? 'PASS' : 'MISS'}  ${what.padEnd(36)} ${figure}`);
    const ok = targets.every(([, , met]) => met);
    console.log(`\nRESULT ${ok ? 'PASS' : 'FAIL'}`);
    console.log(
      `JSON ${JSON.stringify({ seconds, users, thinkMs, daily: dailyMode, readOnly, burst, logs, days, commands: samples.length, errors: errors.length, slowAcks: slowAcks.length, ackP99Ms: Math.round(ackP99), dailyRuns: report.runs.length, rssStartMB: Math.round(report.rssStart / 1e6), rssEndMB: Math.round(report.rssEnd / 1e6), rssPeakMB: Math.round(peak / 1e6), loopDelayMaxMs: Math.round(report.loopDelay.max) })}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    const c = child;
    if (c && c.exitCode === null) {
      // It exits by itself after its report (a CPU profile is written then); killed if it does not.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 30_000);
        c.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (c.exitCode === null) c.kill('SIGKILL');
    }
    await responder.close();
    await slack.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--simulator LOGS DAYS`: the Rapid7 simulator serving the dataset; reports its URL, runs until killed. */
async function simulator(): Promise<void> {
  const at = process.argv.indexOf('--simulator');
  const sim = createRapid7Simulator({
    apiKey: KEY,
    data: dataset(Number(process.argv[at + 1]), Number(process.argv[at + 2])),
    rateLimit: { usage: 100_000, management: 100_000 },
  });
  await sim.start();
  process.send?.({ url: sim.url });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv.includes('--simulator')) await simulator();
else if (process.argv.includes('--server')) await server();
else await main();
