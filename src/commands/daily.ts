/**
 * CLI of the daily run (SPEC §3): `run-daily`, `digest`, `demo`; the digest preview of `serve` and
 * `/logusage digest`, and the daily lines of `status`.
 */
import type { Command } from 'commander';
import { requireSettings } from '../config.js';
import { alertChannelOf, currentFailure, deliverPending, runDaily } from '../daily.js';
import { type Day, utcDayOf, yesterdayUtc } from '../days.js';
import { runDemo } from '../demo/run.js';
import { renderOutboxRecord } from '../demo/terminal.js';
import { queueDigest } from '../digest.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../main.js';
import { createDailyDeps, createLogSearchFromSettings } from '../main.js';
import { explainLog } from '../pipeline/explain.js';
import type { LogSearchClient } from '../rapid7/query.js';
import { nextFireOf, readDailyHealth } from '../schedule.js';
import type { AskCause } from '../slack/explain-command.js';
import { type DrainReport, slackAuthError } from '../slack/outbox.js';
import { listOpenAlerts } from '../store/alerts.js';
import { countOutbox, type OutboxRecord } from '../store/outbox.js';
import { type CliIo, deliveryLine, effectsLine, type OpenContext, parseDayOption } from './io.js';

function completeDay(io: CliIo, value: string | undefined): Day {
  const today = utcDayOf(io.now());
  const day = parseDayOption('--day', value) ?? yesterdayUtc(io.now());
  if (day >= today) {
    throw new AppError('USAGE', `--day ${day} is not over yet: only complete UTC days (before ${today}) can be used.`, { exitCode: 2 });
  }
  return day;
}

function printMessages(io: CliIo, rows: OutboxRecord[], json: boolean): void {
  for (const r of rows) {
    if (json)
      io.out(
        `${JSON.stringify({ channel: r.channel, method: r.method, key: r.idemKey, text: r.payload.text, blocks: r.payload.blocks ?? null, ...(r.method === 'upload' ? { filename: r.payload.filename } : {}) })}\n`,
      );
    else io.out(`${renderOutboxRecord(r)}\n`);
  }
  if (!json && rows.length === 0) io.out('(no messages)\n');
}

/** Exit with code 1 when Slack refused the token or messages are still waiting. */
function checkDelivery(io: CliIo, d: DrainReport | null): void {
  if (!d) return;
  if (d.authError) throw slackAuthError(d.authError);
  if (d.pending > 0) {
    throw new AppError(
      'SLACK',
      `${d.pending} message(s) could not be delivered to Slack yet (see the log for the last error); they stay queued and are sent by the next run or by \`logusage serve\`.`,
    );
  }
  if (d.dead > 0) io.err(`warning: Slack refused ${d.dead} message(s) for good; the log says why.\n`);
}

/** `/logusage explain` asks Log Search live when a key is set and ROOT_CAUSE is on (one client per question). */
export function explainHook(ctx: AppContext): { explainLog?: AskCause } {
  if (!ctx.settings.rapid7.apiKey || !ctx.settings.rootCause) return {};
  return {
    explainLog: (logId, day, direction) => {
      const client = createLogSearchFromSettings(ctx.settings, ctx.logger) as LogSearchClient;
      return explainLog({ db: ctx.db, logger: ctx.logger, client, now: ctx.now }, logId, day, direction);
    },
  };
}

/** The daily run's lines and JSON fields of `status`. */
export function dailyStatus(ctx: AppContext): { lines: string[]; json: Record<string, unknown> } {
  const h = readDailyHealth(ctx.db);
  const next = nextFireOf(ctx.settings.schedule, ctx.settings.timezone, ctx.now());
  const open = listOpenAlerts(ctx.db, 100_000);
  const out = countOutbox(ctx.db);
  const failure = currentFailure(ctx.db);
  const lines = [
    `Daily run: ${h.lastSuccess ? `last success for ${h.lastSuccess.day} at ${h.lastSuccess.finishedAt}` : 'never succeeded yet'}; next at ${next ? next.toISOString() : 'unknown'} (SCHEDULE "${ctx.settings.schedule}" in ${ctx.settings.timezone})`,
    ...(failure ? [`FAILING since ${failure.since}: ${failure.message} (${failure.code}); the alert channel was told once`] : []),
    `Open alerts: ${open.length}${
      open.length > 0
        ? ` (${open
            .slice(0, 5)
            .map((a) => `${a.kind} ${a.lastFinding.logName}`)
            .join(', ')}${open.length > 5 ? ', …' : ''})`
        : ''
    }`,
    `Slack messages: ${out.pending} waiting, ${out.sent} delivered, ${out.dead} refused`,
  ];
  return {
    lines,
    json: { daily: { ...h, nextRun: next ? next.toISOString() : null }, openAlerts: open.length, outbox: out },
  };
}

