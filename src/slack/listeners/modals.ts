/**
 * The settings modals (SPEC §9): opened by `/logusage threshold set` or `budget set` without arguments,
 * by the Home tab's buttons and by an alert's "Set threshold" button — acked at once, then views.open
 * with the trigger_id (Slack allows 3 s). The target picker's type-ahead (block_suggestion) and the
 * submissions (view_submission) are answered here; a valid submission runs through the service like the
 * typed command (admins only, audited) and is confirmed ephemerally in the channel it came from, or in
 * the app's DM when it came from the Home tab (whose view is then published again).
 */
import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import { describeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AlertButtonValue } from '../action-ids.js';
import type { SlackMessage } from '../block-kit.js';
import { buildNotAllowed } from '../blocks/common.js';
import { buildNoticeModal, type ModalContext, type ModalView, readModalContext } from '../blocks/modals.js';
import { parseCommand } from '../command-parser.js';
import type { HomePublisher } from '../home.js';
import type { Modals, ViewValues } from '../modals.js';
import type { Caller, SlackService } from '../service.js';
import { MODAL_FIELDS, MODAL_IDS, UI_ACTION_IDS } from '../ui-ids.js';

export interface ModalListenerDeps {
  service: SlackService;
  modals: Modals;
  home: HomePublisher;
  logger: Logger;
  /** False when LOGUSAGE_ADMINS is empty: refusals then say how to name an admin. */
  adminsConfigured: boolean;
}

type Client = webApi.WebClient;

/** The outcome of `/logusage` text that may ask for a modal: not a modal command, opened, or could not be opened. */
export type CommandModal = 'not-a-modal' | 'opened' | 'failed';

async function openView(client: Client, triggerId: string, view: ModalView, logger: Logger): Promise<boolean> {
  try {
    await client.views.open({ trigger_id: triggerId, view });
    return true;
  } catch (err) {
    logger.warn({ err: describeError(err) }, 'could not open a modal (the trigger expires 3 s after the click or command)');
    return false;
  }
}

/** Says `m` to the user where the modal came from: ephemeral in its channel, else in the app's DM. */
async function confirm(client: Client, ctx: ModalContext, userId: string, m: SlackMessage, logger: Logger): Promise<void> {
  try {
    if (ctx.channelId) await client.chat.postEphemeral({ channel: ctx.channelId, user: userId, text: m.text, blocks: m.blocks });
    else await client.chat.postMessage({ channel: userId, text: m.text, blocks: m.blocks });
  } catch (err) {
    logger.warn({ err: describeError(err) }, 'could not confirm a change made from a modal');
  }
}

/** For the slash command listener: opens the modal that `text` asks for (admins; refusals are answered in the ack). */
export function createCommandModalOpener(deps: ModalListenerDeps) {
  return async (text: string, caller: Caller, triggerId: string | undefined, client: Client): Promise<CommandModal> => {
    const cmd = parseCommand(text);
    if (cmd.kind !== 'threshold-modal' && cmd.kind !== 'budget-modal') return 'not-a-modal';
    if (!deps.service.isAdmin(caller.userId) || !triggerId) return 'failed';
    const ctx: ModalContext = { channelId: caller.channelId || null };
    const view = cmd.kind === 'threshold-modal' ? deps.modals.thresholdView(ctx) : deps.modals.budgetView(ctx);
    return (await openView(client, triggerId, view, deps.logger)) ? 'opened' : 'failed';
  };
}

export function registerModalListeners(app: App, deps: ModalListenerDeps): void {
  const { service, modals, logger } = deps;

  const openers: Record<string, { what: string; view: (ctx: ModalContext, value: AlertButtonValue | null) => ModalView }> = {
    [UI_ACTION_IDS.homeThreshold]: { what: 'change thresholds', view: (ctx) => modals.thresholdView(ctx) },
    [UI_ACTION_IDS.setThreshold]: { what: 'change thresholds', view: (ctx, v) => modals.thresholdView(ctx, v?.logId ?? null) },
    [UI_ACTION_IDS.homeBudget]: { what: 'change the budget', view: (ctx) => modals.budgetView(ctx) },
    [UI_ACTION_IDS.homeExpect]: {
      what: 'plan changes',
      view: (ctx) => modals.expectView(ctx) ?? buildNoticeModal('Expected change', 'Use `/logusage expect` instead.'),
    },
    [UI_ACTION_IDS.expectUntil]: {
      what: 'plan changes',
      view: (ctx, v) =>
        (v?.logId ? modals.expectView(ctx, v.logId) : undefined) ??
        buildNoticeModal('Expected change', 'This alert is not about one known log; use `/logusage expect` instead.'),
    },
  };
  for (const [actionId, o] of Object.entries(openers)) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      const userId = body.user.id;
      const channelId = body.container?.channel_id ?? body.channel?.id ?? null;
      if (!service.isAdmin(userId)) {
        const m = buildNotAllowed(o.what, userId, deps.adminsConfigured);
        if (body.response_url) {
          try {
            await respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
          } catch (err) {
            logger.warn({ err: describeError(err) }, 'could not answer a button click');
          }
        } else await openView(client, body.trigger_id, buildNoticeModal('Only for admins', m.text), logger);
        return;
      }
      let value: AlertButtonValue | null = null;
      try {
        const v = JSON.parse(action.value ?? '') as unknown;
        if (v && typeof v === 'object') value = v as AlertButtonValue;
      } catch {
        value = null;
      }
      const ctx: ModalContext = { channelId, alertId: typeof value?.alertId === 'number' ? value.alertId : null };
      // The planned-change modal learns its log from the button (expectView puts it in the context).
      await openView(client, body.trigger_id, o.view(ctx, value), logger);
    });
  }

  app.options(MODAL_FIELDS.target, async ({ ack, payload }) => {
    try {
      await ack(modals.targetOptions(String((payload as { value?: unknown }).value ?? '')));
    } catch (err) {
      logger.warn({ err: describeError(err) }, 'could not list the log picker options');
      await ack({ options: [] });
    }
  });

  const submit = (
    callbackId: string,
    validate: (v: ViewValues, ctx: ModalContext) => ReturnType<Modals['validateThreshold']>,
    what: string,
  ) => {
    app.view(callbackId, async ({ ack, body, view, client }) => {
      const userId = body.user.id;
      const firstBlock = callbackId === MODAL_IDS.threshold ? MODAL_FIELDS.scope : MODAL_FIELDS.size;
      if (!service.isAdmin(userId)) {
        await ack({ response_action: 'errors', errors: { [firstBlock]: `Only admins may ${what} (LOGUSAGE_ADMINS).` } });
        return;
      }
      const ctx = readModalContext(view.private_metadata);
      const v = validate(view.state.values as ViewValues, ctx);
      if (!v.ok) {
        await ack({ response_action: 'errors', errors: v.errors });
        return;
      }
      const result = await service.apply(v.command, { userId, channelId: ctx.channelId ?? '' });
      await ack();
      await confirm(client, ctx, userId, result.message, logger);
      if (!ctx.channelId) {
        try {
          await deps.home.publish(userId, client);
        } catch (err) {
          logger.warn({ err: describeError(err) }, 'could not refresh the Home tab after a change');
        }
      }
    });
  };
  submit(MODAL_IDS.threshold, modals.validateThreshold, 'change thresholds');
  submit(MODAL_IDS.budget, modals.validateBudget, 'change the budget');
  submit(MODAL_IDS.expect, (v, ctx) => modals.validateExpect(v, ctx.logId), 'plan changes');
}
