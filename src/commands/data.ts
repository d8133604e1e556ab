/** CLI commands of the stored data: collect, import, migrate, status (with the daily run's lines, SPEC §3). */
import type { Command } from 'commander';
import { runCollect } from '../collect.js';
import { readSettings, requireSettings } from '../config.js';
import { runImport } from '../import.js';
import { createRapid7FromSettings } from '../main.js';
import { loadMigrations, migrate, schemaVersion } from '../store/db.js';
import { recentRuns } from '../store/runs.js';
import { coverage } from '../store/usage.js';
import { formatBytes } from '../units.js';
import { dailyStatus } from './daily.js';
import { type CliIo, createProgress, type OpenContext, parseDayOption } from './io.js';

export function registerDataCommands(program: Command, io: CliIo, open: OpenContext): void {
  program
    .command('collect')
    .description('fetch usage and log names from Rapid7 and store them (default window: yesterday-6 … yesterday, UTC)')
    .option('--from <day>', 'first day (YYYY-MM-DD)')
    .option('--to <day>', 'last day (YYYY-MM-DD), at most yesterday')
    .option('--json', 'print the result as one JSON line')
    .action(async (o: { from?: string; to?: string; json?: boolean }) => {
      const from = parseDayOption('--from', o.from);
      const to = parseDayOption('--to', o.to);
      // Missing settings stop the command before the database is created or touched.
      requireSettings(readSettings(io.env, io.overrides), ['rapid7']);
      const ctx = open();
      try {
        const client = createRapid7FromSettings(ctx.settings, ctx.logger);
        const r = await runCollect(
          { db: ctx.db, client, logger: ctx.logger, now: ctx.now },
          { ...(from ? { from } : {}), ...(to ? { to } : {}) },
        );
        if (o.json) io.out(`${JSON.stringify(r)}\n`);
        else {
          io.out(
            `Collected ${r.window.from} … ${r.window.to}: ${r.observedDays.length} observed days, ${r.usageRows} values for ${r.logs} logs` +
              `${r.managedLogs === null ? '' : `, ${r.managedLogs} log names`}, ${r.orgDays} organisation days (${r.requests} requests${r.firstRun ? ', first run' : ''}).\n`,
          );
          for (const w of r.warnings) io.out(`warning: ${w}\n`);
        }
      } finally {
        ctx.close();
      }
    });

  program
    .command('import')
    .description('load history from a CSV file with columns day,log_id,bytes and optional log_name (all or nothing)')
    .argument('<file>', 'CSV file')
    .action((file: string) => {
      const ctx = open();
      try {
        const progress = createProgress(io, 'import');
        const r = runImport(ctx.db, file, { now: ctx.now, progress: (f, phase) => progress.update(f, phase) });
        progress.done();
        io.out(`Imported ${r.rows} rows for ${r.logs} logs over ${r.days} days (${r.from} … ${r.to}).\n`);
      } finally {
        ctx.close();
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(() => {
      const ctx = open({ migrate: false });
      try {
        const ran = migrate(ctx.db, loadMigrations());
        io.out(
          ran.length === 0
            ? `Database is up to date (schema version ${schemaVersion(ctx.db)}).\n`
            : `Applied migrations ${ran.join(', ')}; schema version ${schemaVersion(ctx.db)}.\n`,
        );
      } finally {
        ctx.close();
      }
    });

  program
    .command('status')
    .description('show last runs, data coverage and schema version')
    .option('--json', 'print as one JSON object')
    .action((o: { json?: boolean }) => {
      const ctx = open();
      try {
        const cov = coverage(ctx.db);
        const runs = recentRuns(ctx.db, 10);
        const daily = dailyStatus(ctx);
        const status = {
          database: ctx.settings.databasePath,
          schemaVersion: schemaVersion(ctx.db),
          coverage: cov,
          monthlyBudget: ctx.settings.monthlyBudget ?? null,
          runs,
          ...daily.json,
        };
        if (o.json) {
          io.out(`${JSON.stringify(status)}\n`);
          return;
        }
        const lines = [
          `Database: ${status.database} (schema version ${status.schemaVersion})`,
          `Observed days: ${cov.observedDays}${cov.firstDay ? ` (${cov.firstDay} … ${cov.lastDay})` : ''}; newest day: ${cov.lastDay ?? 'none'}`,
          `Logs: ${cov.logs} known, ${cov.activeLogs} listed by Rapid7`,
          `Organisation totals: ${cov.orgDays} days${cov.orgFirstDay ? ` (${cov.orgFirstDay} … ${cov.orgLastDay})` : ''}`,
          `Monthly budget: ${ctx.settings.monthlyBudget ? formatBytes(ctx.settings.monthlyBudget) : 'not set'}`,
          ...daily.lines,
          'Last runs:',
          ...(runs.length === 0
            ? ['  none yet']
            : runs.map(
                (r) =>
                  `  ${r.startedAt}  ${r.job.padEnd(10)} ${r.status.padEnd(7)} ${r.windowFrom ? `${r.windowFrom}…${r.windowTo}` : (r.day ?? '')}${r.durationMs !== null ? ` ${r.durationMs} ms` : ''}${r.error ? `\n      ${r.error.split('\n')[0]}` : ''}`,
              )),
        ];
        io.out(`${lines.join('\n')}\n`);
      } finally {
        ctx.close();
      }
    });
}
