/** Block Kit helpers for tests only. */

import { hasBlockRole } from '../../src/slack/block-ids.js';
import { type Block, context } from '../../src/slack/block-kit.js';
import { ACTION_LOG_BLOCK_ID, ACTION_LOG_LINES } from '../../src/slack/blocks/alert.js';
import { withActionLog } from '../../src/slack/listeners/alert-actions.js';

/**
 * The message's blocks with one more raw, already escaped `line` in its action log (oldest dropped past
 * ACTION_LOG_LINES): the property tests append lines to generated messages. The listener itself renders the
 * whole log from the audit rows (buildActionLog).
 */
export function withActionLine(blocks: Block[], line: string): Block[] {
  const existing = blocks.find((b) => hasBlockRole(b, ACTION_LOG_BLOCK_ID));
  const previous =
    existing && existing.type === 'context'
      ? existing.elements.map((e) => ('text' in e && typeof e.text === 'string' ? e.text : '')).filter(Boolean)
      : [];
  const lines = [...previous, line].slice(-ACTION_LOG_LINES);
  return withActionLog(blocks, { ...context(...lines), block_id: ACTION_LOG_BLOCK_ID } as Block);
}
