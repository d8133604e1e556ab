/**
 * Alert buttons (Snooze 1 day / 1 week, Mark as expected, Mute log): acked at once, permission
 * checked like the slash command, and on success the clicked message is updated (chat.update) with
 * its action log — who did what — rendered from the alert's audit rows by the same builder that
 * rebuilds the message on later days (buildActionLog), so the daily update keeps the same lines.
 * Refusals and errors go only to the person who clicked.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { describeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { ACTION_IDS } from '../action-ids.js';
import { hasBlockRole, renewBlockIds } from '../block-ids.js';
import { type Block, fitMessage } from '../block-kit.js';
import { ACTION_LOG_BLOCK_ID } from '../blocks/alert.js';
import type { ButtonOutcome, SlackService } from '../service.js';

/** The message's blocks with its action log (found by its role, any revision) replaced by `log`, appended when it had none (pure). */
export function withActionLog(blocks: Block[], log: Block): Block[] {
  return [...blocks.filter((b) => !hasBlockRole(b, ACTION_LOG_BLOCK_ID)), log];
}

export function registerAlertActions(app: App, service: SlackService, logger: Logger): void {
  for (const actionId of Object.values(ACTION_IDS)) registerAlertButton(app, actionId, service.button, logger);
}

/** What a button does, given its action id, its value and who clicked where (never throws). */
export type AlertButtonHandler = (
  actionId: string,
  rawValue: string,
  caller: { userId: string; channelId: string },
) => Promise<ButtonOutcome>;

/**
 * One button on alert messages: acked at once; the handler's refusal or error goes only to the person who
 * clicked, and its action log replaces the message's (chat.update). Used by every alert button.
 */
export function registerAlertButton(app: App, actionId: string, handle: AlertButtonHandler, logger: Logger): void {
  // A button of one alert, or a menu of a grouped / log-set message whose chosen option names the log
  // (src/slack/blocks/grouped.ts): both carry the same value.
  app.action<BlockAction<ButtonAction | StaticSelectAction>>(actionId, async ({ ack, body, action, client, respond }) => {
    await ack();
    const channelId = body.container?.channel_id ?? body.channel?.id ?? '';
    const ts = body.container?.message_ts ?? body.message?.ts;
    const value = action.type === 'static_select' ? (action.selected_option?.value ?? '') : (action.value ?? '');
    const outcome = await handle(action.action_id, value, { userId: body.user.id, channelId });
    if (outcome.ephemeral) {
      try {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: outcome.ephemeral.text,
          blocks: outcome.ephemeral.blocks,
        });
      } catch (err) {
        logger.warn({ err: describeError(err) }, 'could not answer a button click');
      }
      if (!outcome.actionLog) return;
    }
    if (!outcome.actionLog || !ts || !channelId) return;
    const original = (body.message?.blocks ?? []) as Block[];
    const fitted = fitMessage({ text: body.message?.text ?? 'logusage alert', blocks: withActionLog(original, outcome.actionLog) });
    try {
      // Updated in place, so every block gets a new block_id (SLACK.md "Rules"): a revision no earlier
      // version of the message had (the click's action_ts and a monotonic clock).
      const blocks = renewBlockIds(fitted.blocks, `c${action.action_ts ?? ''}-${process.hrtime.bigint().toString(36)}`);
      await client.chat.update({ channel: channelId, ts, text: fitted.text, blocks });
    } catch (err) {
      logger.warn({ err: describeError(err), channel: channelId, ts }, 'could not update the alert message after a button click');
      try {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'Done, but the alert message could not be updated.' });
      } catch (err2) {
        logger.warn({ err: describeError(err2) }, 'could not answer a button click');
      }
    }
  });
}
