/**
 * Pure builders of the settings modals (SPEC §9): the threshold modal (scope, a type-ahead target,
 * size per day), the budget modal (size per month), the planned-change modal (size, last day, why) and
 * a notice modal (a refusal or a message where no channel can take an ephemeral answer). Inputs are
 * `input` blocks whose block_id and action_id are MODAL_FIELDS, so a validation error names its block.
 * Plain-text objects need no mrkdwn escaping; lengths are cut to Slack's limits (title 24, option 75).
 */
import type { types } from '@slack/bolt';
import { ellipsize, escapeMrkdwn, escapeUntrusted, truncate } from '../mrkdwn.js';
import { MODAL_FIELDS, MODAL_IDS } from '../ui-ids.js';

export type ModalView = types.ModalView;

/** Where a modal was opened from: its answer goes to that channel (ephemeral), or to the user's DM. */
export interface ModalContext {
  /** Channel of the command or the alert message; null from the Home tab. */
  channelId: string | null;
  /** Alert whose button opened it, if any. */
  alertId?: number | null;
  /** Log the modal is about (the planned-change modal). */
  logId?: string | null;
}

export type ThresholdScope = 'log' | 'logset' | 'org';

export interface SelectOption {
  /** Shown text (raw; cut to 75 characters). */
  text: string;
  /** `log:<id>` or `set:<log set name>` (≤ 150 characters). */
  value: string;
}

const plain = (text: string, max = 75) => ({ type: 'plain_text' as const, text: ellipsize(text, max) || ' ', emoji: true });

/** A form: Save and Cancel, the context in private_metadata (≤ 3,000 characters: ids only). */
function formModal(callbackId: string, title: string, ctx: ModalContext, blocks: ModalView['blocks']): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: plain(title, 24),
    submit: plain('Save', 24),
    close: plain('Cancel', 24),
    private_metadata: JSON.stringify(ctx),
    blocks,
  };
}

/** A menu option: its text is a log or log-set name (untrusted): sanitised, at most 75 characters, no emoji shortcodes. */
export function option(o: SelectOption) {
  return {
    text: { type: 'plain_text' as const, text: truncate(escapeUntrusted(ellipsize(o.text, 70)), 75) || ' ', emoji: false },
    value: o.value,
  };
}

const SCOPES: Array<{ value: ThresholdScope; text: string }> = [
  { value: 'log', text: 'One log' },
  { value: 'logset', text: 'A log set' },
  { value: 'org', text: 'The organisation total' },
];

export function buildThresholdModal(ctx: ModalContext, prefill: { scope?: ThresholdScope; target?: SelectOption } = {}): ModalView {
  const scope = SCOPES.find((s) => s.value === (prefill.scope ?? 'log')) ?? SCOPES[0];
  return formModal(MODAL_IDS.threshold, 'Set a threshold', ctx, [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: 'Alert when one day goes over a size. The threshold works from the first day, without history.',
      },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.scope,
      label: plain('For'),
      element: {
        type: 'static_select',
        action_id: MODAL_FIELDS.scope,
        options: SCOPES.map((s) => option(s)),
        ...(scope ? { initial_option: option(scope) } : {}),
      },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.target,
      optional: true,
      label: plain('Log or log set'),
      hint: plain('Type part of a name or id. Leave empty for the organisation total.', 150),
      element: {
        type: 'external_select',
        action_id: MODAL_FIELDS.target,
        min_query_length: 1,
        placeholder: plain('firewall-eu'),
        ...(prefill.target ? { initial_option: option(prefill.target) } : {}),
      },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.size,
      label: plain('Size or money per day'),
      hint: plain('500MB, 50GB, 1.5 TB or 750 GiB; or money such as $500 (at the price per GB).', 150),
      element: { type: 'plain_text_input', action_id: MODAL_FIELDS.size, placeholder: plain('50GB') },
    },
  ]);
}

export function buildBudgetModal(ctx: ModalContext, current: string | null): ModalView {
  return formModal(MODAL_IDS.budget, 'Monthly budget', ctx, [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: `${current ? `Budget in force: *${escapeMrkdwn(current)}*. ` : 'No budget is set. '}Notices come at 80 % and 100 % projected and at 100 % reached, once a month each.`,
      },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.size,
      label: plain('Size or money per month'),
      hint: plain('30TB, 1.5 PB or 900 TiB; or money such as $12,000 (at the price per GB).', 150),
      element: { type: 'plain_text_input', action_id: MODAL_FIELDS.size, placeholder: plain('30TB') },
    },
  ]);
}

/**
 * The planned-change modal (`/logusage expect` as a form) for one log (`logName`, raw), or with a log / log set
 * picker when `logName` is null (from the Home tab). `today` is the day offered first.
 */
export function buildExpectModal(ctx: ModalContext, logName: string | null, today: string): ModalView {
  return formModal(MODAL_IDS.expect, 'Expected change', ctx, [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        verbatim: true,
        text: `${logName === null ? 'A log or log set' : `*${escapeUntrusted(ellipsize(logName, 150))}*`} is expected to grow: no alert within the planned size until the last day; beyond it the alert says so.`,
      },
    },
    ...(logName === null
      ? [
          {
            type: 'input' as const,
            block_id: MODAL_FIELDS.target,
            label: plain('Log or log set'),
            hint: plain('Type part of a name or id.', 150),
            element: {
              type: 'external_select' as const,
              action_id: MODAL_FIELDS.target,
              min_query_length: 1,
              placeholder: plain('firewall-eu'),
            },
          },
        ]
      : []),
    {
      type: 'input',
      block_id: MODAL_FIELDS.size,
      label: plain('Up to'),
      hint: plain('+50% over its usual day, or a size per day such as 80GB.', 150),
      element: { type: 'plain_text_input', action_id: MODAL_FIELDS.size, placeholder: plain('+50%') },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.until,
      label: plain('Until (last day, UTC)'),
      element: { type: 'datepicker', action_id: MODAL_FIELDS.until, initial_date: today },
    },
    {
      type: 'input',
      block_id: MODAL_FIELDS.why,
      optional: true,
      label: plain('Why'),
      element: {
        type: 'plain_text_input',
        action_id: MODAL_FIELDS.why,
        max_length: 300,
        placeholder: plain('migration to the new cluster'),
      },
    },
  ]);
}

/** A modal with one message and a Close button (no submit). `text` is raw, untrusted (sanitised here). */
export function buildNoticeModal(title: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: MODAL_IDS.notice,
    title: plain(title, 24),
    close: plain('Close', 24),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', verbatim: true, text: escapeUntrusted(ellipsize(text, 2900)) || ' ' } }],
  };
}

/** Reads `private_metadata` back (a bad value gives the empty context). */
export function readModalContext(raw: string | undefined): ModalContext {
  try {
    const v = JSON.parse(raw ?? '') as Partial<ModalContext>;
    return {
      channelId: typeof v.channelId === 'string' && /^[CGD][A-Z0-9]+$/.test(v.channelId) ? v.channelId : null,
      alertId: typeof v.alertId === 'number' ? v.alertId : null,
      ...(typeof v.logId === 'string' && v.logId.length <= 200 ? { logId: v.logId } : {}),
    };
  } catch {
    return { channelId: null, alertId: null };
  }
}
