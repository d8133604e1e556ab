/**
 * The daily schedule of `serve`: node-cron 4 fires the job at SCHEDULE in TIMEZONE (DST handled by
 * node-cron's time zone matching); at start a missed run is caught up; runs never overlap (node-cron
 * `noOverlap` plus our own guard, which also covers catch-up and retries); a failed run is retried a
 * few times; `stop()` stops the clock, asks the running job to reach a safe point and waits for it.
 * Two processes on one database are kept apart by the job's lease (src/daily.ts), not here.
 */
import { createTask, type ScheduledTask } from 'node-cron';
import { currentFailure, DAILY_JOB, type DailyDeps, deliverPending, runDaily } from './daily.js';
import { type Day, yesterdayUtc } from './days.js';
import { AppError, describeError } from './errors.js';
import type { Logger } from './logger.js';
import { isBusy } from './slack/busy-retry.js';
import type { Db } from './store/db.js';
import { countOutbox } from './store/outbox.js';
import { lastSuccessfulRun, recentRuns } from './store/runs.js';

export type FireReason = 'scheduled' | 'catch-up' | 'retry' | 'manual';
/** ok: the job ran; skipped: nothing to do (already done, or another process holds the lease). */
export type JobOutcome = { status: 'ok' | 'skipped'; day?: Day; note?: string };

export interface SchedulerDeps {
  logger: Logger;
  /** Cron expression (5 or 6 fields) and IANA time zone. */
  schedule: string;
  timezone: string;
  job: (ctx: { reason: FireReason; signal: AbortSignal }) => Promise<JobOutcome>;
  /** Whether the job must run now because the fire at `previousFire` (the latest one ≤ now) was missed. */
  needsCatchUp: (previousFire: Date | null) => boolean;
  /** Waits before retrying a failed run, ms (default 15 min, 1 h, 3 h). */
  retryDelaysMs?: number[];
}

export interface SchedulerStatus {
  running: boolean;
  nextRun: string | null;
  last: { reason: FireReason; status: 'ok' | 'skipped' | 'failed'; at: string; error?: string; day?: Day } | null;
}

