/**
 * collect: fetch a window of per-log usage, log names and organisation totals (three requests side by
 * side) and store them atomically. Normal runs make exactly 3 requests; the first run on an empty
 * database tries a 30-day per-log window (7 on a 4xx) and organisation totals for the 13 whole months
 * before the window's month plus that month so far (so the same month last year is complete).
 */
import { addDays, type Day, firstOfMonthBefore, yesterdayUtc } from './days.js';
import { AppError, describeError } from './errors.js';
import type { Logger } from './logger.js';
import type { Rapid7Client } from './rapid7/client.js';
import { type Db, isSqliteError, storageError } from './store/db.js';
import { finishRun, startRun } from './store/runs.js';
import { isEmpty, type ManagedLog, writeCollection } from './store/usage.js';

export interface CollectDeps {
  db: Db;
  client: Rapid7Client;
  logger: Logger;
  /** The clock, passed in (tests, demo). */
  now: () => Date;
}

export interface CollectOptions {
  from?: Day;
  to?: Day;
  /** Test seam: runs inside the write transaction just before commit. */
  beforeCommit?: () => void;
}

export interface CollectResult {
  window: { from: Day; to: Day };
  observedDays: Day[];
  usageRows: number;
  logs: number;
  managedLogs: number | null;
  orgDays: number;
  firstRun: boolean;
  requests: number;
  warnings: string[];
}

const FIRST_RUN_DAYS = 30;
const FALLBACK_DAYS = 7;
const ORG_HISTORY_MONTHS = 13;

function isClientError(err: unknown): boolean {
  return err instanceof AppError && ['RAPID7_NOT_FOUND', 'RAPID7_HTTP'].includes(err.code);
}

export async function runCollect(deps: CollectDeps, opts: CollectOptions = {}): Promise<CollectResult> {
  const { db, client, logger } = deps;
  const startedAt = deps.now();
  const yesterday = yesterdayUtc(startedAt);
  const firstRun = isEmpty(db) && opts.from === undefined;
  const to = opts.to ?? yesterday;
  let from = opts.from ?? addDays(to, -(firstRun ? FIRST_RUN_DAYS - 1 : FALLBACK_DAYS - 1));
  if (from > to) throw new AppError('USAGE', `--from ${from} is after --to ${to}.`, { exitCode: 2 });
  if (to >= startedAt.toISOString().slice(0, 10)) {
    throw new AppError('USAGE', `--to ${to} is today or later: today is partial and is never collected; use ${yesterday} or earlier.`, {
      exitCode: 2,
    });
  }
  let runId: number;
  try {
    runId = startRun(db, 'collect', startedAt, { windowFrom: from, windowTo: to });
  } catch (err) {
    throw storageError(err);
  }
  const before = client.requestCount();
  const warnings: string[] = [];
  try {
    const fetchUsage = async () => {
      try {
        return await client.getLogUsage(from, to);
      } catch (err) {
        if (!(firstRun && isClientError(err))) throw err;
        from = addDays(to, -(FALLBACK_DAYS - 1));
        warnings.push(`Rapid7 refused a ${FIRST_RUN_DAYS}-day window (${describeError(err)}); fetched ${FALLBACK_DAYS} days instead.`);
        return await client.getLogUsage(from, to);
      }
    };
    const orgFrom = firstRun ? firstOfMonthBefore(to, ORG_HISTORY_MONTHS) : from;
    // The three calls run side by side; every outcome is awaited before any is judged, so no request
    // outlives the run. A usage failure ends the run; names and totals only warn, unless the key is refused.
    const [usageR, managedR, orgR] = await Promise.allSettled([fetchUsage(), client.getManagementLogs(), client.getOrgUsage(orgFrom, to)]);
    if (usageR.status === 'rejected') throw usageR.reason;
    const usage = usageR.value;
    warnings.push(...usage.warnings);
    const isKeyRefused = (err: unknown) =>
      err instanceof AppError && (err.code === 'RAPID7_UNAUTHORIZED' || err.code === 'RAPID7_FORBIDDEN');

    let managed: ManagedLog[] | undefined;
    if (managedR.status === 'fulfilled') {
      managed = managedR.value.logs;
      if (managedR.value.hasNext)
        warnings.push('GET /management/logs announced more pages; names of logs on later pages are not refreshed.');
    } else if (isKeyRefused(managedR.reason)) throw managedR.reason;
    else warnings.push(`Log names were not refreshed: ${describeError(managedR.reason)}`);

    let orgDaily: Array<{ day: Day; bytes: number }> = [];
    if (orgR.status === 'fulfilled') orgDaily = orgR.value;
    else if (isKeyRefused(orgR.reason)) throw orgR.reason;
    else warnings.push(`Organisation totals were not refreshed: ${describeError(orgR.reason)}`);

    const observedDays = usage.observedDays;
    const written = writeCollection(
      db,
      {
        observedDays,
        source: 'api',
        usage: usage.rows,
        ...(managed ? { managedLogs: managed } : {}),
        orgDaily,
        now: deps.now().toISOString(),
      },
      opts.beforeCommit,
    );
    for (const w of warnings) logger.warn(w);
    const result: CollectResult = {
      window: { from, to },
      observedDays,
      usageRows: written.rows,
      logs: written.logs,
      managedLogs: managed ? managed.length : null,
      orgDays: orgDaily.length,
      firstRun,
      requests: client.requestCount() - before,
      warnings,
    };
    finishRun(db, runId, deps.now(), {
      status: 'ok',
      windowFrom: from,
      windowTo: to,
      details: { observedDays: observedDays.length, usageRows: written.rows, logs: written.logs, requests: result.requests, warnings },
    });
    logger.info({ window: result.window, rows: result.usageRows, logs: result.logs, requests: result.requests }, 'collect done');
    return result;
  } catch (err) {
    const e =
      err instanceof AppError || isSqliteError(err)
        ? storageError(err)
        : new AppError(
            'DB_WRITE',
            `Storing the collected usage failed: ${describeError(err)}. Nothing was stored; check disk space and DATABASE_PATH.`,
            { cause: err },
          );
    try {
      finishRun(db, runId, deps.now(), { status: 'failed', errorCode: e.code, error: e.message });
    } catch (recordErr) {
      logger.error({ err: describeError(recordErr) }, 'could not record the failed run');
    }
    throw e;
  }
}

/** One plain line saying what a collection did (`/logusage refresh`'s answer). */
export function describeCollect(r: CollectResult): string {
  const warned = r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}, see the logs)` : '';
  return `Collected ${r.window.from} … ${r.window.to}: ${r.usageRows} values for ${r.logs} logs${warned}.`;
}
