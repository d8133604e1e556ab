/**
 * The soak: N simulated days of daily runs in a row, with random faults injected into Rapid7 and Slack
 * (seeded, so a run can be replayed), against a reference world that runs the same days with no fault.
 * Expected = what the reference delivered. The faulty world must deliver every expected message exactly
 * once (no loss, no duplicate), in the same order per channel, with the same final text after updates,
 * and each uploaded chart once. A day whose run fails (a fatal Rapid7 fault) is retried, as the schedule
 * does; its failure notice and "working again" reply are the only extra messages allowed.
 *
 * Vitest-free: used by test/hostile/soak.test.ts (a short soak) and bench/soak.ts (30 days, figures).
 */
import { deliverPending } from '../../src/daily.js';
import { addDays, type Day, daysInRange, weekdayOf } from '../../src/days.js';
import { describeError } from '../../src/errors.js';
import { createRandom } from '../../src/random.js';
import type { SimBehaviour, SimulatorData } from '../../src/rapid7/simulator.js';
import { setRoute, setThreshold } from '../../src/store/controls.js';
import { countOutbox } from '../../src/store/outbox.js';
import type { FakeSlack, Fault } from './fake-slack.js';
import { createWorld, type World } from './world.js';

export const SOAK_START: Day = '2026-03-02';
const HISTORY_DAYS = 35;
const LOGS = 16;
const GB = 1e9;
const ROUTED = 'CPAYMENTS1';
const USAGE = '/usage/organizations/logs';
const ORG = '/usage/organizations';
const NAMES = '/management/logs';

export interface SoakOptions {
  days: number;
  seed: number;
  /** Share of days with recoverable Rapid7 faults / a fatal Rapid7 fault / Slack faults. */
  rates?: { rapid7?: number; fatal?: number; slack?: number };
  /** Called after each simulated day (bench progress). */
  onDay?: (line: string) => void;
}

export interface SoakReport {
  days: number;
  seed: number;
  ms: number;
  /** Daily runs attempted in the faulty world, and how many failed (then were retried). */
  runs: number;
  failedRuns: number;
  rapid7Faults: number;
  slackFaults: number;
  /** Faults the fake Slack actually served (injected faults are consumed by calls). */
  slackFaultsServed: number;
  /** Messages the reference delivered (posts and replies), updates, uploads. */
  expected: { messages: number; alertPosts: number; updates: number; uploads: number };
  delivered: { messages: number; uploads: number; failureNotices: number; recoveryReplies: number };
  /** Everything that differs from the reference; empty when every expected message arrived exactly once. */
  problems: string[];
}

