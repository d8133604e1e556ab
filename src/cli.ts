#!/usr/bin/env node
/**
 * The `logusage` executable. `runCli` is the testable entry (argv + io in, exit code out);
 * the bottom of this file is the only place that touches process.argv / process.env.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerDailyCommands } from './commands/daily.js';
import { registerDataCommands } from './commands/data.js';
import { registerDetectCommands } from './commands/detect.js';
import { registerExplainCommand } from './commands/explain.js';
import type { CliIo, OpenContext } from './commands/io.js';
import { registerServeCommands } from './commands/serve.js';
import { AppError, describeError } from './errors.js';
import { createContext } from './main.js';
import { isSqliteError, storageError } from './store/db.js';

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command();
  program
    .name('logusage')
    .description(
      'Watches Rapid7 Log Search daily ingestion per log and tells Slack about spikes, drops, silence, new logs, thresholds and budget.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run `logusage --help` for the commands)');

  const open: OpenContext = (o = {}) =>
    createContext(io.env, {
      ...(io.overrides ? { overrides: io.overrides } : {}),
      ...(io.logger ? { logger: io.logger } : {}),
      ...(io.logDestination ? { logDestination: io.logDestination } : {}),
      now: io.now,
      ...(o.migrate === undefined ? {} : { migrate: o.migrate }),
    });
  registerDataCommands(program, io, open);
  registerDailyCommands(program, io, open);
  registerDetectCommands(program, io, open);
  registerExplainCommand(program, io, open);
  registerServeCommands(program, io, open);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    if (err instanceof AppError || isSqliteError(err)) {
      const e = err instanceof AppError ? err : storageError(err, io.env.DATABASE_PATH || './data/logusage.db');
      io.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`error: unexpected failure: ${describeError(err)}\nThis is a bug in logusage; please report it with the command you ran.\n`);
    return 1;
  }
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const code = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stderr.isTTY),
    now: () => new Date(),
  });
  process.exitCode = code;
}
