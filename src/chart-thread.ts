/**
 * Usage charts rendered on a worker thread (`renderUsageChartPngAsync`, src/charts.ts): ECharts builds the SVG
 * synchronously — 60–250 ms of CPU for a 90-day chart on this machine — and on the Slack app's thread that holds
 * every other answer (SPEC §10: acks are never late). One worker renders one chart at a time, in order; it starts on
 * the first chart and ends after IDLE_MS without one, so its memory (ECharts, the font) is not kept between uses.
 * The worker never keeps the process alive. A worker that dies fails the charts it held with INTERNAL; the next
 * chart starts a new one. The PNG bytes (tens of KB) come back by structured clone.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { UsageChartInput } from './charts.js';
import { AppError, describeError } from './errors.js';

/** How long the worker waits for another chart before it ends, ms. */
const IDLE_MS = 30_000;

export type ChartThreadRequest = { id: number; input: UsageChartInput };
export type ChartThreadReply = { id: number; png: Uint8Array } | { id: number; error: string };

interface Pending {
  resolve: (png: Buffer) => void;
  reject: (err: Error) => void;
}

let worker: Worker | undefined;
let idle: NodeJS.Timeout | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

/** file: URL of tsx's ESM API (its `register()` works on a worker thread, where its `--import` loader does not). */
function tsxEsmApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
}

function start(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./chart-thread-entry.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  // From TypeScript sources (tsx, vitest) the worker first registers tsx's loader, then imports the entry.
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); })`;
  const w = fromSource ? new Worker(boot, { eval: true }) : new Worker(fileURLToPath(entry));
  w.unref();
  w.on('message', (m: ChartThreadReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('png' in m) p.resolve(Buffer.from(m.png.buffer, m.png.byteOffset, m.png.byteLength));
    else p.reject(new AppError('INTERNAL', `The chart could not be drawn: ${m.error}`));
    if (pending.size === 0) idleStop(w);
  });
  const gone = (why: string) => {
    if (worker === w) worker = undefined;
    failAll(new AppError('INTERNAL', `The chart worker ${why}.`));
  };
  w.on('error', (err) => gone(`failed: ${describeError(err)}`));
  w.on('exit', (code) => gone(`exited (code ${code})`));
  return w;
}

function idleStop(w: Worker): void {
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    if (pending.size > 0 || worker !== w) return;
    worker = undefined;
    void w.terminate();
  }, IDLE_MS);
  idle.unref();
}

/** The chart's PNG, drawn on the chart worker thread (the caller checked the font: `checkChartFont`). */
export function renderOnChartThread(input: UsageChartInput): Promise<Buffer> {
  if (idle) clearTimeout(idle);
  worker ??= start();
  const id = nextId++;
  const w = worker;
  return new Promise<Buffer>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, input } satisfies ChartThreadRequest);
  });
}
