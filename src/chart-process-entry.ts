/**
 * The chart process (src/chart-process.ts): draws each requested chart with `renderUsageChartPng` and sends its PNG
 * bytes back, or the error's text. Exits when the app's process disconnects.
 */
import type { ChartReply, ChartRequest } from './chart-process.js';
import { renderUsageChartPng } from './charts.js';
import { describeError } from './errors.js';

if (!process.send) throw new Error('chart-process-entry runs as the chart process of `serve` only (it needs an IPC channel)');
process.on('message', (m: ChartRequest) => {
  let reply: ChartReply;
  try {
    reply = { id: m.id, png: renderUsageChartPng(m.input) };
  } catch (err) {
    reply = { id: m.id, error: describeError(err) };
  }
  process.send?.(reply);
});
process.on('disconnect', () => process.exit(0));
