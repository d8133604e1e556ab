/** `logusage serve`: background services around the real app, /healthz, and a clean stop on SIGTERM. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../../../src/commands/serve.js';
import { readSettings } from '../../../src/config.js';
import { createSilentLogger } from '../../../src/logger.js';
import type { AppContext } from '../../../src/main.js';
import { openDb } from '../../../src/store/db.js';
import { spawnWatched, waitUntil } from '../../support/child.js';
import { type FakeSlack, sendSlashCommand, startFakeSlack } from '../../support/fake-slack.js';
import { NOW, SECRET } from '../../support/slack-harness.js';

/** Overall deadline for a server to come up (the CLI compiles TypeScript first; the machine may be busy). */
const START_MS = 120_000;

let fake: FakeSlack | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(apiUrl: string): AppContext {
  const db = openDb(':memory:');
  return {
    settings: readSettings({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: apiUrl,
      SLACK_ALERT_CHANNEL: 'C0ALERTS1',
      PORT: '0',
      // The settings name the database the context holds: serve's daily run works on it, in this thread.
      DATABASE_PATH: ':memory:',
    }),
    logger: createSilentLogger(),
    db,
    now: () => NOW,
    close: () => db.close(),
  };
}

describe('runServe', () => {
  it('starts the daily schedule once the app listens, serves its health, and stops it and the app on the signal', async () => {
    fake = await startFakeSlack();
    const ctx = context(fake.apiUrl);
    const serve = await startServe(ctx, { port: 0 });
    // The daily service's report: on start it catches up the missed run of yesterday (an empty database, no
    // Rapid7 key: nothing to collect), then waits for its next scheduled run.
    type Health = { status: string; running: boolean; lastRun: { day: string } | null; nextRun: string | null };
    let body: Health | undefined;
    const deadline = Date.now() + START_MS;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${serve.port}/healthz`);
      expect(res.status).toBe(200);
      body = (await res.json()) as Health;
      if ((!body.running && body.lastRun !== null) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(body).toMatchObject({ status: 'ok', running: false, lastRun: { day: '2026-03-10' } });
    expect(body?.nextRun).toMatch(/^\d{4}-\d\d-\d\dT06:30:00\.000Z$/);
    await serve.stop();
    await expect(fetch(`http://127.0.0.1:${serve.port}/healthz`)).rejects.toThrow();
    ctx.close();
  });

  it('without the schedule (schedule: false) /healthz reports the newest run of the database', async () => {
    fake = await startFakeSlack();
    const ctx = context(fake.apiUrl);
    const serve = await startServe(ctx, { schedule: false, port: 0 });
    const body = (await (await fetch(`http://127.0.0.1:${serve.port}/healthz`)).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('nextRun');
    await serve.stop();
    ctx.close();
  });
});

describe('logusage serve (the CLI, in its own process)', () => {
  it(
    'serves /healthz and slash commands, then stops cleanly on SIGTERM with exit code 0',
    async () => {
      fake = await startFakeSlack();
      const dir = mkdtempSync(join(tmpdir(), 'logusage-serve-'));
      dirs.push(dir);
      const root = resolve(import.meta.dirname, '..', '..', '..');
      const serve = spawnWatched(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'serve', '--port', '0'], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          SLACK_BOT_TOKEN: 'xoxb-test-token',
          SLACK_SIGNING_SECRET: SECRET,
          SLACK_API_URL: fake.apiUrl,
          SLACK_ALERT_CHANNEL: 'C0ALERTS1',
          DATABASE_PATH: join(dir, 'db.sqlite'),
          LOG_LEVEL: 'info',
        },
      });
      try {
        const portOf = () => Number(serve.stderr.map((l) => /listening on port (\d+)/.exec(l)?.[1]).find(Boolean));
        await waitUntil(
          () => {
            if (serve.child.exitCode !== null) throw new Error(`serve exited early:\n${serve.stderr.join('\n')}`);
            return portOf() > 0;
          },
          'serve to listen',
          START_MS,
          () => serve.stderr.join('\n'),
        );
        const port = portOf();
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).toBe(200);
        const res = await sendSlashCommand(`http://127.0.0.1:${port}/slack/events`, SECRET, {
          text: 'help',
          response_url: fake.responseUrl('cli'),
        });
        expect(res.status).toBe(200);
        expect(String(res.json?.text)).toContain('/logusage summary');
        serve.child.kill('SIGTERM');
        // `closed`: exited and its output read to the end, so the last lines are there to check.
        expect(await serve.closed).toBe(0);
        const err = serve.stderr.join('\n');
        expect(err).toMatch(/stopping/);
        expect(err).toMatch(/stopped/);
      } finally {
        if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
      }
    },
    START_MS + 60_000,
  );
});
