/**
 * `/logusage`: answers that need no data (help, usage errors, refusals) go in the ack itself;
 * everything else is acked at once (empty body, within Slack's 3 s) and answered through `respond`
 * (ephemeral). A failure to respond is logged, never thrown out of the listener.
 */
import type { App, RespondFn } from '@slack/bolt';
import { describeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SlackMessage } from '../mrkdwn.js';
import type { SlackService, UploadPng } from '../service.js';
import type { CommandModal } from './modals.js';

export const COMMAND_NAME = '/logusage';

function ephemeral(m: SlackMessage) {
  return { response_type: 'ephemeral' as const, text: m.text, blocks: m.blocks };
}

async function safeRespond(respond: RespondFn, m: SlackMessage, logger: Logger, what: string): Promise<void> {
  try {
    await respond({ ...ephemeral(m), replace_original: false });
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

export function registerLogusageCommand(app: App, service: SlackService, logger: Logger, openModal?: OpenCommandModal): void {
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
      });
    };
    const result = await service.run(command.text ?? '', caller, upload);
    await safeRespond(respond, result.message, logger, 'command answer');
    if (result.followUp) {
      const next = await result.followUp();
      await safeRespond(respond, next, logger, 'command follow-up');
    }
  });
}
