/** Registers every listener of the app (one file per listener). */
import type { App } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { SlackService } from '../service.js';
import { UI_ACTION_IDS } from '../ui-ids.js';
import { type AlertButtonHandler, registerAlertActions, registerAlertButton } from './alert-actions.js';
import { registerHomeListener } from './home.js';
import { registerLogusageCommand } from './logusage-command.js';
import { createCommandModalOpener, type ModalListenerDeps, registerModalListeners } from './modals.js';

/** The App Home and the modals (src/slack/home.ts, src/slack/modals.ts); without them only commands and alert buttons. */
export type UiListenerDeps = Omit<ModalListenerDeps, 'service' | 'logger'> & {
  /** Useful / Noise on alert messages (src/slack/feedback.ts). */
  feedback: AlertButtonHandler;
  /** "I'm on it" on alert messages. */
  take: AlertButtonHandler;
};

export function registerListeners(app: App, service: SlackService, logger: Logger, ui?: UiListenerDeps): void {
  const modalDeps = ui ? { ...ui, service, logger } : undefined;
  registerLogusageCommand(
    app,
    service,
    logger,
    modalDeps ? createCommandModalOpener(modalDeps) : undefined,
    modalDeps ? (userId, client) => modalDeps.home.refreshViewer(userId, client) : undefined,
  );
  registerAlertActions(app, service, logger);
  if (modalDeps) {
    registerHomeListener(app, modalDeps.home, logger);
    registerModalListeners(app, modalDeps);
    registerAlertButton(app, UI_ACTION_IDS.feedbackUseful, modalDeps.feedback, logger);
    registerAlertButton(app, UI_ACTION_IDS.feedbackNoise, modalDeps.feedback, logger);
    registerAlertButton(app, UI_ACTION_IDS.take, modalDeps.take, logger);
  }
}
