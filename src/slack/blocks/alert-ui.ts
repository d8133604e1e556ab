/**
 * The second row of buttons on an open log alert (pure): feedback that tunes the log's sensitivity
 * (Useful / Noise, SPEC §7), a planned change ("Expected until…"), "Set threshold" (the threshold modal
 * for this log) and "I'm on it". Their value is the same AlertButtonValue as the first row's. No
 * block_id: Slack gives the block a new one on every update of the message.
 */
import type { AlertButtonValue } from '../action-ids.js';
import type { Block } from '../block-kit.js';
import { UI_ACTION_IDS } from '../ui-ids.js';

export function buildAlertUiActions(v: {
  alertId: number | null;
  state: string;
  finding: { scope: string; logId: string | null; kind: string };
}): Block | null {
  const f = v.finding;
  if (v.state !== 'open' || f.scope !== 'log' || f.logId === null) return null;
  const value: AlertButtonValue = { alertId: v.alertId, logId: f.logId, kind: f.kind };
  const json = JSON.stringify(value);
  const button = (text: string, actionId: string) => ({
    type: 'button' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    action_id: actionId,
    value: json,
  });
  return {
    type: 'actions',
    elements: [
      button(':+1: Useful', UI_ACTION_IDS.feedbackUseful),
      button(':zipper_mouth_face: Noise', UI_ACTION_IDS.feedbackNoise),
      button('Expected until…', UI_ACTION_IDS.expectUntil),
      button('Set threshold', UI_ACTION_IDS.setThreshold),
      button(":raising_hand: I'm on it", UI_ACTION_IDS.take),
    ],
  };
}

/**
 * The action-log line (escaped mrkdwn) of a change made from these buttons, or undefined for other
 * actions. `by` is the actor's mention, `name` the escaped log name, `when` the escaped time.
 */
export function describeUiAction(
  a: { action: string; details: Record<string, unknown> | null },
  by: string,
  name: string,
  when: string,
): string | undefined {
  const d = a.details ?? {};
  if (a.action === 'feedback') {
    const before = Number(d.sensitivityBefore);
    const after = Number(d.sensitivityAfter);
    const moved = Number.isFinite(before) && Number.isFinite(after) && before !== after ? ` (sensitivity ×${before} → ×${after})` : '';
    return d.verdict === 'noise'
      ? `:zipper_mouth_face: ${by} marked this alert about *${name}* as noise${moved} · ${when}`
      : `:+1: ${by} found this useful${moved} · ${when}`;
  }
  if (a.action === 'take') return `:raising_hand: ${by} is on it · ${when}`;
  return undefined;
}

/** A mention the bot writes itself of a log set owner: a user (U…/W…) or a user group (S…); else none. */
export function mentionOwner(owner: unknown): string | null {
  if (typeof owner !== 'string') return null;
  if (/^[UW][A-Z0-9]{2,30}$/.test(owner)) return `<@${owner}>`;
  if (/^S[A-Z0-9]{2,30}$/.test(owner)) return `<!subteam^${owner}>`;
  return null;
}

/** Context bits of an alert message from these features: its log set's owner (set by the alert stage). */
export function alertUiContext(f: { details?: Record<string, unknown> }): string[] {
  const owner = mentionOwner(f.details?.owner);
  return owner ? [`owner ${owner}`] : [];
}
