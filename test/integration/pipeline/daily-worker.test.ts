/**
 * The daily run in serve's worker thread (src/daily-worker.ts): the same rows and the same Slack calls as
 * `runDaily` on the calling thread; its logs and counters arrive in this thread; errors keep their code.
 */
import { describe, expect, it } from 'vitest';
import { DAILY_LOCK, RunInterruptedError, runDaily } from '../../../src/daily.js';
import { runInWorker } from '../../../src/daily-worker.js';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { AppError } from '../../../src/errors.js';
import { createLogger } from '../../../src/logger.js';
import { createDailyDeps } from '../../../src/main.js';
import { createCounters } from '../../../src/metrics/counters.js';
import { acquireLock, releaseLock } from '../../../src/store/locks.js';
import { byChannel, startDailyHarness, visibleCalls } from '../../support/daily-harness.js';
import { captureLogs } from '../../support/logs.js';
import { buildData } from '../../support/rapid7.js';

const DAY: Day = '2026-03-10';
/** Each test starts worker processes (compiling TypeScript first under tsx): generous on a busy machine. */
const WORKER_TEST_MS = 180_000;
const data = () =>
  buildData({
    logs: 6,
    days: daysInRange(addDays(DAY, -44), DAY),
    bytes: (i, d) => (i + 1) * 1e9 * (d === DAY && i === 2 ? 8 : 1) * (1 + 0.02 * ((Number(d.slice(8, 10)) * (i + 3)) % 5)),
  });
const morning = () => new Date(`${addDays(DAY, 1)}T06:30:00Z`);

describe('the daily run in a worker thread', () => {
  it(
    'writes the same rows and sends the same Slack calls as runDaily on this thread',
    async () => {
      // The same dependencies on both sides: those `serve` builds from the settings (createDailyDeps).
      const here = await startDailyHarness({ data: data() });
      await runDaily(createDailyDeps({ db: here.db, settings: here.settings, logger: createLogger({ level: 'silent' }), now: morning }), {
        day: DAY,
      });

      const there = await startDailyHarness({ data: data() });
      const logs = captureLogs();
      const counters = createCounters();
      const summary = await runInWorker(
        {
          settings: there.settings,
          db: there.db,
          logger: createLogger({ level: 'info', destination: logs.destination }),
          now: morning,
          counters,
        },
        { kind: 'daily', day: DAY },
      );
      expect(summary).toMatchObject({ day: DAY, findings: expect.any(Number), queued: expect.any(Number) });
      expect(summary.findings).toBeGreaterThan(0);

      const rows = (h: typeof here) => ({
        runs: h.db.prepare("SELECT job, day, status FROM runs WHERE job = 'run-daily'").all(),
        alerts: h.db.prepare('SELECT episode_key, kind, status, first_day FROM alerts ORDER BY episode_key').all(),
        outbox: h.db.prepare('SELECT idem_key, channel, method, status FROM outbox ORDER BY idem_key').all(),
      });
      expect(rows(there)).toEqual(rows(here));
      expect(byChannel(visibleCalls(there.slack))).toEqual(byChannel(visibleCalls(here.slack)));

      // The worker's log lines were written by this thread's logger; its counters were added to this thread's.
      const msgs = logs.records().map((r) => `${r.worker} ${r.msg}`);
      expect(msgs).toContain('daily collect done');
      const requests = counters.samples().filter((s) => s.id === 'rapid7Requests');
      expect(requests.reduce((a, s) => a + s.value, 0)).toBe(3);
      const sent = counters.samples().find((s) => s.id === 'slackSends' && s.labels.outcome === 'sent');
      expect(sent?.value).toBe(there.slack.messages.length + there.slack.files.length);
    },
    WORKER_TEST_MS,
  );

  it(
    'fails with LOCKED when another process holds the lease, and with RunInterruptedError after a shutdown',
    async () => {
      const h = await startDailyHarness({ data: data() });
      const deps = { settings: h.settings, db: h.db, logger: createLogger({ level: 'silent' }), now: morning };
      expect(acquireLock(h.db, DAILY_LOCK, 'elsewhere:1:abc', new Date(), 60_000)).toBe(true);
      const locked = await runInWorker(deps, { kind: 'daily', day: DAY }).catch((e: unknown) => e);
      expect(locked).toBeInstanceOf(AppError);
      expect((locked as AppError).code).toBe('LOCKED');

      releaseLock(h.db, DAILY_LOCK, 'elsewhere:1:abc');
      const stopped = new AbortController();
      stopped.abort();
      const interrupted = await runInWorker(deps, { kind: 'daily', day: DAY }, { signal: stopped.signal }).catch((e: unknown) => e);
      expect(interrupted).toBeInstanceOf(RunInterruptedError);
      expect(h.db.prepare("SELECT count(*) FROM runs WHERE job = 'run-daily' AND status = 'ok'").pluck().get()).toBe(0);
    },
    WORKER_TEST_MS,
  );

  it(
    "runs /logusage refresh's collection and answers its line",
    async () => {
      const h = await startDailyHarness({ data: data() });
      const counters = createCounters();
      const line = await runInWorker(
        { settings: h.settings, db: h.db, logger: createLogger({ level: 'silent' }), now: morning, counters },
        { kind: 'collect' },
      );
      expect(line).toMatch(/^Collected \d{4}-\d\d-\d\d … 2026-03-10: \d+ values for 6 logs\.$/);
      expect(h.db.prepare("SELECT count(*) FROM runs WHERE job = 'collect' AND status = 'ok'").pluck().get()).toBe(1);
      expect(
        counters
          .samples()
          .filter((s) => s.id === 'rapid7Requests')
          .reduce((a, s) => a + s.value, 0),
      ).toBe(3);
    },
    WORKER_TEST_MS,
  );
});
