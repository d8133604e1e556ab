/** CLI commands of detection: `detect` (one day on the stored history) and `backtest` (replay). */
import type { Command } from 'commander';
import { createEpisodeCounter } from '../alerts/lifecycle.js';
import { readSettings, requireSettings } from '../config.js';
import { postDetectedDay } from '../daily.js';
import { utcDayOf, yesterdayUtc } from '../days.js';
import type { History, LogOverrides } from '../detect/backtest.js';
import type { ThresholdRule } from '../detect/org-rules.js';
import { DEFAULT_PARAMS, type DetectParams, parseSensitivity } from '../detect/params.js';
import type { Finding, FindingKind } from '../detect/types.js';
import { AppError } from '../errors.js';
import { type AppContext, createDailyDeps } from '../main.js';
import { priceFindings } from '../money.js';
import { type DetectForDayResult, detectForDay, detectionParams } from '../pipeline/detect.js';
import { judgeOrganisation, recordLevelShifts } from '../pipeline/org.js';
import { effectiveBudget } from '../store/controls.js';
import { readDetectionSettings } from '../store/detection-settings.js';
import { readDbHistory } from '../store/history.js';
import { priceInForce } from '../store/price.js';
import { coverage } from '../store/usage.js';
import { formatBytes } from '../units.js';
import { readCsvHistory } from '../usage-csv.js';
import { createOrgReplay, type OrgReplay } from './backtest-org.js';
import { defaultThreads, replayOnThreads, THREADS_FROM_LOG_DAYS } from './backtest-threads.js';
import { type CliIo, createProgress, deliveryLine, effectsLine, type OpenContext, parseDayOption } from './io.js';

const KIND_ORDER: FindingKind[] = ['silent', 'drop', 'spike', 'new', 'threshold', 'budget', 'org', 'creep'];

/** `detect` without --dry-run: the findings are posted under the daily run's lease (`postDetectedDay`); one line says what. */
async function postDay(ctx: AppContext, result: DetectForDayResult): Promise<string> {
  requireSettings(ctx.settings, ['slack']);
  const { alerts, delivery } = await postDetectedDay(createDailyDeps(ctx, { dryRun: false }), result.day, result.findings);
  if (alerts.status !== 'applied') {
    const why =
      alerts.status === 'stale'
        ? 'already judged for a later day'
        : alerts.status === 'not-observed'
          ? 'not collected'
          : 'already processed';
    return `Alerts for ${result.day} were ${why}; nothing new was posted (${deliveryLine(delivery)}).`;
  }
  return `${result.findings.length} finding(s) for ${result.day}: ${effectsLine(alerts.effects)}; Slack: ${deliveryLine(delivery)}.`;
}

/** One finding as readable text: a headline and its reason. */
export function formatFinding(f: Finding): string {
  const band =
    f.kind === 'threshold' || f.kind === 'budget'
      ? `limit ${formatBytes(f.expected)}`
      : `usual ${formatBytes(f.expected)}, band ${formatBytes(f.low)} – ${formatBytes(f.high)}`;
  const pct = f.changePct === null ? '' : `, ${f.changePct >= 0 ? '+' : ''}${Math.round(f.changePct)}%`;
  const flags = f.details?.levelShift ? ' [new normal]' : '';
  return `${f.kind.padEnd(9)} ${f.logName}: ${formatBytes(f.value)} (${band}${pct}, score ${f.score})${flags}\n          ${f.reason}`;
}

function parseSensitivityOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = parseSensitivity(v);
  if (s === undefined) {
    throw new AppError(
      'USAGE',
      `--sensitivity "${v}" is not valid: write a band multiplier from 0.1 to 10 (e.g. 1.5) or low, normal, high.`,
      {
        exitCode: 2,
      },
    );
  }
  return s;
}

function parseThreadsOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new AppError('USAGE', `--threads "${v}" is not valid: write a whole number of threads from 1 to 64 (e.g. 2).`, { exitCode: 2 });
  }
  return n;
}

