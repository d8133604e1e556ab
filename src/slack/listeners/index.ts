/** Registers every listener of the app (one file per listener). */
import type { App } from '@slack/bolt';
import type { Logger } from '../../logger.js';
import type { SlackService } from '../service.js';
import { registerAlertActions } from './alert-actions.js';
import { registerLogusageCommand } from './logusage-command.js';

export function registerListeners(app: App, service: SlackService, logger: Logger): void {
  registerLogusageCommand(app, service, logger);
  registerAlertActions(app, service, logger);
}
