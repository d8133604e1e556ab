/**
 * Two real `logusage serve` processes on one database: both start, both see the missed daily run and
 * try to catch it up; the database lease lets exactly one run it. /healthz reports the last run and the
 * next one; SIGTERM stops both cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange, yesterdayUtc } from '../../src/days.js';
import { openDb } from '../../src/store/db.js';
import { startFakeSlack } from '../helpers/fake-slack.js';
import { API_KEY, buildData, startSimulator } from '../helpers/rapid7.js';
import { tempDbPath } from '../helpers/tmp.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = 'xoxb-serve-test-token';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

interface Serve {
  child: ChildProcess;
  stderr: string[];
  port: Promise<number>;
  exited: Promise<number | string | null>;
}

function startServe(env: Record<string, string>): Serve {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stderr: string[] = [];
  const port = new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (b: Buffer) => {
      const text = b.toString();
      stderr.push(...text.split('\n').filter(Boolean));
      const m = /listening on port (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`serve exited early:\n${stderr.join('\n')}`)));
  });
  port.catch(() => undefined);
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  return { child, stderr, port, exited };
}

// Generous waits: two processes start and compile TypeScript on a machine that may be busy with other tests.
const logged = (s: Serve, msg: string) => s.stderr.some((l) => l.includes(`"msg":"${msg}"`));

async function until(check: () => boolean, what: string, ms = 100_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('two serve processes on one database', () => {
  it('run the missed daily job once between them', async () => {
    const yesterday: Day = yesterdayUtc(new Date());
    const days = daysInRange(addDays(yesterday, -44), yesterday);
    const sim = await startSimulator({ data: buildData({ logs: 4, days, bytes: (i, day) => (i + 1) * 1e9 + days.indexOf(day) * 1e6 }) });
    const slack = await startFakeSlack({ token: TOKEN });
    const dbPath = tempDbPath();
    openDb(dbPath).close();
    const env = {
      DATABASE_PATH: dbPath,
      RAPID7_API_KEY: API_KEY,
      RAPID7_BASE_URL: sim.url,
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
      const ports = await Promise.all([a.port, b.port]);
      const decided = (s: Serve) => logged(s, 'daily job done') || logged(s, 'daily job skipped') || logged(s, 'daily job failed');
      await until(() => decided(a) && decided(b), 'both processes to decide about the catch-up run');

      expect([a, b].filter((s) => logged(s, 'daily job done'))).toHaveLength(1);
      expect([a, b].filter((s) => logged(s, 'daily job skipped'))).toHaveLength(1);
      expect([a, b].filter((s) => logged(s, 'daily job failed'))).toHaveLength(0);
      const db = openDb(dbPath);
      try {
        expect(db.prepare("SELECT status, day FROM runs WHERE job = 'run-daily'").all()).toEqual([{ status: 'ok', day: yesterday }]);
      } finally {
        db.close();
      }
      await slack.waitFor(() => slack.files.length === 1, 10_000);
      expect(slack.messages.filter((m) => m.channel === 'CDIGEST02' && !m.threadTs)).toHaveLength(1);

      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ status: 'ok', lastSuccess: { day: yesterday }, running: false, pendingMessages: 0, failure: null });
        expect(Date.parse(String(body.nextRun))).toBeGreaterThan(Date.now());
      }

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
      expect(logged(a, 'schedule stopped') && logged(b, 'schedule stopped')).toBe(true);
    } finally {
      await slack.close();
    }
  }, 150_000);
});
