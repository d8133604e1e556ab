/** `/logusage help` (and `/logusage` alone): every usage of the table, admin-only ones apart (src/slack/blocks/help.ts). */
import { buildHelp } from '../blocks/help.js';
import type { CommandContext, Handlers } from './context.js';

/** Help as `userId` sees it: whether they may run the changes, and whether anyone may. */
export const helpFor = (ctx: Pick<CommandContext, 'admins'>, userId: string) =>
  buildHelp({ isAdmin: ctx.admins.has(userId), adminsConfigured: ctx.admins.size > 0 });

export const helpCommands: Handlers<'help'> = {
  help: (ctx, _cmd, caller) => ({ message: helpFor(ctx, caller.userId) }),
};
