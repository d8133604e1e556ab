/**
 * Usage charts drawn off the Slack app's process (`renderUsageChartPngAsync`, src/charts.ts): ECharts builds the
 * SVG synchronously — 60–250 ms of CPU for a 90-day chart on this machine — which on the Slack thread holds every
 * other answer (SPEC §10: acks are never late), and drawing leaves 100+ MB of heap and allocator arenas behind in
 * whatever process does it. So one chart process (a child at nice 10, `forkEntry`) draws them, one at a time in
 * order; it starts with the first chart and ends after IDLE_MS without one or after MAX_CHARTS charts, so its memory
 * goes back to the system and the app's process stays flat. It keeps the app's process running only while it
 * draws. A chart process that dies fails the charts it held with INTERNAL; the next chart starts a new one. PNG
 * bytes come back over IPC.
 */
import type { ChildProcess } from 'node:child_process';
import type { UsageChartInput } from './charts.js';
import { AppError } from './errors.js';
import { forkEntry } from './fork-entry.js';

/** How long the chart process waits for another chart before it ends, ms. */
const IDLE_MS = 30_000;
/** Charts one process draws before the next chart starts a fresh one (bounds what drawing leaves behind). */
const MAX_CHARTS = 200;

export type ChartRequest = { id: number; input: UsageChartInput };
export type ChartReply = { id: number; png: Uint8Array } | { id: number; error: string };

interface Pending {
  resolve: (png: Buffer) => void;
  reject: (err: Error) => void;
}

interface Current {
  child: ChildProcess;
  pending: Map<number, Pending>;
  drawn: number;
  idle?: NodeJS.Timeout;
}

let current: Current | undefined;
let nextId = 1;

function retire(c: Current): void {
  if (current === c) current = undefined;
  if (c.idle) clearTimeout(c.idle);
  if (c.child.connected) c.child.disconnect();
}

/** While it draws, the chart process keeps this one running (its answer is awaited); idle, it does not. */
function hold(c: Current, on: boolean): void {
  const channel = c.child.channel as { ref?: () => void; unref?: () => void } | undefined;
  if (on) {
    c.child.ref();
    channel?.ref?.();
  } else {
    c.child.unref();
    channel?.unref?.();
  }
}

function start(): Current {
  const child = forkEntry('chart-process-entry');
  const c: Current = { child, pending: new Map(), drawn: 0 };
  child.on('message', (m: ChartReply) => {
    const p = c.pending.get(m.id);
    if (!p) return;
    c.pending.delete(m.id);
    c.drawn++;
    if ('png' in m) p.resolve(Buffer.from(m.png.buffer, m.png.byteOffset, m.png.byteLength));
    else p.reject(new AppError('INTERNAL', `The chart could not be drawn: ${m.error}`));
    if (c.pending.size > 0) return;
    hold(c, false);
    if (c.drawn >= MAX_CHARTS) retire(c);
    else {
      c.idle = setTimeout(() => retire(c), IDLE_MS);
      c.idle.unref();
    }
  });
  const gone = (why: string) => {
    if (current === c) current = undefined;
    for (const p of c.pending.values()) p.reject(new AppError('INTERNAL', `The chart process ${why}.`));
    c.pending.clear();
  };
  child.on('error', (err) => gone(`failed: ${err.message}`));
  child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`));
  return c;
}

/** The chart's PNG, drawn in the chart process (the caller checked the font: `checkChartFont`). */
export function renderInChartProcess(input: UsageChartInput): Promise<Buffer> {
  const c = current ?? start();
  current = c;
  if (c.idle) clearTimeout(c.idle);
  hold(c, true);
  const id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    c.pending.set(id, { resolve, reject });
    c.child.send({ id, input } satisfies ChartRequest);
  });
}
