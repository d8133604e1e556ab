/**
 * `/logusage`: answers that need no data (help, usage errors, refusals) go in the ack itself;
 * everything else is acked at once (empty body, within Slack's 3 s) and answered through `respond`
 * (ephemeral). A failure to respond is logged, never thrown out of the listener.
 */
import type { App, RespondFn } from '@slack/bolt';
import { describeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { renewBlockIds } from '../block-ids.js';
import type { SlackMessage } from '../block-kit.js';
import { parseCommand } from '../command-parser.js';
import { isChanging } from '../commands/table.js';
import type { SlackService, UploadPng } from '../service.js';
import type { CommandModal } from './modals.js';

export const COMMAND_NAME = '/logusage';

function ephemeral(m: SlackMessage) {
  return { response_type: 'ephemeral' as const, text: m.text, blocks: m.blocks };
}

/**
 * Answers through response_url. `replace` makes it replace the previous answer (the refresh result
 * replaces "Collecting now…"); every answer carries block_ids of its own `revision`, so a replacement
 * never reuses the ids of what it replaces (SLACK.md "Rules").
 */
async function safeRespond(
  respond: RespondFn,
  m: SlackMessage,
  logger: Logger,
  what: string,
  opts: { replace: boolean; revision: string },
): Promise<void> {
  try {
    await respond({ ...ephemeral({ text: m.text, blocks: renewBlockIds(m.blocks, opts.revision) }), replace_original: opts.replace });
  } catch (err) {
    logger.warn({ err: describeError(err), what }, 'could not answer through response_url (expired or refused)');
  }
}

/** Opens the modal a command asks for (`threshold set`, `budget set` without arguments). */
export type OpenCommandModal = (
  text: string,
  caller: { userId: string; channelId: string },
  triggerId: string | undefined,
  client: Parameters<Parameters<App['command']>[1]>[0]['client'],
) => Promise<CommandModal>;

/** After a changing command: what its author's Home tab shows may have changed (budget, plans, owners). */
export type AfterChange = (userId: string, client: Parameters<OpenCommandModal>[3]) => Promise<void>;

export function registerLogusageCommand(
  app: App,
  service: SlackService,
  logger: Logger,
  openModal?: OpenCommandModal,
  afterChange?: AfterChange,
): void {
  app.command(COMMAND_NAME, async ({ command, ack, respond, client }) => {
    const caller = { userId: command.user_id, channelId: command.channel_id };
    const quick = service.quickAnswer(command.text ?? '', caller);
    if (quick) {
      await ack(ephemeral(quick));
      return;
    }
    await ack();
    // A modal opens at once with the trigger_id (valid 3 s); when it cannot, the reply says what to type.
    if (openModal && (await openModal(command.text ?? '', caller, command.trigger_id, client)) === 'opened') return;
    const upload: UploadPng = async (f) => {
      await client.filesUploadV2({
        channel_id: f.channelId,
        file: f.png,
        filename: f.filename,
        title: f.title,
        initial_comment: f.comment,
        alt_text: f.altText,
      });
    };
    const result = await service.run(command.text ?? '', caller, upload);
    const revision = (n: number) => `r${command.trigger_id ?? ''}-${n}`;
    await safeRespond(respond, result.message, logger, 'command answer', { replace: false, revision: revision(1) });
    if (result.followUp) {
      const next = await result.followUp();
      await safeRespond(respond, next, logger, 'command follow-up', { replace: true, revision: revision(2) });
    }
    if (afterChange && service.isAdmin(caller.userId)) {
      const cmd = parseCommand(command.text ?? '');
      if (cmd.kind !== 'error' && isChanging(cmd)) await afterChange(caller.userId, client);
    }
  });
}
