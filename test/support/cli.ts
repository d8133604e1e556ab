/** Runs the CLI in-process through `runCli` with captured stdout, stderr and log lines. */
import { runCli } from '../../src/cli.js';
import type { CliIo } from '../../src/commands/io.js';
import type { Env, SettingsOverrides } from '../../src/config.js';
import { type CapturedLogs, captureLogs } from './logs.js';

export interface TestCli {
  io: CliIo;
  logs: CapturedLogs;
  out(): string;
  err(): string;
  /** Runs one command; output accumulates across runs (see `reset`). */
  run(...argv: string[]): Promise<number>;
  reset(): void;
}

/** Default clock of CLI tests: 2026-03-15 08:00 UTC, so yesterday is 2026-03-14. */
export const TEST_NOW = new Date('2026-03-15T08:00:00Z');

/** What a `--json` command printed: one JSON value a line (blank lines skipped). */
export function jsonLines<T>(out: string): T[] {
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

export function createTestCli(o: { env: Env; now?: Date; overrides?: SettingsOverrides; isTTY?: boolean }): TestCli {
  let out = '';
  let err = '';
  const logs = captureLogs();
  const io: CliIo = {
    env: { LOG_LEVEL: 'trace', ...o.env },
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    isTTY: o.isTTY ?? false,
    now: () => o.now ?? TEST_NOW,
    logDestination: logs.destination,
    ...(o.overrides ? { overrides: o.overrides } : {}),
  };
  return {
    io,
    logs,
    out: () => out,
    err: () => err,
    run: (...argv) => runCli(argv, io),
    reset() {
      out = '';
      err = '';
      logs.lines.length = 0;
    },
  };
}
