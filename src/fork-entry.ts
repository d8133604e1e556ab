/**
 * Child processes of the app (the daily worker, src/daily-worker.ts; the chart process, src/chart-process.ts): an
 * entry file beside this one — `<name>.js` in `dist/`, or `<name>.ts` from TypeScript sources (tsx, vitest), started
 * with tsx's loader (`--import`, resolved from here, not from the cwd) — forked at nice 10 with an IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** file: URL of tsx's loader (what `node --import tsx` loads), found from this file, not from the cwd. */
function tsxLoader(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, unknown> }).exports;
  const main = typeof exports['.'] === 'string' ? exports['.'] : './dist/loader.mjs';
  return pathToFileURL(join(dirname(pkg), main)).href;
}

/**
 * Starts `<name>.js` beside this file (`<name>.ts` from sources, with tsx's loader) as a child process at nice 10
 * with an IPC channel ('advanced' serialization: buffers and typed arrays pass as they are).
 */
export function forkEntry(name: string): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  const child = fork(entry, [], {
    execArgv: fromSource ? ['--import', tsxLoader()] : [],
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
