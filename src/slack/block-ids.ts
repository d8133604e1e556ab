/**
 * block_ids of messages that are updated in place (SLACK.md "Rules"): at most 255 characters, unique
 * in a message, and new on every update — Slack: "If a message is updated, use a new block_id".
 *
 * A block keeps its role (the name a listener knows it by, e.g. ACTION_LOG_BLOCK_ID) as the prefix of
 * its id, `<role>~<revision>`; blocks without a role get `b<index>`. Listeners find blocks with
 * `hasBlockRole` (or buttons by `action_id`), never by a fixed block_id. Pure.
 *
 * Revisions, one per version of a message: the outbox row's idempotency key for the daily updates
 * (unique per row), the click for a button's update, the reply number for a slash command's
 * replacement (src/slack/outbox.ts, src/slack/listeners/).
 */
import { SLACK_LIMITS } from './block-kit.js';

const SEPARATOR = '~';
/** A role is one of our readable names; Slack's own generated ids (mixed case, `+`, `=`) are not. */
const ROLE = /^[a-z][a-z0-9_]{0,63}$/;
/** Longest revision kept as written; longer ones are hashed. */
const MAX_REVISION = 64;

interface WithBlockId {
  block_id?: string;
}

/** The role of a block: the part of its block_id before `~` when that is one of our names, else undefined. */
export function blockRole(block: WithBlockId): string | undefined {
  const id = block.block_id;
  if (typeof id !== 'string') return undefined;
  const role = id.split(SEPARATOR)[0] ?? '';
  return ROLE.test(role) ? role : undefined;
}

/** True when `block` is the block of that role, in any revision of the message. */
export function hasBlockRole(block: WithBlockId, role: string): boolean {
  return blockRole(block) === role;
}

/** FNV-1a (32 bits) in base 36: a short stand-in for a long revision. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/**
 * The revision as it appears in ids: itself when it is short and of `[A-Za-z0-9._:-]`; otherwise a
 * readable prefix and a hash of the whole, so two different revisions keep different tags.
 */
function revisionTag(revision: string): string {
  const raw = String(revision);
  const clean = raw.replace(/[^A-Za-z0-9._:-]/g, '_');
  if (clean === raw && clean.length > 0 && clean.length <= MAX_REVISION) return clean;
  return `${clean.slice(0, 40)}~h${shortHash(raw)}${raw.length.toString(36)}`;
}

/**
 * The blocks with ids for this `revision` of the message: `<role>~<revision>` (a repeated role gets
 * `.<index>`), so two different revisions share no block_id, and every id is ≤ 255 characters.
 */
export function renewBlockIds<T extends WithBlockId>(blocks: readonly T[], revision: string): T[] {
  const tag = revisionTag(revision);
  const seen = new Set<string>();
  return blocks.map((b, i) => {
    let role = blockRole(b) ?? `b${i}`;
    if (seen.has(role)) role = `${role}.${i}`;
    seen.add(role);
    return { ...b, block_id: `${role}${SEPARATOR}${tag}`.slice(0, SLACK_LIMITS.blockId) };
  });
}
