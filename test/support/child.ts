/**
 * Child processes for tests that wait on what a real process prints: output is read line by line (a
 * line that arrives in two chunks is one line), and `closed` resolves only once the process has exited
 * AND its output has been read to the end, so a test can check its last lines after it stopped.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface WatchedChild {
  child: ChildProcess;
  /** Complete lines printed so far, in order. */
  stdout: string[];
  stderr: string[];
  /** The signal name or exit code, once the process has exited and both streams are read to the end. */
  closed: Promise<NodeJS.Signals | number | null>;
}

function collect(stream: Readable | null, into: string[]): Promise<void> {
  if (!stream) return Promise.resolve();
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    if (line !== '') into.push(line);
  });
  return new Promise((resolve) => rl.once('close', resolve));
}

/** Spawns `command` with stdout and stderr piped and read line by line (stdin ignored). */
export function spawnWatched(command: string, args: string[], options: SpawnOptions = {}): WatchedChild {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const read = Promise.all([collect(child.stdout, stdout), collect(child.stderr, stderr)]);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const closed = Promise.all([exited, read]).then(([status]) => status);
  return { child, stdout, stderr, closed };
}

/**
 * Resolves once `check()` holds (polled every 20 ms). It is an overall deadline for something that must
 * eventually happen, sized for a machine busy with other work: on time-out it rejects with `what` and
 * `detail()` (e.g. the child's output so far), so a failure says what never happened.
 */
export async function waitUntil(check: () => boolean, what: string, ms: number, detail?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
