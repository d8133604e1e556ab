/**
 * `app_home_opened` (HTTP: a signed `event_callback` at /slack/events; Socket Mode: through the socket):
 * Bolt acks the event itself; the listener publishes that user's Home view (views.publish). The
 * Messages tab opening the same event is ignored. A failure is logged, never thrown out.
 */
import type { App } from '@slack/bolt';
import { describeError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { HomePublisher } from '../home.js';

export function registerHomeListener(app: App, home: HomePublisher, logger: Logger): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== undefined && event.tab !== 'home') return;
    try {
      await home.opened(event.user, client);
    } catch (err) {
      logger.warn({ err: describeError(err), user: event.user }, 'could not publish the Home tab');
    }
  });
}
