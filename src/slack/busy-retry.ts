/**
 * The Slack app's thread never waits long for SQLite's write lock (SPEC §10: acks are never late): in `serve`
 * its connection has a short busy timeout (SLACK_THREAD_BUSY_TIMEOUT_MS), and a change that met the lock —
 * held by the daily run's worker or another process — is tried again after a pause on a timer, so the event
 * loop keeps answering meanwhile. A change runs in one transaction, so one that failed busy changed nothing
 * and trying it again is safe.
 */
import { AppError } from '../errors.js';

/** busy_timeout of the Slack thread's connection in `serve`, ms: the longest the event loop waits for the lock. */
export const SLACK_THREAD_BUSY_TIMEOUT_MS = 50;

/** True for SQLite's "database is busy/locked", raw or mapped to DB_LOCKED. */
export function isBusy(err: unknown): boolean {
  if (err instanceof AppError) return err.code === 'DB_LOCKED';
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

export interface BusyRetryOptions {
  /** Give up (rethrow the busy error) after this long, ms (default 20 s). */
  timeoutMs?: number;
  /** Pause between attempts, ms (default 100). */
  delayMs?: number;
}

/** Runs `fn`; while it fails busy, waits `delayMs` on a timer and runs it again, until `timeoutMs`. */
export async function retryWhileBusy<T>(fn: () => Promise<T> | T, o: BusyRetryOptions = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const delayMs = o.delayMs ?? 100;
  const started = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isBusy(err) || Date.now() - started + delayMs > timeoutMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
