/**
 * `backtest` on several threads. A replay's pass 1 (every log judged on every day, `judgeLogs` in
 * src/detect/backtest.ts) is split into contiguous ranges of logs, one per `worker_threads` worker
 * (src/commands/backtest-thread-entry.ts, started as src/fork-entry.ts starts every entry of the app); each worker
 * judges its logs a block of days at a time (BLOCKS) and sends each block as soon as it is judged. This thread composes
 * the days (pass 2, `createReplayComposer`, and the caller's `onDay`: the organisation replay, the output) block
 * by block as every range's block has come, while the workers judge the next ones. A block's results are
 * appended in range order, so each day's list is in log order exactly as one thread makes it: a log's results
 * depend on that log alone, and the findings, their order and the summary are the same whatever the threads.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  createReplayComposer,
  emptyJudged,
  type History,
  planReplay,
  type ReplayOptions,
  type ReplayPlan,
  type ReplaySummary,
  replay,
} from '../detect/backtest.js';
import type { LogDayResult, LogSeries } from '../detect/log-types.js';
import type { DetectParams } from '../detect/params.js';
import { AppError, describeError, fromWireError, type WireError } from '../errors.js';
import { startThread } from '../fork-entry.js';

/**
 * Log-days (logs × days) from which a replay uses worker threads. Pass 1 costs about 1.3 µs a log-day on one core
 * and a worker about 0.1 s to start and receive its logs (10,000 × 365 from dist/, docs/benchmarks.md): threads
 * save more than they cost from a few hundred thousand log-days. Below 500,000 (e.g. 1,400 logs × 365 days,
 * under a second of pass 1) the saving is too small to be worth a thread; a 20-log file never starts one.
 */
export const THREADS_FROM_LOG_DAYS = 500_000;
/** Worker threads at most (pass 2 stays on this thread: more cores help less and less). */
const MAX_THREADS = 4;
/**
 * Blocks a replay's days are cut into: this thread composes a block while the workers judge the next, so it waits
 * for the first block and composes the last one alone; a worker judging a block of days across all its logs costs
 * more than judging each log's days at once (≈ +15 % CPU with 16-day blocks, less with longer ones). 8 blocks of
 * at least MIN_BLOCK_DAYS days each.
 */
const BLOCKS = 8;
const MIN_BLOCK_DAYS = 16;

/** Worker threads a replay of `logs` × `days` uses by default: none (1) below THREADS_FROM_LOG_DAYS, else one per core. */
export function defaultThreads(logs: number, days: number): number {
  return logs * days < THREADS_FROM_LOG_DAYS ? 1 : Math.max(1, Math.min(MAX_THREADS, availableParallelism()));
}

/** What a log's rules read besides its values. */
export type ThreadLog = Pick<LogSeries, 'firstSeen' | 'baselineFrom' | 'sensitivity' | 'minBytes'>;

/**
 * What a replay thread receives: its range of the plan's logs (log `offset` first) and what judging reads. The
 * values of its k-th log are `values[k × days … (k + 1) × days)`, in memory shared with this thread (not copied).
 */
export interface ThreadInput extends Pick<ReplayPlan, 't0' | 't1' | 'day0'>, Pick<History, 'observed' | 'firstObserved'> {
  logs: ThreadLog[];
  values: Float64Array;
  days: number;
  offset: number;
  params: DetectParams;
  /** Days of a block (the last one may be shorter). */
  blockDays: number;
}

/** What a replay thread sends: each block's results in order (day index, log index, result), or its error. */
export type ThreadMessage =
  | { type: 'block'; block: number; t: Int32Array; log: Int32Array; results: LogDayResult[] }
  | { type: 'error'; error: WireError };

type ThreadBlock = Extract<ThreadMessage, { type: 'block' }>;

/**
 * `replay(h, opts)` with pass 1 on `threads` worker threads: the same summary and the same `onDay` calls in the
 * same order. With threads ≤ 1 (or fewer logs than 2), it is `replay` on this thread. `whileJudging` runs on this
 * thread once the workers have started, before the first day is composed (work that the days need and that
 * would otherwise wait for them); with one thread, before the replay.
 */
