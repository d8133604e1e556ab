/**
 * The handlers' world: a real SQLite `:memory:` store with the real migrations and a seeded history
 * (test/support/slack-harness.ts), the real settings reader, a fixed clock, and the context the service gives its
 * handlers. `cmd(text)` parses typed text the way the slash command does, so each test reads like what is typed.
 */
import { afterEach } from 'vitest';
import { readSettings } from '../../../../src/config.js';
import { createSilentLogger } from '../../../../src/logger.js';
import { type Command, parseCommand } from '../../../../src/slack/command-parser.js';
import type { CommandContext, CommandResult, Handler, Handlers, ServeFeatures, UploadPng } from '../../../../src/slack/commands/context.js';
import { createCommandContext } from '../../../../src/slack/service.js';
import { type Db, openDb } from '../../../../src/store/db.js';
import { ADMIN, CHANNEL, NOW, type SeedLog, seedHistory } from '../../../support/slack-harness.js';

export { ADMIN, CHANNEL, LAST_DAY, NOW } from '../../../support/slack-harness.js';

export const LOGS: SeedLog[] = [
  { id: 'L1', name: 'firewall-eu', logsets: ['Firewalls'], base: 50e9 },
  { id: 'L2', name: 'firewall-us', logsets: ['Firewalls'], base: 30e9 },
  { id: 'L3', name: 'web proxy', logsets: ['Proxies'], base: 10e9 },
];

export const caller = { userId: ADMIN, channelId: CHANNEL };

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

/** A context over a fresh store; `seed: false` leaves it empty (no collection yet). */
export function world(
  o: { seed?: boolean; env?: Record<string, string>; features?: ServeFeatures; checkMembership?: CommandContext['checkMembership'] } = {},
): CommandContext {
  const db = openDb(':memory:');
  open.push(db);
  if (o.seed !== false) seedHistory(db, LOGS, 60);
  return createCommandContext({
    db,
    settings: readSettings({ SLACK_BOT_TOKEN: 'xoxb-test', LOGUSAGE_ADMINS: ADMIN, SLACK_ALERT_CHANNEL: 'C0ALERTS1', ...o.env }),
    logger: createSilentLogger(),
    now: () => NOW,
    ...(o.features ? { features: o.features } : {}),
    ...(o.checkMembership ? { checkMembership: o.checkMembership } : {}),
  });
}

/** The command `text` parses to; it must be of `kind`. */
export function cmd<K extends Command['kind']>(text: string, kind: K): Extract<Command, { kind: K }> {
  const c = parseCommand(text);
  if (c.kind !== kind) throw new Error(`"${text}" parses to ${c.kind}, not ${kind}`);
  return c as Extract<Command, { kind: K }>;
}

/**
 * Runs `text` (as typed after `/logusage`) through the handler, among `handlers` (one subcommand's file), of the kind
 * it parses to; that file must handle the kind. The caller is the admin in the channel.
 */
export async function run(handlers: Partial<Handlers>, ctx: CommandContext, text: string, upload: UploadPng): Promise<CommandResult> {
  const c = parseCommand(text);
  const handler = c.kind === 'error' ? undefined : (handlers[c.kind] as Handler<typeof c.kind> | undefined);
  if (!handler) throw new Error(`"${text}" parses to ${c.kind}, which these handlers do not handle`);
  return handler(ctx, c as never, caller, upload);
}

/** An upload that records what it was given (or fails with a Slack error code). */
export function recordingUpload(fail?: string): UploadPng & { calls: Array<Parameters<UploadPng>[0]> } {
  const calls: Array<Parameters<UploadPng>[0]> = [];
  const upload = async (f: Parameters<UploadPng>[0]) => {
    calls.push(f);
    if (fail) throw Object.assign(new Error(fail), { data: { error: fail } });
  };
  return Object.assign(upload, { calls });
}

export const noUpload = recordingUpload();

/** All the text of a message, fallback and blocks (as sent), for `toContain`. */
export function allText(m: { text: string; blocks: unknown[] }): string {
  return `${m.text}\n${JSON.stringify(m.blocks)}`;
}
