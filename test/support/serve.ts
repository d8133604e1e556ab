/** `logusage serve` (runServe) started in this process, as the tests and the metrics scrape drive it. */
import { runServe, type ServeOptions } from '../../src/commands/serve.js';
import type { AppContext } from '../../src/main.js';

export interface RunningServe {
  /** The port the app listens on (undefined in Socket Mode). */
  port: number | undefined;
  /** Sends the stop signal (SIGTERM) and waits until serve has returned. */
  stop(): Promise<void>;
}

/**
 * Starts `runServe(ctx, opts)` and resolves once the app listens; rejects when serve fails or returns before
 * that. Waits for the event, not for a time: the test's own timeout bounds a start that never comes.
 */
export async function startServe(ctx: AppContext, opts: Omit<ServeOptions, 'until' | 'onListening'> = {}): Promise<RunningServe> {
  let signal: (s: string) => void = () => {};
  const until = new Promise<string>((r) => {
    signal = r;
  });
  let listening: (port: number | undefined) => void = () => {};
  const listened = new Promise<number | undefined>((r) => {
    listening = r;
  });
  const running = runServe(ctx, { ...opts, until, onListening: (i) => listening(i.port ?? opts.port) });
  const port = await Promise.race([
    listened,
    running.then(() => {
      throw new Error('serve returned before it listened');
    }),
  ]);
  return {
    port,
    async stop() {
      signal('SIGTERM');
      await running;
    },
  };
}