export async function replayOnThreads(h: History, opts: ReplayOptions, threads: number, whileJudging?: () => void): Promise<ReplaySummary> {
  const n = h.logs.length;
  const parts = Math.max(1, Math.min(Math.floor(threads), n));
  if (parts <= 1) {
    whileJudging?.();
    return replay(h, opts);
  }
  const plan = planReplay(h, opts, false);
  const composer = createReplayComposer(plan, h, opts);
  const total = Math.max(0, plan.t1 - plan.t0 + 1);
  if (total === 0) {
    whileJudging?.();
    return composer.summary;
  }
  const blockDays = Math.max(MIN_BLOCK_DAYS, Math.ceil(total / BLOCKS));
  const blocks = Math.ceil(total / blockDays);
  const bound = (p: number) => Math.round((p * n) / parts);
  const judged = emptyJudged(plan);
  const got: Array<Array<ThreadBlock | undefined>> = Array.from({ length: blocks }, () => []);
  /** Ranges that have sent each block. */
  const arrived = new Array<number>(blocks).fill(0);
  const finished = new Array<boolean>(parts).fill(false);
  const workers: Worker[] = [];
  let next = 0;
  let received = 0;
  return new Promise<ReplaySummary>((resolve, reject) => {
    let settled = false;
    const end = (fn: () => void) => {
      if (settled) return;
      settled = true;
      // Workers that sent every block have exited already; this stops the others when one failed.
      for (const w of workers) void w.terminate();
      fn();
    };
    /** Composes every block that all ranges have sent, in order. */
    const compose = () => {
      while (next < blocks && arrived[next] === parts) {
        for (const b of got[next] as ThreadBlock[]) {
          for (let k = 0; k < b.t.length; k++) judged[b.t[k]! - plan.t0]!.push({ log: b.log[k]!, result: b.results[k]! });
        }
        got[next] = [];
        const a = plan.t0 + next * blockDays;
        composer.days(judged, a, Math.min(plan.t1, a + blockDays - 1));
        next++;
      }
      if (next === blocks) end(() => resolve(composer.summary));
    };
    try {
      const days = h.days.length;
      for (let p = 0; p < parts; p++) {
        const range = plan.logs.slice(bound(p), bound(p + 1));
        const values = new Float64Array(new SharedArrayBuffer(range.length * days * Float64Array.BYTES_PER_ELEMENT));
        for (let k = 0; k < range.length; k++) values.set(range[k]!.values, k * days);
        const input: ThreadInput = {
          t0: plan.t0,
          t1: plan.t1,
          day0: plan.day0,
          logs: range.map((l) => ({
            firstSeen: l.firstSeen,
            baselineFrom: l.baselineFrom,
            sensitivity: l.sensitivity,
            minBytes: l.minBytes,
          })),
          values,
          days,
          observed: h.observed,
          firstObserved: h.firstObserved,
          offset: bound(p),
          params: opts.params,
          blockDays,
        };
        const w = startThread('commands/backtest-thread-entry', { workerData: input });
        workers.push(w);
        w.on('message', (m: ThreadMessage) => {
          if (settled) return;
          try {
            if (m.type === 'error') throw fromWireError(m.error);
            got[m.block]![p] = m;
            arrived[m.block]!++;
            if (m.block === blocks - 1) finished[p] = true;
            opts.onProgress?.(++received / (blocks * parts));
            compose();
          } catch (err) {
            end(() => reject(err));
          }
        });
        w.on('error', (err) =>
          end(() => reject(new AppError('INTERNAL', `A backtest thread failed: ${describeError(err)}`, { cause: err }))),
        );
        w.on('exit', (code) => {
          if (!finished[p])
            end(() => reject(new AppError('INTERNAL', `A backtest thread exited (code ${code}) before it sent its results.`)));
        });
      }
      whileJudging?.();
    } catch (err) {
      end(() => reject(err));
    }
  });
}