export function registerDailyCommands(program: Command, io: CliIo, open: OpenContext): void {
  program
    .command('run-daily')
    .description('what the schedule runs: collect → detect → alerts → digest for one day (default: yesterday, UTC), then deliver')
    .option('--day <day>', 'day to judge (YYYY-MM-DD), before today')
    .option('--dry-run', 'print the Slack messages instead of posting them (nothing about alerts is stored)')
    .option('--json', 'with --dry-run: one message per line as Block Kit JSON')
    .action(async (o: { day?: string; dryRun?: boolean; json?: boolean }) => {
      const day = completeDay(io, o.day);
      const ctx = open();
      try {
        const dryRun = o.dryRun ?? false;
        if (!dryRun) requireSettings(ctx.settings, ['rapid7', 'slack']);
        else if (!ctx.settings.rapid7.apiKey) io.err('note: RAPID7_API_KEY is not set; judging the stored history without collecting.\n');
        const r = await runDaily(createDailyDeps(ctx, { dryRun }), { day, dryRun });
        if (dryRun) {
          printMessages(io, r.messages, o.json ?? false);
          return;
        }
        const collected = r.collect ? `collected ${r.collect.window.from} … ${r.collect.window.to}; ` : '';
        const alerts =
          r.alerts.status === 'applied'
            ? effectsLine(r.alerts.effects)
            : r.alerts.status === 'not-observed'
              ? 'none (no data for the day)'
              : `already ${r.alerts.status === 'stale' ? 'judged for a later day' : 'done'}`;
        const digest = r.digest.notObserved ? 'none (no data)' : r.digest.alreadyQueued ? 'already posted' : 'queued';
        io.out(
          `Daily run for ${day}: ${collected}${r.findings.length} finding(s); alerts: ${alerts}; digest: ${digest}; Slack: ${deliveryLine(r.delivery)}.\n`,
        );
        checkDelivery(io, r.delivery);
      } finally {
        ctx.close();
      }
    });

  program
    .command('digest')
    .description('post (or print) the daily digest of one day (default: yesterday, UTC) with its 30-day chart')
    .option('--day <day>', 'day of the digest (YYYY-MM-DD), before today')
    .option('--dry-run', 'print the digest instead of posting it')
    .option('--json', 'with --dry-run: the Block Kit JSON')
    .option('--force', 'post again even when the digest of that day was already posted')
    .action(async (o: { day?: string; dryRun?: boolean; json?: boolean; force?: boolean }) => {
      const day = completeDay(io, o.day);
      const ctx = open();
      try {
        const dryRun = o.dryRun ?? false;
        if (!dryRun) requireSettings(ctx.settings, ['slack']);
        const deps = createDailyDeps(ctx, { dryRun });
        const r = queueDigest(
          {
            db: ctx.db,
            logger: ctx.logger,
            now: ctx.now(),
            channel: ctx.settings.slack.digestChannel ?? alertChannelOf(ctx.settings, dryRun),
            envBudget: ctx.settings.monthlyBudget,
            weeklyDigest: ctx.settings.weeklyDigest,
            ...(deps.renderChart ? { renderChart: deps.renderChart } : {}),
          },
          day,
          { dryRun, force: o.force ?? false },
        );
        if (r.chartError) io.err(`warning: the chart was left out: ${r.chartError}\n`);
        if (dryRun) {
          printMessages(io, r.queued, o.json ?? false);
          return;
        }
        if (r.notObserved) {
          throw new AppError(
            'NOT_FOUND',
            `${day} has not been collected, so there is no digest for it. Run \`logusage collect --from ${day} --to ${day}\` first.`,
          );
        }
        if (r.alreadyQueued && r.queued.length === 0) io.out(`The digest of ${day} was already posted (use --force to post it again).\n`);
        const d = await deliverPending(deps);
        if (r.queued.length > 0) io.out(`Digest of ${day}: ${deliveryLine(d)}.\n`);
        checkDelivery(io, d);
      } finally {
        ctx.close();
      }
    });

  program
    .command('demo')
    .description('the whole product with no credentials: a simulated Rapid7 API with 60 days of usage, Slack messages printed here')
    .option('--db <path>', 'keep the demo database at this path (default: a temporary folder)')
    .option('--days <n>', 'days replayed one daily run at a time (default 14)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 40)
        throw new AppError('USAGE', `--days "${v}": write a number from 1 to 40, e.g. 14.`, { exitCode: 2 });
      return Number(v);
    })
    .action(async (o: { db?: string; days?: number }) => {
      await runDemo({
        write: io.out,
        now: io.now(),
        ...(o.db ? { dbPath: o.db } : {}),
        ...(o.days ? { replayDays: o.days } : {}),
      });
    });
}