export interface Scheduler {
  /** Starts the clock, and runs once now when a fire was missed. Resolves once the catch-up decision is made. */
  start(): Promise<void>;
  /** Stops the clock and retries, signals the running job, waits for it (at most `timeoutMs`). */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** Runs the job now unless one is running (then resolves with that run's outcome). */
  runNow(reason?: FireReason): Promise<JobOutcome | 'failed'>;
  status(): SchedulerStatus;
}

/** The latest time ≤ `now` matching the task, looked for minute by minute over the past `maxDays`. */
export function previousFire(task: Pick<ScheduledTask, 'match'>, now: Date, maxDays = 8): Date | null {
  const t = new Date(now.getTime());
  t.setUTCSeconds(0, 0);
  for (let i = 0; i <= maxDays * 1440; i++) {
    if (task.match(t)) return new Date(t.getTime());
    t.setTime(t.getTime() - 60_000);
  }
  return null;
}

/** The first time ≥ `now` matching the task, looked for minute by minute over the next `maxDays`. */
export function nextFire(task: Pick<ScheduledTask, 'match'>, now: Date, maxDays = 8): Date | null {
  const t = new Date(now.getTime());
  if (t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0) t.setUTCSeconds(60, 0);
  for (let i = 0; i <= maxDays * 1440; i++) {
    if (task.match(t)) return new Date(t.getTime());
    t.setTime(t.getTime() + 60_000);
  }
  return null;
}

/** When the schedule fires next after `now` (for `status`, without a running scheduler). */
export function nextFireOf(schedule: string, timezone: string, now: Date): Date | null {
  const task = createTask(schedule, () => undefined, { timezone, name: 'logusage-next-run' });
  try {
    return nextFire(task, now);
  } finally {
    void task.destroy();
  }
}

/** The day a run fired at `fire` processes: yesterday (UTC) relative to it. */
export function dayForFire(fire: Date): Day {
  return yesterdayUtc(fire);
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const log = deps.logger.child({ component: 'schedule' });
  const retryDelays = deps.retryDelaysMs ?? [15 * 60_000, 60 * 60_000, 3 * 60 * 60_000];
  let task: ScheduledTask | undefined;
  let current: Promise<JobOutcome | 'failed'> | undefined;
  let abort = new AbortController();
  let retryTimer: NodeJS.Timeout | undefined;
  let retries = 0;
  let stopped = false;
  let last: SchedulerStatus['last'] = null;

  function clearRetry() {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
  }

  function fire(reason: FireReason): Promise<JobOutcome | 'failed'> {
    if (current) {
      log.warn({ reason }, 'the daily job is still running; this fire is skipped (runs never overlap)');
      return current;
    }
    if (reason !== 'retry') {
      clearRetry();
      retries = 0;
    }
    const started = new Date();
    log.info({ reason }, 'daily job starting');
    const run = (async (): Promise<JobOutcome | 'failed'> => {
      try {
        const outcome = await deps.job({ reason, signal: abort.signal });
        last = { reason, status: outcome.status, at: started.toISOString(), ...(outcome.day ? { day: outcome.day } : {}) };
        log.info({ reason, ...outcome }, outcome.status === 'ok' ? 'daily job done' : 'daily job skipped');
        retries = 0;
        return outcome;
      } catch (err) {
        const msg = describeError(err);
        last = { reason, status: 'failed', at: started.toISOString(), error: err instanceof AppError ? err.message : msg };
        log.error({ reason, err: msg }, 'daily job failed');
        const delay = retryDelays[retries];
        if (!stopped && !abort.signal.aborted && delay !== undefined) {
          retries++;
          log.info({ inMs: delay, attempt: retries }, 'daily job will be retried');
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void fire('retry');
          }, delay);
        }
        return 'failed';
      } finally {
        current = undefined;
      }
    })();
    current = run;
    return run;
  }

  return {
    async start() {
      stopped = false;
      abort = new AbortController();
      task = createTask(deps.schedule, () => fire('scheduled'), {
        timezone: deps.timezone,
        noOverlap: true,
        name: 'logusage-daily',
        logger: {
          info: (m) => log.debug(String(m)),
          warn: (m) => log.warn(String(m)),
          error: (m) => log.error(String(m)),
          debug: (m) => log.debug(String(m)),
        },
      });
      await task.start();
      const prev = previousFire(task, new Date());
      let catchUp = false;
      try {
        catchUp = deps.needsCatchUp(prev);
      } catch (err) {
        log.error({ err: describeError(err) }, 'could not tell whether a run was missed; waiting for the next one');
      }
      log.info(
        { schedule: deps.schedule, timezone: deps.timezone, nextRun: task.getNextRun()?.toISOString() ?? null, catchUp },
        'schedule started',
      );
      if (catchUp) void fire('catch-up');
    },
    async stop(opts = {}) {
      stopped = true;
      clearRetry();
      if (task) {
        await task.stop();
        await task.destroy();
      }
      abort.abort();
      if (current) {
        const timeoutMs = opts.timeoutMs ?? 60_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          current,
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              log.warn({ timeoutMs }, 'the daily job did not reach a safe point in time; stopping anyway');
              resolve();
            }, timeoutMs);
          }),
        ]);
        clearTimeout(timer);
      }
      log.info('schedule stopped');
    },
    runNow: (reason = 'manual') => fire(reason),
    status: () => ({ running: current !== undefined, nextRun: stopped ? null : (task?.getNextRun()?.toISOString() ?? null), last }),
  };
}

/** Missed when the last successful day is older than the day the latest fire should have processed. */
export function missedSince(lastDoneDay: Day | null, previous: Date | null): boolean {
  if (previous === null) return lastDoneDay === null;
  const due = dayForFire(previous);
  return lastDoneDay === null || lastDoneDay < due;
}

// ---------------------------------------------------------------------------------------------
// The daily service of `serve`: the schedule wired to the daily run, a periodic outbox drain, health.

export interface DailyServiceOptions extends DailyDeps {
  retryDelaysMs?: number[];
  /**
   * Runs the daily job for a day (default: `runDaily` on this thread). `serve` runs it in a worker thread
   * (src/daily-worker.ts) so the Slack app's event loop never waits for it; it throws LOCKED like runDaily.
   */
  run?: (opts: { day: Day; signal: AbortSignal }) => Promise<unknown>;
  /** How often pending Slack messages are retried between daily runs, ms (default 60 s). */
  drainEveryMs?: number;
}

