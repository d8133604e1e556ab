/**
 * One replay thread of `backtest` (src/commands/backtest-threads.ts): judges the range of logs it was given in
 * `workerData` (pass 1, `judgeLogs`) a block of days at a time, sends each block's results in order (or its
 * error), and ends by itself (it listens to nothing).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { judgeLogs, replayInputs } from '../detect/backtest.js';
import type { LogDayResult, LogSeries } from '../detect/log-types.js';
import { toWireError } from '../errors.js';
import type { ThreadInput, ThreadMessage } from './backtest-threads.js';

if (!parentPort) throw new Error('backtest-thread-entry runs as a thread of `backtest` only (it needs its parent port)');
const port = parentPort;
const post = (m: ThreadMessage) => port.postMessage(m);
try {
  const input = workerData as ThreadInput;
  const logs: LogSeries[] = input.logs.map((l, k) => {
    const values = input.values.subarray(k * input.days, (k + 1) * input.days);
    return { ...l, values, ...replayInputs(values) };
  });
  for (let block = 0, t0 = input.t0; t0 <= input.t1; block++, t0 += input.blockDays) {
    const t: number[] = [];
    const log: number[] = [];
    const results: LogDayResult[] = [];
    const days = { t0, t1: Math.min(input.t1, t0 + input.blockDays - 1), day0: input.day0, logs };
    judgeLogs(
      days,
      input,
      input.params,
      0,
      logs.length,
      (day, j) => {
        t.push(day);
        log.push(j.log + input.offset);
        results.push(j.result);
      },
      { keepModels: true },
    );
    post({ type: 'block', block, t: Int32Array.from(t), log: Int32Array.from(log), results });
  }
} catch (err) {
  post({ type: 'error', error: toWireError(err) });
}
