/**
 * `backtest` on several threads: a replay's pass 1 (every log judged on every day, src/detect/backtest.ts
 * `judgeLogs`) is split into contiguous ranges of logs; this thread judges the first range while
 * `worker_threads` workers (src/commands/backtest-thread-entry.ts, started as src/fork-entry.ts starts every
 * entry of the app) judge the others; their results are appended in range order, so each day's list is in log
 * order exactly as one thread makes it, and pass 2 (`composeReplay`) runs here, day by day. A log's results
 * depend on that log alone: the findings are the same whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  composeReplay,
  emptyJudged,
  type History,
  judgeLogs,
  planReplay,
  type ReplayOptions,
  type ReplayPlan,
  type ReplaySummary,
} from '../detect/backtest.js';
import type { LogDayResult } from '../detect/log-types.js';
import type { DetectParams } from '../detect/params.js';
import { AppError, describeError, fromWireError, type WireError } from '../errors.js';
import { startThread } from '../fork-entry.js';

/**
 * Log-days (logs × days judged) from which a replay uses more than this thread. Pass 1 costs about 1.5 µs a
 * log-day on one core and a worker about 0.1 s to start and receive its logs (measured on 10,000 × 365 from dist/,
 * docs/benchmarks.md), so a second thread saves more than it costs from about 150,000 log-days; below 500,000
 * (e.g. 1,400 logs × 365 days, under a second of pass 1) the saving is too small to be worth a thread.
 */
export const THREADS_FROM_LOG_DAYS = 500_000;
/** Threads at most: pass 2 and the organisation replay stay on this thread, so more cores help less and less. */
const MAX_THREADS = 4;

/** The threads a replay of `logs` × `days` uses by default: 1 below THREADS_FROM_LOG_DAYS, else one per core. */
export function defaultThreads(logs: number, days: number): number {
  return logs * days < THREADS_FROM_LOG_DAYS ? 1 : Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

/** What a replay thread receives: its range of the plan's logs (log `offset` first) and what judging reads. */
export interface ThreadInput extends Pick<ReplayPlan, 't0' | 't1' | 'day0' | 'logs'>, Pick<History, 'observed' | 'firstObserved'> {
  offset: number;
  params: DetectParams;
}

/** What a replay thread sends: progress (logs judged), then its results (day index, log index, result) or its error. */
export type ThreadMessage =
  | { type: 'progress'; done: number }
  | { type: 'result'; t: Int32Array; log: Int32Array; results: LogDayResult[] }
  | { type: 'error'; error: WireError };

type ThreadResult = Extract<ThreadMessage, { type: 'result' }>;

/**
 * `replay(h, opts)` on `threads` threads (this one included): the same summary and the same `onDay` calls in the
 * same order. With threads ≤ 1, or fewer logs than threads, it is the one-thread replay.
 */
export async function replayOnThreads(h: History, opts: ReplayOptions, threads: number): Promise<ReplaySummary> {
  const plan = planReplay(h, opts);
  const n = plan.logs.length;
  const parts = Math.max(1, Math.min(Math.floor(threads), n));
  const bound = (p: number) => Math.round((p * n) / parts);
  const done = new Array<number>(parts).fill(0);
  const progress = (p: number, d: number) => {
    done[p] = d;
    opts.onProgress?.(done.reduce((a, b) => a + b, 0) / Math.max(1, n));
  };
  const workers: Worker[] = [];
  const pending: Array<Promise<ThreadResult>> = [];
  const judged = emptyJudged(plan);
  try {
    for (let p = 1; p < parts; p++) {
      const input: ThreadInput = {
        t0: plan.t0,
        t1: plan.t1,
        day0: plan.day0,
        logs: plan.logs.slice(bound(p), bound(p + 1)),
        observed: h.observed,
        firstObserved: h.firstObserved,
        offset: bound(p),
        params: opts.params,
      };
      const w = startThread('commands/backtest-thread-entry', { workerData: input });
      workers.push(w);
      pending.push(resultOf(w, (d) => progress(p, d)));
    }
    // A failed worker is reported by the await below; until then its rejection is held, not unhandled.
    for (const r of pending) r.catch(() => undefined);
    judgeLogs(
      plan,
      h,
      opts.params,
      0,
      bound(1),
      (t, j) => judged[t - plan.t0]!.push(j),
      (d) => progress(0, d),
    );
    for (const r of await Promise.all(pending)) {
      for (let k = 0; k < r.t.length; k++) judged[r.t[k]! - plan.t0]!.push({ log: r.log[k]!, result: r.results[k]! });
    }
  } finally {
    // Finished workers have exited already; this stops the others when a range failed.
    for (const w of workers) void w.terminate();
  }
  return composeReplay(plan, h, opts, judged);
}

/** The results of one replay thread; its error with its own code, or INTERNAL when it ended without a word. */
function resultOf(w: Worker, onProgress: (done: number) => void): Promise<ThreadResult> {
  return new Promise((resolve, reject) => {
    w.on('message', (m: ThreadMessage) => {
      if (m.type === 'progress') onProgress(m.done);
      else if (m.type === 'result') resolve(m);
      else reject(fromWireError(m.error));
    });
    w.on('error', (err) => reject(new AppError('INTERNAL', `A backtest thread failed: ${describeError(err)}`, { cause: err })));
    w.on('exit', (code) => reject(new AppError('INTERNAL', `A backtest thread exited (code ${code}) before it sent its results.`)));
  });
}
