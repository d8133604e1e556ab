/**
 * Pure builders of the daily run's own notices (src/daily.ts): the ONE message that says daily runs fail (until
 * one succeeds) and the "working again" reply in its thread. The error text is escaped and inert; `day` is a
 * UTC day 'YYYY-MM-DD'.
 */

import { context, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, plainName } from '../mrkdwn.js';

/** The failure notice of the daily run for `day`: what failed (the error's message) and its stable code. */
export function buildRunFailedMessage(day: string, err: { code: string; message: string }): SlackMessage {
  const text = `:x: *The daily logusage run for ${day} failed.*\n${escapeUntrusted(err.message)}`;
  const note = `Error code \`${err.code}\` · later runs retry · this message is not repeated until a run succeeds again`;
  const plain = `The daily logusage run for ${day} failed: ${plainName(err.message, 2000)}`;
  return { text: escapeMrkdwn(plain), blocks: [section(text), context(note)] };
}

/** The reply in the failure notice's thread once a daily run (for `day`) succeeded again. */
export function buildRunRecoveredReply(day: string): SlackMessage {
  return {
    text: `Working again: the daily run for ${day} succeeded.`,
    blocks: [section(`:white_check_mark: Working again: the daily run for ${day} succeeded.`)],
  };
}