export interface DailyHealth {
  /** ok: last run succeeded (or none yet); failing: the last run failed. */
  status: 'ok' | 'failing' | 'never-run';
  lastRun: { day: string | null; status: string; startedAt: string; finishedAt: string | null; error: string | null } | null;
  lastSuccess: { day: string | null; finishedAt: string | null } | null;
  running: boolean;
  nextRun: string | null;
  pendingMessages: number;
  failure: ReturnType<typeof currentFailure>;
}

export interface DailyService {
  start(): Promise<void>;
  /** SIGTERM: stop the clock, let the current run and the outbox reach a safe point. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  /** `/logusage refresh` and tests: run now (skipped when the day is already done). */
  runNow(): Promise<JobOutcome | 'failed'>;
  health(): DailyHealth;
}

/** The daily health of a database (also for `status`, without a running scheduler). */
export function readDailyHealth(db: Db): Omit<DailyHealth, 'running' | 'nextRun'> {
  const [last] = recentRuns(db, 1, DAILY_JOB);
  const ok = lastSuccessfulRun(db, DAILY_JOB);
  return {
    status: !last ? 'never-run' : last.status === 'failed' ? 'failing' : 'ok',
    lastRun: last
      ? { day: last.day, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt, error: last.error }
      : null,
    lastSuccess: ok ? { day: ok.day, finishedAt: ok.finishedAt } : null,
    pendingMessages: countOutbox(db).pending,
    failure: currentFailure(db),
  };
}

export function createDailyService(o: DailyServiceOptions): DailyService {
  const { db } = o;
  const log = o.logger.child({ component: 'daily' });
  const lastDone = () => lastSuccessfulRun(db, DAILY_JOB)?.day ?? null;
  const scheduler = createScheduler({
    logger: o.logger,
    schedule: o.settings.schedule,
    timezone: o.settings.timezone,
    ...(o.retryDelaysMs ? { retryDelaysMs: o.retryDelaysMs } : {}),
    needsCatchUp: (prev) => missedSince(lastDone(), prev),
    job: async ({ signal }) => {
      const day = yesterdayUtc(o.now());
      const done = lastDone();
      if (done !== null && done >= day) {
        try {
          await deliverPending(o, { signal });
        } catch (err) {
          // Another writer holds the database (serve's thread waits only briefly): the next fire delivers.
          if (!isBusy(err)) throw err;
        }
        return { status: 'skipped', day, note: `the run for ${day} is already done` };
      }
      try {
        await (o.run ? o.run({ day, signal }) : runDaily(o, { day, signal }));
        return { status: 'ok', day };
      } catch (err) {
        if (err instanceof AppError && err.code === 'LOCKED') return { status: 'skipped', day, note: err.message };
        throw err;
      }
    },
  });
  let drainTimer: NodeJS.Timeout | undefined;
  let draining: Promise<unknown> | undefined;
  const drainAbort = new AbortController();
  const drainLoop = () => {
    drainTimer = setTimeout(() => {
      if (!draining && !scheduler.status().running && countOutbox(db).pending > 0) {
        draining = deliverPending(o, { signal: drainAbort.signal, timeoutMs: 5 * 60_000 })
          .catch((err: unknown) => log.error({ err: describeError(err) }, 'delivering queued Slack messages failed'))
          .finally(() => {
            draining = undefined;
          });
      }
      drainLoop();
    }, o.drainEveryMs ?? 60_000);
    drainTimer.unref();
  };
  return {
    async start() {
      await scheduler.start();
      drainLoop();
    },
    async stop(opts = {}) {
      if (drainTimer) clearTimeout(drainTimer);
      drainAbort.abort();
      await Promise.all([scheduler.stop(opts), draining]);
    },
    runNow: () => scheduler.runNow('manual'),
    health: () => {
      const s = scheduler.status();
      return { ...readDailyHealth(db), running: s.running, nextRun: s.nextRun };
    },
  };
}
