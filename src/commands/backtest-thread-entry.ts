/**
 * One replay thread of `backtest` (src/commands/backtest-threads.ts): judges the range of logs it was given in
 * `workerData` (pass 1, `judgeLogs`), sends its results or its error, and ends by itself (it listens to nothing).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { judgeLogs } from '../detect/backtest.js';
import type { LogDayResult } from '../detect/log-types.js';
import { toWireError } from '../errors.js';
import type { ThreadInput, ThreadMessage } from './backtest-threads.js';

if (!parentPort) throw new Error('backtest-thread-entry runs as a thread of `backtest` only (it needs its parent port)');
const port = parentPort;
const post = (m: ThreadMessage) => port.postMessage(m);
try {
  const input = workerData as ThreadInput;
  const t: number[] = [];
  const log: number[] = [];
  const results: LogDayResult[] = [];
  // About 50 progress messages whatever the range: enough for the bar, nothing measurable.
  const every = Math.max(1, Math.ceil(input.logs.length / 50));
  judgeLogs(
    input,
    input,
    input.params,
    0,
    input.logs.length,
    (day, j) => {
      t.push(day);
      log.push(j.log + input.offset);
      results.push(j.result);
    },
    (done) => {
      if (done % every === 0) post({ type: 'progress', done });
    },
  );
  post({ type: 'result', t: Int32Array.from(t), log: Int32Array.from(log), results });
} catch (err) {
  post({ type: 'error', error: toWireError(err) });
}