export function registerDetectCommands(program: Command, io: CliIo, open: OpenContext): void {
  program
    .command('detect')
    .description('evaluate every rule for one day on the stored history (default: yesterday, UTC) and print the findings')
    .option('--day <day>', 'day to judge (YYYY-MM-DD), before today')
    .option('--dry-run', 'print the findings instead of posting them')
    .option('--json', 'one finding per line as JSON')
    .action(async (o: { day?: string; dryRun?: boolean; json?: boolean }) => {
      const today = utcDayOf(io.now());
      const day = parseDayOption('--day', o.day) ?? yesterdayUtc(io.now());
      if (day >= today) {
        throw new AppError('USAGE', `--day ${day} is not over yet: only complete UTC days (before ${today}) can be judged.`, {
          exitCode: 2,
        });
      }
      const ctx = open();
      try {
        const raw = detectForDay(ctx.db, day, ctx.settings);
        if (!raw.observed) {
          throw new AppError(
            'NOT_FOUND',
            `${day} has not been observed (no collection or import covers it), so there is nothing to judge. Run \`logusage collect --from ${day} --to ${day}\` first.`,
          );
        }
        // The organisation level as the daily run judges it (SPEC §6.7): an unexplained unusual day is a finding.
        const price = priceInForce(ctx.db, ctx.settings.price);
        const result = { ...raw, findings: judgeOrganisation(ctx.db, day, priceFindings(raw.findings, price), price, raw.muted).findings };
        if (!o.dryRun) {
          recordLevelShifts(ctx.db, day, [...raw.findings, ...raw.muted], io.now(), false);
          io.out(`${await postDay(ctx, result)}\n`);
          return;
        }
        if (o.json) {
          for (const f of result.findings) io.out(`${JSON.stringify(f)}\n`);
          return;
        }
        io.out(describeDay(result));
      } finally {
        ctx.close();
      }
    });

  program
    .command('backtest')
    .description('replay detection day by day over a CSV file or the stored history, as the daily run would have, and report the findings')
    .option(
      '--input <file>',
      'CSV file with columns day,log_id,bytes (optional log_name); every day from the first to the last is observed',
    )
    .option('--db', 'replay the stored history (with the stored thresholds, budget and per-log settings)')
    .option('--from <day>', 'first day to judge (earlier days are history only)')
    .option('--to <day>', 'last day to judge')
    .option('--sensitivity <x>', 'band multiplier to try (e.g. 1.5 = fewer alerts, 0.7 = more), or low | normal | high')
    .option('--json', 'one finding per line as JSON (the format of eval/score.mjs)')
    .option(
      '--threads <n>',
      `threads that judge the logs (default: 1 below ${THREADS_FROM_LOG_DAYS.toLocaleString('en-US')} log-days judged, else one per core, at most 4); the findings are the same`,
    )
    .action(
      async (o: { input?: string; db?: boolean; from?: string; to?: string; sensitivity?: string; json?: boolean; threads?: string }) => {
        if (Boolean(o.input) === Boolean(o.db)) {
          throw new AppError('USAGE', 'Give exactly one of --input FILE.csv or --db, e.g. `logusage backtest --input usage.csv`.', {
            exitCode: 2,
          });
        }
        const from = parseDayOption('--from', o.from);
        const to = parseDayOption('--to', o.to);
        if (from && to && from > to) throw new AppError('USAGE', `--from ${from} is after --to ${to}.`, { exitCode: 2 });
        const sensitivity = parseSensitivityOption(o.sensitivity);
        const threadsOption = parseThreadsOption(o.threads);
        const progress = createProgress(io, 'backtest');
        const started = io.now().getTime();
        let run: BacktestInput;
        if (o.input) {
          const settings = readSettings(io.env, io.overrides);
          const h = readCsvHistory(o.input, (f) => progress.update(f * 0.2, 'reading'));
          const params = detectionParams(settings, undefined, sensitivity === undefined ? {} : { sensitivity });
          run = { h, params, thresholds: [], budget: settings.monthlyBudget, overrides: undefined };
        } else {
          const ctx = open();
          try {
            run = loadInput(ctx, sensitivity);
          } finally {
            ctx.close();
          }
        }
        const episodes = createEpisodeCounter(readSettings(io.env, io.overrides).resolveAfterDays);
        // The organisation level, as the daily run judges it after the log rules (SPEC §6.7); its memo of the
        // logs' expectations is made while other threads judge the logs.
        let orgReplay: OrgReplay | undefined;
        const orgOf = () => {
          orgReplay ??= createOrgReplay(run.h, run.overrides);
          return orgReplay;
        };
        const org = { unusual: 0, alerts: 0, creep: 0 };
        // Threads pay off by the log-days judged: the days of --from … --to, not the whole history read.
        const judgedDays = run.h.days.filter((d) => (!from || d >= from) && (!to || d <= to)).length;
        const threads = threadsOption ?? defaultThreads(run.h.logs.length, judgedDays);
        const summary = await replayOnThreads(
          run.h,
          {
            params: run.params,
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
            thresholds: run.thresholds,
            monthlyBudget: run.budget,
            ...(run.overrides ? { overrides: run.overrides } : {}),
            onDay: (r, done, total) => {
              const day = orgOf().judge(r);
              for (const f of day.findings) {
                if (o.json) io.out(`${JSON.stringify(f)}\n`);
                episodes.add(f);
              }
              // An explained organisation day is the digest's (printed, not an alert); creep is one digest message.
              for (const f of [day.unusual, day.creep]) if (f && o.json && !day.findings.includes(f)) io.out(`${JSON.stringify(f)}\n`);
              if (day.unusual) org.unusual++;
              if (day.unusual && day.findings.includes(day.unusual)) org.alerts++;
              if (day.creep) org.creep++;
              progress.update(0.9 + 0.1 * (done / total), 'reporting');
            },
            onProgress: (f) => progress.update(0.2 + 0.7 * f, 'replaying'),
          },
          threads,
          orgOf,
        );
        progress.done();
        if (o.json) return;
        const logDays = summary.days * summary.logs;
        const lines = [
          `Backtest ${summary.from} … ${summary.to}: ${summary.days} days × ${summary.logs} logs (${logDays.toLocaleString('en-US')} log-days), sensitivity ${run.params.sensitivity}, in ${((io.now().getTime() - started) / 1000).toFixed(1)} s.`,
          `Findings: ${summary.findings} (${logDays ? ((summary.findings / logDays) * 1000).toFixed(2) : '0'} per 1,000 log-days), about ${episodes.count()} alert episodes and notices (counted as the alert lifecycle keys them).`,
          `  by kind: ${
            KIND_ORDER.filter((k) => summary.byKind[k])
              .map((k) => `${k} ${summary.byKind[k]}`)
              .join(', ') || 'none'
          }`,
        ];
        lines.push(
          `Organisation: ${org.unusual} unusual day${org.unusual === 1 ? '' : 's'} (${org.alerts} alerted, ${org.unusual - org.alerts} explained by logs' own alerts), ${org.creep} creep notice${org.creep === 1 ? '' : 's'}.`,
        );
        const noisy = [...summary.byLog.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
        lines.push(`Logs with findings: ${noisy.length} of ${summary.logs}.`);
        if (noisy.length) {
          lines.push('Noisiest logs:');
          for (const [id, e] of noisy.slice(0, 10)) {
            const kinds = KIND_ORDER.filter((k) => e.kinds[k])
              .map((k) => `${k} ${e.kinds[k]}`)
              .join(', ');
            lines.push(`  ${String(e.count).padStart(4)}  ${e.name}${e.name.includes(id) ? '' : ` (${id})`}: ${kinds}`);
          }
        }
        io.out(`${lines.join('\n')}\n`);
      },
    );
}

interface BacktestInput {
  h: History;
  params: DetectParams;
  thresholds: ThresholdRule[];
  budget: number | undefined;
  overrides: Map<string, LogOverrides> | undefined;
}

function loadInput(ctx: AppContext, sensitivity: number | undefined): BacktestInput {
  const cov = coverage(ctx.db);
  if (!cov.firstDay || !cov.lastDay) {
    throw new AppError('NOT_FOUND', 'The database holds no observed days yet: run `logusage collect` or `logusage import FILE.csv` first.');
  }
  const stored = readDetectionSettings(ctx.db);
  const params: DetectParams = detectionParams(ctx.settings, stored.sensitivity, sensitivity === undefined ? {} : { sensitivity });
  return {
    h: readDbHistory(ctx.db, cov.firstDay, cov.lastDay),
    params,
    thresholds: stored.thresholds,
    budget: effectiveBudget(ctx.db, ctx.settings.monthlyBudget).bytes,
    overrides: stored.overrides,
  };
}

/** The readable report of one day. */
export function describeDay(r: DetectForDayResult): string {
  const sorted = [...r.findings].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || b.score - a.score);
  const head =
    sorted.length === 0
      ? `No findings for ${r.day}: all ${r.logs} logs within their usual range.`
      : `${sorted.length} finding${sorted.length === 1 ? '' : 's'} for ${r.day} (${r.logs} logs judged):`;
  const lines = [head, ...sorted.map((f) => `  ${formatFinding(f)}`)];
  if (r.muted.length) lines.push(`(${r.muted.length} more for muted logs, not shown.)`);
  if (r.params.sensitivity !== DEFAULT_PARAMS.sensitivity) lines.push(`Sensitivity: band × ${r.params.sensitivity}.`);
  return `${lines.join('\n')}\n`;
}
