/**
 * The alert message's buttons (SPEC §7): snooze a day or a week, accept the new normal, mute the log. Admins only,
 * like the slash command's changes; each click is audited with the alert's id, and the clicker's message gets the
 * alert's action log rebuilt from those audit rows (buildActionLog, as every later rebuild). Never throws.
 */
import { describeError } from '../errors.js';
import { type AlertRecord, getAlert } from '../store/alerts.js';
import { acceptNewNormal, listAlertActions, recordAudit, setMuted, snoozeLog } from '../store/controls.js';
import { displayName, getLog, latestObservedDay } from '../store/usage.js';
import { ACTION_IDS, type AlertButtonValue } from './action-ids.js';
import type { Block, SlackMessage } from './block-kit.js';
import { type AlertAction, buildActionLog } from './blocks/alert.js';
import { buildFailure, buildNotAllowed, buildReply } from './blocks/common.js';
import { type BusyRetryOptions, retryWhileBusy } from './busy-retry.js';
import { type Caller, type CommandContext, todayOf, whoAt } from './commands/context.js';
import { describeFailure } from './failure.js';
import { plainName, shownName } from './mrkdwn.js';

export interface ButtonOutcome {
  /** Shown only to the person who clicked (refusals, errors, nothing to change). */
  ephemeral?: SlackMessage;
  /**
   * The alert message's action log after the change (who did what, from the alert's audit rows; built by
   * buildActionLog like every later rebuild of the message): replaces the one on the clicked message.
   */
  actionLog?: Block;
}

const BUTTON_WHAT: Record<string, string> = {
  [ACTION_IDS.snoozeDay]: 'snooze alerts',
  [ACTION_IDS.snoozeWeek]: 'snooze alerts',
  [ACTION_IDS.acceptNormal]: 'mark alerts as expected',
  [ACTION_IDS.muteLog]: 'mute logs',
};

/** Handles an alert button click; a failure becomes an ephemeral message with its stable code. */
export async function handleAlertButton(
  ctx: CommandContext,
  actionId: string,
  rawValue: string,
  caller: Caller,
  busyRetry?: BusyRetryOptions,
): Promise<ButtonOutcome> {
  try {
    return await retryWhileBusy(() => alertButton(ctx, actionId, rawValue, caller), busyRetry);
  } catch (err) {
    const f = describeFailure(err);
    ctx.logger.error({ err: describeError(err), code: f.code, actionId, user: caller.userId }, 'alert button failed');
    return { ephemeral: buildFailure('that button', f.code, f.hint) };
  }
}

function alertButton(ctx: CommandContext, actionId: string, rawValue: string, caller: Caller): ButtonOutcome {
  const { db, admins } = ctx;
  const what = BUTTON_WHAT[actionId];
  if (!what) return { ephemeral: buildReply('That button is not known to this version of logusage.', 'Unknown button.') };
  if (!admins.has(caller.userId)) return { ephemeral: buildNotAllowed(what, caller.userId, admins.size > 0) };
  let value: AlertButtonValue;
  try {
    value = JSON.parse(rawValue) as AlertButtonValue;
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
  } catch {
    return { ephemeral: buildReply('That button carries no alert; nothing changed.', 'That button carries no alert; nothing changed.') };
  }
  const alert: AlertRecord | undefined = typeof value.alertId === 'number' ? getAlert(db, value.alertId) : undefined;
  const logId = typeof value.logId === 'string' ? value.logId : (alert?.logId ?? null);
  const w = whoAt(ctx, caller.userId);
  const log = logId ? getLog(db, logId) : undefined;
  // The name the rebuilt message uses (its finding's), so the click and later updates read the same.
  const name = alert?.lastFinding.logName ?? (log ? displayName(log) : (logId ?? 'this alert'));
  // Audit rows carry `alertId`, so the alert's message shows them on every rebuild (src/alerts/runner.ts).
  const tag = { via: 'button', alertId: alert?.id ?? null };
  /** The message's action log after `done` (the change just recorded, with these audit details). */
  const logged = (done: Omit<AlertAction, 'at' | 'actor'>): ButtonOutcome => {
    const actions = alert ? (listAlertActions(db, [alert.id]).get(alert.id) ?? []) : [{ ...done, at: w.at, actor: w.actor }];
    const block = buildActionLog(actions, name);
    return block ? { actionLog: block } : {};
  };
  switch (actionId) {
    case ACTION_IDS.snoozeDay:
    case ACTION_IDS.snoozeWeek: {
      if (!logId) {
        return {
          ephemeral: buildReply(
            'This alert is not about one log, so it cannot be snoozed. Change its threshold or budget with `/logusage threshold` or `/logusage budget`.',
            'Only log alerts can be snoozed.',
          ),
        };
      }
      const ms = actionId === ACTION_IDS.snoozeDay ? 86_400_000 : 7 * 86_400_000;
      const until = new Date(ctx.now().getTime() + ms).toISOString();
      const details = { durationMs: ms, ...tag };
      snoozeLog(db, logId, until, w, details);
      ctx.cache.clear();
      return logged({ action: 'snooze', details: { until, ...details } });
    }
    case ACTION_IDS.acceptNormal: {
      const fromDay = alert?.firstDay ?? latestObservedDay(db) ?? todayOf(ctx);
      // The alert lifecycle ends the episode at its next run when it sees the accepted day
      // (baseline on or after the episode's first day); detection measures from it.
      if (logId) acceptNewNormal(db, logId, fromDay, w, tag);
      else recordAudit(db, w, 'accept-normal', alert ? `alert:${alert.id}` : null, tag);
      ctx.cache.clear();
      return logged({ action: 'accept-normal', details: logId ? { baselineFrom: fromDay, ...tag } : tag });
    }
    case ACTION_IDS.muteLog: {
      if (!logId) {
        return { ephemeral: buildReply('This alert is not about one log, so there is no log to mute.', 'Only log alerts can be muted.') };
      }
      // The lifecycle ends an open episode of a muted log quietly at its next run.
      if (!setMuted(db, logId, true, w, tag)) {
        const text = `*${shownName(name)}* is already muted; nothing changed. \`/logusage unmute\` turns its alerts back on.`;
        return { ephemeral: buildReply(text, `${plainName(name)} is already muted; nothing changed.`) };
      }
      ctx.cache.clear();
      return logged({ action: 'mute', details: tag });
    }
    default:
      return { ephemeral: buildReply('That button is not known to this version of logusage.', 'Unknown button.') };
  }
}
