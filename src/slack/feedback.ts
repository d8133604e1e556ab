/**
 * The second row of alert buttons. Useful / Noise (SPEC §7): admins only (the same permission as the slash
 * command's changes); each click is recorded and moves the log's sensitivity as src/store/feedback.ts
 * says. The clicker is told what changed; the message's action log shows the click to everyone.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { getAlert } from '../store/alerts.js';
import { listAlertActions, recordAudit } from '../store/controls.js';
import type { Db } from '../store/db.js';
import { type FeedbackVerdict, recordFeedback } from '../store/feedback.js';
import { displayName, getLog } from '../store/usage.js';
import type { AlertButtonValue } from './action-ids.js';
import { buildActionLog } from './blocks/alert.js';
import { buildFailure, buildNotAllowed, buildReply } from './blocks/common.js';
import type { ButtonOutcome } from './buttons.js';
import type { Caller } from './commands/context.js';
import { describeFailure } from './failure.js';
import { codeSpan, shownName } from './mrkdwn.js';
import { UI_ACTION_IDS } from './ui-ids.js';

export interface AlertUiDeps {
  db: Db;
  logger: Logger;
  now: () => Date;
  isAdmin: (userId: string) => boolean;
  adminsConfigured: boolean;
}

/** The alert and log a button acts on, or the reason it cannot act. */
export function readButtonTarget(
  db: Db,
  rawValue: string,
): { alertId: number | null; logId: string; name: string } | { error: ButtonOutcome } {
  let value: AlertButtonValue;
  try {
    value = JSON.parse(rawValue) as AlertButtonValue;
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
  } catch {
    return {
      error: { ephemeral: buildReply('That button carries no alert; nothing changed.', 'That button carries no alert; nothing changed.') },
    };
  }
  const alert = typeof value.alertId === 'number' ? getAlert(db, value.alertId) : undefined;
  const logId = typeof value.logId === 'string' ? value.logId : (alert?.logId ?? null);
  if (!logId) {
    return {
      error: {
        ephemeral: buildReply('This alert is not about one log; nothing changed.', 'This alert is not about one log; nothing changed.'),
      },
    };
  }
  const log = getLog(db, logId);
  return { alertId: alert?.id ?? null, logId, name: alert?.lastFinding.logName ?? (log ? displayName(log) : logId) };
}

/** The message's action log after a change recorded with `alertId` (null when the alert is unknown). */
export function actionLogOf(db: Db, alertId: number | null, name: string): ButtonOutcome['actionLog'] {
  if (alertId === null) return undefined;
  return buildActionLog(listAlertActions(db, [alertId]).get(alertId) ?? [], name) ?? undefined;
}

export function createFeedbackButton(deps: AlertUiDeps) {
  return async (actionId: string, rawValue: string, caller: Caller): Promise<ButtonOutcome> => {
    if (!deps.isAdmin(caller.userId))
      return { ephemeral: buildNotAllowed('tune alerts with feedback', caller.userId, deps.adminsConfigured) };
    try {
      const t = readButtonTarget(deps.db, rawValue);
      if ('error' in t) return t.error;
      const verdict: FeedbackVerdict = actionId === UI_ACTION_IDS.feedbackNoise ? 'noise' : 'useful';
      const r = recordFeedback(
        deps.db,
        { logId: t.logId, alertId: t.alertId, verdict },
        { actor: caller.userId, at: deps.now().toISOString() },
      );
      const say = (n: string) => {
        const move = `band ×${r.before} → ×${r.after}`;
        if (verdict === 'noise') {
          return r.changed
            ? `Noted as noise: alerts for ${n} now need a clearer change (${move}, one step). Useful on a later alert undoes a step.`
            : `Noted as noise. ${n} is already at the widest band feedback may set (×${r.after}); nothing more changed.`;
        }
        return r.changed
          ? `Noted as useful: ${n} gets one step of its sensitivity back (${move}).`
          : `Noted as useful: the sensitivity of ${n} stays as it is (×${r.after}).`;
      };
      const icon = verdict === 'noise' ? ':zipper_mouth_face:' : ':+1:';
      return {
        ephemeral: buildReply(
          `${icon} ${say(`*${shownName(t.name)}*`)} ${codeSpan(`/logusage log ${t.logId}`)} shows the history.`,
          say(t.name),
        ),
        actionLog: actionLogOf(deps.db, t.alertId, t.name),
      };
    } catch (err) {
      const f = describeFailure(err);
      deps.logger.error({ err: describeError(err), code: f.code, actionId, user: caller.userId }, 'feedback button failed');
      return { ephemeral: buildFailure('that button', f.code, f.hint) };
    }
  };
}

/**
 * "I'm on it": records who took the alert (an audit row `take` tagged with the alert id), shown in the
 * message's action log and on the Home tab. Open to every member: it assigns, it changes no setting.
 */
export function createTakeButton(deps: AlertUiDeps) {
  return async (_actionId: string, rawValue: string, caller: Caller): Promise<ButtonOutcome> => {
    try {
      const t = readButtonTarget(deps.db, rawValue);
      if ('error' in t) return t.error;
      if (t.alertId === null)
        return { ephemeral: buildReply('That alert is no longer known; nothing recorded.', 'That alert is no longer known.') };
      const actions = listAlertActions(deps.db, [t.alertId]).get(t.alertId) ?? [];
      const last = [...actions].reverse().find((a) => a.action === 'take');
      if (last?.actor === caller.userId) {
        return { ephemeral: buildReply('You have already taken this alert; nothing changed.', 'You have already taken this alert.') };
      }
      recordAudit(deps.db, { actor: caller.userId, at: deps.now().toISOString() }, 'take', t.logId, { alertId: t.alertId, via: 'button' });
      return { actionLog: actionLogOf(deps.db, t.alertId, t.name) };
    } catch (err) {
      const f = describeFailure(err);
      deps.logger.error({ err: describeError(err), code: f.code, user: caller.userId }, "the I'm on it button failed");
      return { ephemeral: buildFailure('that button', f.code, f.hint) };
    }
  };
}

/** Who took each alert last ("I'm on it"), by alert id. */
export function takenBy(db: Db, alertIds: readonly number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const [id, actions] of listAlertActions(db, alertIds)) {
    const last = [...actions].reverse().find((a) => a.action === 'take');
    if (last) out.set(id, last.actor);
  }
  return out;
}
