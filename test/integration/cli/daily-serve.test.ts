/**
 * Two real `logusage serve` processes on one database: both start, both see the missed daily run and
 * try to catch it up; the database lease lets exactly one run it. /healthz reports the last run and the
 * next one; SIGTERM stops both cleanly.
 *
 * Ordered by events, not by timing: Rapid7 is reached through a gate that holds every request until
 * both processes have logged their start-up decision. The process that took the lease is held inside
 * its run meanwhile, so the other one always meets the lease — however slowly either starts on a busy
 * machine — instead of starting after the run is over and never trying.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange, yesterdayUtc } from '../../../src/days.js';
import { openDb } from '../../../src/store/db.js';
import { spawnWatched, type WatchedChild, waitUntil } from '../../support/child.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { API_KEY, buildData, startSimulator } from '../../support/rapid7.js';
import { tempDbPath } from '../../support/tmp.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOKEN = 'xoxb-serve-test-token';
// Overall deadlines for things that must eventually happen; on an idle machine each takes seconds.
const START_MS = 120_000;
const RUN_MS = 90_000;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startServe(env: Record<string, string>): WatchedChild {
  const w = spawnWatched(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  children.push(w.child);
  return w;
}

/** The structured log lines of a process with this message. */
const lines = (s: WatchedChild, msg: string) => s.stderr.filter((l) => l.includes(`"msg":"${msg}"`));
const logged = (s: WatchedChild, msg: string) => lines(s, msg).length > 0;
const portOf = (s: WatchedChild) => Number(s.stderr.map((l) => /listening on port (\d+)/.exec(l)?.[1]).find(Boolean));
const output =
  (...ss: WatchedChild[]) =>
  () =>
    ss.map((s, i) => `--- process ${i + 1}:\n${s.stderr.join('\n')}`).join('\n');
/** True while every process runs; throws (with its output) as soon as one has exited. */
const alive = (...ss: WatchedChild[]) => {
  for (const s of ss)
    if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`serve exited early:\n${s.stderr.join('\n')}`);
  return true;
};

/** A loopback proxy to `target` that holds every request until `open()`. */
async function startGate(target: string) {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let held = 0;
  const server = createServer((req, res) => {
    held++;
    void opened.then(() => {
      const up = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open,
    held: () => held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('two serve processes on one database', () => {
  it(
    'run the missed daily job once between them',
    async () => {
      const yesterday: Day = yesterdayUtc(new Date());
      const days = daysInRange(addDays(yesterday, -44), yesterday);
      const sim = await startSimulator({ data: buildData({ logs: 4, days, bytes: (i, day) => (i + 1) * 1e9 + days.indexOf(day) * 1e6 }) });
      const gate = await startGate(sim.url);
      const slack = await startFakeSlack({ token: TOKEN });
      const dbPath = tempDbPath();
      openDb(dbPath).close();
      const env = {
        DATABASE_PATH: dbPath,
        RAPID7_API_KEY: API_KEY,
        RAPID7_BASE_URL: gate.url,
        // A held request must outlast the other process's start (START_MS), not time out and fail the run.
        RAPID7_TIMEOUT_MS: String(START_MS + RUN_MS),
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: 'serve-test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        SLACK_ALERT_CHANNEL: 'CALERTS02',
        SLACK_DIGEST_CHANNEL: 'CDIGEST02',
        LOG_LEVEL: 'info',
      };
      try {
        const a = startServe(env);
        const b = startServe(env);
        await waitUntil(
          () => alive(a, b) && logged(a, 'schedule started') && logged(b, 'schedule started'),
          'both processes to start their schedule',
          START_MS,
          output(a, b),
        );
        // Both saw the missed run; the one holding the lease is waiting at the gate, so nothing is done yet.
        for (const s of [a, b]) expect(lines(s, 'schedule started')[0]).toContain('"catchUp":true');
        gate.open();
        const decided = (s: WatchedChild) => logged(s, 'daily job done') || logged(s, 'daily job skipped') || logged(s, 'daily job failed');
        await waitUntil(() => decided(a) && decided(b), 'both processes to decide about the catch-up run', RUN_MS, output(a, b));

        expect([a, b].filter((s) => logged(s, 'daily job done'))).toHaveLength(1);
        const skipped = [a, b].flatMap((s) => lines(s, 'daily job skipped'));
        expect(skipped).toHaveLength(1);
        // Skipped because the other process held the lease, not because it found the day already done.
        expect(skipped[0]).toContain('Another logusage process');
        expect([a, b].filter((s) => logged(s, 'daily job failed'))).toHaveLength(0);
        expect(gate.held()).toBeGreaterThan(0);
        const db = openDb(dbPath);
        try {
          expect(db.prepare("SELECT status, day FROM runs WHERE job = 'run-daily'").all()).toEqual([{ status: 'ok', day: yesterday }]);
        } finally {
          db.close();
        }
        await slack.waitFor(() => slack.files.length === 1, RUN_MS);
        expect(slack.messages.filter((m) => m.channel === 'CDIGEST02' && !m.threadTs)).toHaveLength(1);

        for (const s of [a, b]) {
          const res = await fetch(`http://127.0.0.1:${portOf(s)}/healthz`);
          expect(res.status).toBe(200);
          const body = (await res.json()) as Record<string, unknown>;
          expect(body).toMatchObject({ status: 'ok', lastSuccess: { day: yesterday }, running: false, pendingMessages: 0, failure: null });
          expect(Date.parse(String(body.nextRun))).toBeGreaterThan(Date.now());
        }

        a.child.kill('SIGTERM');
        b.child.kill('SIGTERM');
        expect(await Promise.all([a.closed, b.closed])).toEqual([0, 0]);
        expect(logged(a, 'schedule stopped') && logged(b, 'schedule stopped')).toBe(true);
      } finally {
        await slack.close();
        await gate.close();
      }
    },
    2 * START_MS + RUN_MS,
  );
});
