/** `/logusage explain <name> [DATE]` (SPEC §9): which host or source inside a log carried its change (src/slack/explain-command.ts). */
import { runExplainCommand } from '../explain-command.js';
import type { Handlers } from './context.js';
import { resolveLog } from './resolve.js';

export const explainCommands: Handlers<'explain'> = {
  async explain(ctx, cmd) {
    const r = resolveLog(ctx, cmd.name, (id) => `explain ${id}${cmd.day ? ` ${cmd.day}` : ''}`);
    return { message: 'reply' in r ? r.reply : await runExplainCommand(ctx.db, r.log, cmd.day, ctx.features.explainLog) };
  },
};
