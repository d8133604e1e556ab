/**
 * Child processes and threads of the app (the daily worker, src/daily-worker.ts; the chart process,
 * src/chart-process.ts; the backtest's replay threads, src/commands/backtest-threads.ts): an entry file beside
 * this one — `<name>.js` in `dist/`, or `<name>.ts` from TypeScript sources (tsx, vitest), started with tsx's
 * loader (resolved from here, not from the cwd). Processes are forked at nice 10 with an IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * file: URL of one of tsx's entries, found from this file, not from the cwd: '.' is its loader (what `node
 * --import tsx` loads), './esm/api' the module whose `register()` installs that loader in the running thread.
 */
function tsxEntry(path: '.' | './esm/api', fallback: string): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, unknown> }).exports;
  const e = exports[path] as string | { import?: { default?: string } } | undefined;
  const main = typeof e === 'string' ? e : (e?.import?.default ?? fallback);
  return pathToFileURL(join(dirname(pkg), main)).href;
}

const fromSource = import.meta.url.endsWith('.ts');

/** The entry file `<name>.js` beside this file, `<name>.ts` from sources. */
function entryFile(name: string): string {
  return fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
}

/**
 * Starts `<name>.js` beside this file (`<name>.ts` from sources) as a worker thread. From sources, the thread
 * first installs tsx's loader with its `register()` and then imports the entry: on Node 20 a thread does not
 * apply an `--import` of its `execArgv`. The thread sees `opts.workerData` either way.
 */
export function startThread(name: string, opts: WorkerOptions = {}): Worker {
  const file = entryFile(name);
  if (!fromSource) return new Worker(file, opts);
  const api = JSON.stringify(tsxEntry('./esm/api', './dist/esm/api/index.mjs'));
  const entry = JSON.stringify(pathToFileURL(file).href);
  return new Worker(`import(${api}).then(({ register }) => { register(); return import(${entry}); });`, { ...opts, eval: true });
}

/**
 * Starts `<name>.js` beside this file (`<name>.ts` from sources, with tsx's loader) as a child process at nice 10
 * with an IPC channel ('advanced' serialization: buffers and typed arrays pass as they are).
 */
export function forkEntry(name: string): ChildProcess {
  const child = fork(entryFile(name), [], {
    execArgv: fromSource ? ['--import', tsxEntry('.', './dist/loader.mjs')] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  if (child.pid !== undefined) {
    try {
      setPriority(child.pid, 10);
    } catch {
      // Not allowed here: the worker runs at the app's priority.
    }
  }
  return child;
}
