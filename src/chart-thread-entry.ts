/**
 * The chart worker thread (src/chart-thread.ts): draws each requested chart with `renderUsageChartPng` and posts
 * its PNG bytes back, or the error's text.
 */
import { parentPort } from 'node:worker_threads';
import type { ChartThreadReply, ChartThreadRequest } from './chart-thread.js';
import { renderUsageChartPng } from './charts.js';
import { describeError } from './errors.js';

if (!parentPort) throw new Error('chart-thread-entry runs as the chart worker thread only');
const port = parentPort;
port.on('message', (m: ChartThreadRequest) => {
  let reply: ChartThreadReply;
  try {
    reply = { id: m.id, png: renderUsageChartPng(m.input) };
  } catch (err) {
    reply = { id: m.id, error: describeError(err) };
  }
  port.postMessage(reply);
});
