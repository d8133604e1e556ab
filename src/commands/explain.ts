/** `logusage explain <log> [--day D]` (SPEC §3, §6.6): the cause inside one log on a UTC day, printed. */
import type { Command } from 'commander';
import { describeCause } from '../detect/root-cause.js';
import { AppError } from '../errors.js';
import { causeChangeText } from '../slack/blocks/cause.js';
import { explainFor } from '../slack/explain-command.js';
import { matchLog } from '../slack/names.js';
import { displayName, listLogs } from '../store/usage.js';
import { explainHook } from './daily.js';
import { type CliIo, type OpenContext, parseDayOption } from './io.js';

export function registerExplainCommand(program: Command, io: CliIo, open: OpenContext): void {
  program
    .command('explain')
    .argument('<log>', 'log name, id, or a unique part of the name')
    .description('the cause inside one log on a day, from Log Search: which host or source carried the change')
    .option('--day <YYYY-MM-DD>', 'UTC day (default: the newest collected day)')
    .action(async (name: string, o: { day?: string }) => {
      const day = parseDayOption('--day', o.day);
      const ctx = open();
      try {
        const m = matchLog(name, listLogs(ctx.db));
        if (!m.ok) {
          const list = m.reason === 'ambiguous' ? `: it matches ${m.candidates.map((l) => `${displayName(l)} (${l.id})`).join(', ')}` : '';
          throw new AppError('USAGE', `No single log is "${name}"${list}. Give its id or exact name, e.g. logusage explain firewall-eu.`, {
            exitCode: 2,
          });
        }
        const r = await explainFor(ctx.db, m.item, day, explainHook(ctx).explainLog);
        if (!r.analysis) {
          throw new AppError('NOT_FOUND', `No explanation for ${r.logName}${r.day ? ` on ${r.day}` : ''}: ${r.why ?? 'nothing to tell'}.`);
        }
        io.out(`${r.logName} on ${r.day}: ${describeCause(r.analysis, causeChangeText(r.finding))}\n`);
        for (const c of r.analysis.contributors) {
          io.out(
            `  ${c.value}: ${Math.round(c.share * 100)} % of the change${c.isNew ? ' (new today)' : c.stopped ? ' (sent nothing)' : ''}\n`,
          );
        }
      } finally {
        ctx.close();
      }
    });
}