const logId = (i: number) => `5c0a0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** 16 logs with a weekly rhythm and scripted events spread over the soak (offset k from SOAK_START). */
export function soakDataset(days: number): SimulatorData {
  const all = daysInRange(addDays(SOAK_START, -HISTORY_DAYS), addDays(SOAK_START, Math.max(days, 30) - 1));
  const bases = [40, 25, 12, 8, 5, 3, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
  const data: SimulatorData = { logs: [], usage: new Map() };
  for (let i = 0; i < LOGS; i++) {
    const set = i === 11 ? 'Payments' : i % 2 === 0 ? 'Web' : 'Security';
    data.logs.push({ id: logId(i), name: `soak-log-${i}`, logsets: [{ id: `set-${set}`, name: set }] });
  }
  for (const [n, day] of all.entries()) {
    const k = n - HISTORY_DAYS;
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    const perLog = new Map<string, number>();
    for (let i = 0; i < LOGS; i++) {
      let v = (bases[i] as number) * GB * (weekend ? (i % 2 === 0 ? 0.6 : 0.9) : 1) * (1 + 0.03 * Math.sin(n * 1.3 + i * 0.7));
      if (i === 1 && (k === 2 || k === 3)) v *= 4;
      if (i === 2 && k >= 5 && k <= 8) continue;
      if (i === 3 && k >= 7) v *= 2.5;
      if (i === 4 && k < 10) continue;
      if (i === 5 && k === 12) v *= 5;
      if (i === 6 && k >= 15 && k <= 17) v *= 0.15;
      if (i === 7 && k >= 18) continue;
      if (i === 8 && k >= 20 && k <= 22) v *= 4;
      if (i === 9 && k < 24) continue;
      if (i === 10 && k === 26) v *= 6;
      if (i === 11 && k === 14) v *= 5;
      if (i === 12 && k === 9) v *= 1.6;
      perLog.set(logId(i), Math.round(v));
    }
    data.usage.set(day, perLog);
  }
  return data;
}

/** A world holding the history before the soak, with a route and a threshold set. */
async function prepare(days: number): Promise<World> {
  const w = await createWorld({ data: soakDataset(days), budget: 3.2e12 });
  w.clock.now = new Date(`${SOAK_START}T06:00:00Z`);
  await w.collect(addDays(SOAK_START, -HISTORY_DAYS), addDays(SOAK_START, -1));
  const who = { actor: 'USOAKADM1', at: `${SOAK_START}T05:00:00.000Z` };
  setRoute(w.db, 'Payments', ROUTED, who);
  setThreshold(w.db, { scope: 'log', target: logId(12), bytesPerDay: 0.55 * GB }, who);
  return w;
}

const RAPID7_TRANSIENT: Array<(path: string) => SimBehaviour> = [
  (path) => ({ path, status: 429, headers: { 'Retry-After': '99999999' } }),
  (path) => ({ path, status: 429, headers: { 'Retry-After': 'soon' } }),
  (path) => ({ path, status: 429, headers: { 'Retry-After': '-5' } }),
  (path) => ({ path, status: 429 }),
  (path) => ({ path, status: 500 }),
  (path) => ({ path, status: 502, body: '<html>Bad Gateway</html>' }),
  (path) => ({ path, status: 503 }),
  (path) => ({ path, status: 504 }),
  (path) => ({ path, destroy: true }),
  (path) => ({ path, truncateAt: 40 }),
  (path) => ({ path, slowBody: { chunkBytes: 16, intervalMs: 40 } }),
  (path) => ({ path, delayMs: 60_000 }),
];
const SLACK_FAULTS: Fault[] = [
  { kind: 'http', status: 500 },
  { kind: 'http', status: 502 },
  { kind: 'http', status: 503 },
  { kind: 'ratelimit', retryAfter: 0 },
  { kind: 'error', error: 'internal_error' },
  { kind: 'error', error: 'service_unavailable' },
];
const SLACK_METHODS = [
  'chat.postMessage',
  'chat.update',
  'files.getUploadURLExternal',
  'files.completeUploadExternal',
  'conversations.history',
];

export interface Delivered {
  /** Messages per channel in posting order: metadata key → final text. */
  byChannel: Map<string, Array<{ key: string; text: string; thread: string | null }>>;
  counts: Map<string, number>;
  files: Map<string, number>;
}

export function delivered(slack: FakeSlack): Delivered {
  const keyOfTs = new Map<string, string>();
  for (const m of slack.messages) keyOfTs.set(`${m.channel} ${m.ts}`, m.metadata?.event_payload.key as string);
  const byChannel: Delivered['byChannel'] = new Map();
  const counts = new Map<string, number>();
  for (const m of slack.messages) {
    const key = String(m.metadata?.event_payload.key ?? `(no key) ${m.text}`);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const list = byChannel.get(m.channel) ?? [];
    list.push({ key, text: m.text ?? '', thread: m.threadTs ? (keyOfTs.get(`${m.channel} ${m.threadTs}`) ?? '?') : null });
    byChannel.set(m.channel, list);
  }
  const files = new Map<string, number>();
  for (const f of slack.files) if (f.channel) files.set(`${f.channel} ${f.filename}`, (files.get(`${f.channel} ${f.filename}`) ?? 0) + 1);
  return { byChannel, counts, files };
}

const isFailureNotice = (key: string) => key.startsWith('run-failed:') || key.startsWith('run-recovered:');

/** Everything in `got` that is not exactly `want` (failure notices aside). */
export function compareDeliveries(want: Delivered, got: Delivered): string[] {
  const problems: string[] = [];
  for (const [key, n] of got.counts) if (n > 1) problems.push(`delivered ${n} times: ${key}`);
  for (const [f, n] of got.files) if (n > 1) problems.push(`uploaded ${n} times: ${f}`);
  for (const f of want.files.keys()) if (!got.files.has(f)) problems.push(`never uploaded: ${f}`);
  for (const f of got.files.keys()) if (!want.files.has(f)) problems.push(`unexpected upload: ${f}`);
  const channels = new Set([...want.byChannel.keys(), ...got.byChannel.keys()]);
  for (const ch of channels) {
    const w = want.byChannel.get(ch) ?? [];
    const g = (got.byChannel.get(ch) ?? []).filter((m) => !isFailureNotice(m.key) && !(m.thread && isFailureNotice(m.thread)));
    const wk = new Set(w.map((m) => m.key));
    for (const m of w) if (!got.counts.has(m.key)) problems.push(`never delivered in ${ch}: ${m.key}`);
    for (const m of g) if (!wk.has(m.key)) problems.push(`unexpected in ${ch}: ${m.key} ${m.text.slice(0, 80)}`);
    const order = (list: typeof w) => list.map((m) => m.key).join(' | ');
    if (order(w) !== order(g) && problems.length === 0) problems.push(`order differs in ${ch}:\n  want ${order(w)}\n  got  ${order(g)}`);
    const gotByKey = new Map(g.map((m) => [m.key, m]));
    for (const m of w) {
      const x = gotByKey.get(m.key);
      if (x && x.text !== m.text)
        problems.push(`final text differs for ${m.key}:\n  want ${m.text.slice(0, 160)}\n  got  ${x.text.slice(0, 160)}`);
      if (x && x.thread !== m.thread) problems.push(`thread differs for ${m.key}: want ${m.thread}, got ${x.thread}`);
    }
  }
  return problems;
}

/** Delivers what is still queued (faults are finite, so this ends), at most `rounds` drains. */
async function flush(w: World, rounds = 30): Promise<number> {
  for (let i = 0; i < rounds; i++) {
    await deliverPending(w.deps({ deliverTimeoutMs: 5_000 }));
    const c = countOutbox(w.db);
    if (c.pending === 0) return 0;
  }
  return countOutbox(w.db).pending;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const t0 = performance.now();
  const rnd = createRandom(o.seed);
  const rates = { rapid7: 0.6, fatal: 0.15, slack: 0.5, ...o.rates };
  const ref = await prepare(o.days);
  const hot = await prepare(o.days);
  const report: SoakReport = {
    days: o.days,
    seed: o.seed,
    ms: 0,
    runs: 0,
    failedRuns: 0,
    rapid7Faults: 0,
    slackFaults: 0,
    slackFaultsServed: 0,
    expected: { messages: 0, alertPosts: 0, updates: 0, uploads: 0 },
    delivered: { messages: 0, uploads: 0, failureNotices: 0, recoveryReplies: 0 },
    problems: [],
  };
  try {
    for (let k = 0; k < o.days; k++) {
      const day = addDays(SOAK_START, k);
      await ref.runDay(day);

      const faults: string[] = [];
      if (rnd() < rates.rapid7) {
        // At most 3 faults per endpoint: the client's 3 retries ride them out.
        for (const path of [USAGE, ORG, NAMES]) {
          const n = Math.floor(rnd() * 4);
          for (let i = 0; i < n; i++) {
            const b = (RAPID7_TRANSIENT[Math.floor(rnd() * RAPID7_TRANSIENT.length)] as (p: string) => SimBehaviour)(path);
            hot.sim.inject(b);
            faults.push(
              `r7 ${path} ${b.status ?? (b.destroy ? 'reset' : b.truncateAt !== undefined ? 'cut' : b.slowBody ? 'slow' : 'hang')}`,
            );
          }
        }
      }
      report.rapid7Faults += faults.length;
      if (rnd() < rates.fatal) {
        // One more than the client retries: the run fails, and the retried run passes.
        for (let i = 0; i < 4; i++) hot.sim.inject({ path: USAGE, status: 503 });
        faults.push('r7 fatal 503×4');
        report.rapid7Faults += 4;
      }
      if (rnd() < rates.slack) {
        for (const method of SLACK_METHODS) {
          if (rnd() < 0.5) continue;
          const n = 1 + Math.floor(rnd() * 4);
          const fault = SLACK_FAULTS[Math.floor(rnd() * SLACK_FAULTS.length)] as Fault;
          hot.slack.fail(method, fault, n);
          report.slackFaults += n;
          faults.push(`slack ${method} ${fault.kind}${'status' in fault ? fault.status : ''}×${n}`);
        }
      }

      let ok = false;
      for (let attempt = 0; attempt < 6 && !ok; attempt++) {
        report.runs++;
        try {
          await hot.runDay(day, { deliverTimeoutMs: 3_000 });
          ok = true;
        } catch (err) {
          report.failedRuns++;
          faults.push(`run failed: ${describeError(err).slice(0, 60)}`);
        }
      }
      if (!ok) report.problems.push(`${day}: the daily run never succeeded`);
      o.onDay?.(`${day}  ${faults.length === 0 ? 'no faults' : faults.join(', ')}`);
    }
    const left = await flush(hot);
    if (left > 0) report.problems.push(`${left} message(s) still queued after the soak`);
    if ((await flush(ref)) > 0) report.problems.push('the reference world could not deliver everything');
    const dead = countOutbox(hot.db).dead;
    if (dead > 0) report.problems.push(`${dead} message(s) given up`);

    const want = delivered(ref.slack);
    const got = delivered(hot.slack);
    report.problems.push(...compareDeliveries(want, got));
    report.expected = {
      messages: ref.slack.messages.length,
      alertPosts: ref.slack.calls.filter(
        (c) => c.method === 'chat.postMessage' && !c.fault && !c.body.thread_ts && /alert:/.test(JSON.stringify(c.body.metadata)),
      ).length,
      updates: ref.slack.calls.filter((c) => c.method === 'chat.update' && !c.fault).length,
      uploads: ref.slack.files.filter((f) => f.channel).length,
    };
    const keys = [...got.counts.keys()];
    report.delivered = {
      messages: hot.slack.messages.length,
      uploads: hot.slack.files.filter((f) => f.channel).length,
      failureNotices: keys.filter((key) => key.startsWith('run-failed:')).length,
      recoveryReplies: keys.filter((key) => key.startsWith('run-recovered:')).length,
    };
    report.slackFaultsServed = hot.slack.calls.filter((c) => c.fault).length;
    // The scripted events give about one alert every 3 days; fewer means detection or the scenario broke.
    if (report.expected.alertPosts < Math.floor(o.days / 4))
      report.problems.push(`the reference posted only ${report.expected.alertPosts} alerts: the scenario is too quiet to prove anything`);
  } finally {
    await ref.close();
    await hot.close();
  }
  report.ms = performance.now() - t0;
  return report;
}
