/** `/logusage alerts` (SPEC §9): the open alerts, newest first, with their mute and snooze state. */
import { listOpenAlerts } from '../../store/alerts.js';
import { activeSnoozes, listMutedLogIds } from '../../store/controls.js';
import { countOpenAlerts } from '../../store/slack-reads.js';
import { buildAlertsList } from '../blocks/alerts-list.js';
import type { Handlers } from './context.js';

export const alertsCommands: Handlers<'alerts'> = {
  alerts(ctx) {
    const { db } = ctx;
    const open = listOpenAlerts(db, 200);
    const total = countOpenAlerts(db);
    const muted = new Set(listMutedLogIds(db));
    const snoozes = new Map(activeSnoozes(db, ctx.now().toISOString()).map((s) => [s.logId, s.until]));
    const message = buildAlertsList(
      open.map((a) => ({
        id: a.id,
        kind: a.kind,
        name: a.lastFinding.logName,
        firstDay: a.firstDay,
        lastDay: a.lastDay,
        findingDays: a.findingDays,
        value: a.lastFinding.value,
        expected: a.lastFinding.expected,
        reason: a.lastFinding.reason,
        channel: a.channel,
        muted: a.logId ? muted.has(a.logId) : false,
        snoozedUntil: a.logId ? (snoozes.get(a.logId) ?? null) : null,
      })),
      total,
    );
    return { message };
  },
};
