/**
 * Pure Block Kit structure for Slack messages: blocks and text objects, lists cut into sections, and keeping a
 * message inside Slack's limits (docs: ../shared/SLACK.md "Rules"). Text put into them is escaped first with
 * `mrkdwn.ts`. Every mrkdwn object is `verbatim: true`, so Slack does not auto-link URLs or channel names in it.
 */
import type { types } from '@slack/bolt';
import { stripBidiControls, truncate } from './mrkdwn.js';

export type Block = types.KnownBlock;

/** Limits of one Block Kit message (see SLACK.md). `messageChars` is our margin under Slack's ~12k. */
export const SLACK_LIMITS = {
  /** The plain-text `text` fallback of a message (Slack truncates longer ones). */
  fallbackText: 4000,
  /** A block_id: unique in a message, new on every update. */
  blockId: 255,
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  buttonValue: 2000,
  buttonText: 75,
  /** Sum of all text in a message's blocks stays below this (the `text` fallback has its own limit, `fallbackText`). */
  messageChars: 10_000,
} as const;

/** A mrkdwn text object: `verbatim: true`, so Slack never auto-links URLs or conversation names in it. */
export function mrkdwn(text: string): { type: 'mrkdwn'; text: string; verbatim: true } {
  return { type: 'mrkdwn', text, verbatim: true };
}

/**
 * Takes lines until `maxLines` or `maxChars` (joined with newlines, including the closing line) would be
 * exceeded; when some are left out the last line is `_and N more_`. Lines must already be escaped.
 */
export function capLines(lines: string[], opts: { maxLines?: number; maxChars?: number; noun?: string } = {}): string {
  const maxLines = opts.maxLines ?? Number.POSITIVE_INFINITY;
  const maxChars = opts.maxChars ?? SLACK_LIMITS.sectionText;
  const more = (n: number) => `_and ${n} more${opts.noun ? ` ${opts.noun}` : ''}_`;
  const reserve = more(lines.length).length + 1;
  const shown: string[] = [];
  let used = 0;
  for (const [i, raw] of lines.entries()) {
    const line = truncate(raw, Math.max(20, maxChars - reserve));
    const cost = line.length + (shown.length > 0 ? 1 : 0);
    const left = lines.length - i - 1;
    if (shown.length >= maxLines || used + cost + (left > 0 ? reserve : 0) > maxChars) {
      shown.push(more(lines.length - i));
      break;
    }
    shown.push(line);
    used += cost;
  }
  return shown.join('\n');
}

/**
 * A list as up to `maxSections` sections of at most 2,900 characters. When not all of the `total`
 * items are shown (`lines` may be a prefix of a longer list), the last section ends with
 * `_and N more <noun>_`. Lines must already be escaped.
 */
export function listSections(lines: string[], opts: { noun?: string; maxSections?: number; total?: number } = {}): Block[] {
  const max = 2900;
  const maxSections = opts.maxSections ?? 2;
  const total = Math.max(opts.total ?? lines.length, lines.length);
  const more = (n: number) => `_and ${n} more${opts.noun ? ` ${opts.noun}` : ''}_`;
  const reserve = more(total).length + 1;
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length && out.length < maxSections) {
    const lastSection = out.length === maxSections - 1;
    const chunk: string[] = [];
    let used = 0;
    while (i < lines.length) {
      const line = truncate(lines[i] as string, max - reserve);
      const cost = line.length + (chunk.length > 0 ? 1 : 0);
      // Room for the closing "and N more" line when this section may be the last one.
      const needsMore = total - (i + 1) > 0 && (lastSection || i + 1 === lines.length);
      if (used + cost + (needsMore ? reserve : 0) > max) break;
      chunk.push(line);
      used += cost;
      i++;
    }
    if (total - i > 0 && (lastSection || i === lines.length)) chunk.push(more(total - i));
    out.push(section(chunk.join('\n')));
  }
  return out;
}

/** A mrkdwn section with its text cut to the section limit. `text` must already be escaped. */
export function section(text: string, opts: { blockId?: string } = {}): Block {
  return {
    type: 'section',
    ...(opts.blockId ? { block_id: opts.blockId } : {}),
    text: mrkdwn(truncate(text === '' ? ' ' : text, SLACK_LIMITS.sectionText)),
  };
}

/** A header block (plain text, escaped, cut to 150 characters). `text` is raw (unescaped). */
export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** A context block of mrkdwn elements (at most 10, each cut to the section limit). Elements must be escaped. */
export function context(...elements: string[]): Block {
  return {
    type: 'context',
    elements: elements.slice(0, SLACK_LIMITS.contextElements).map((t) => mrkdwn(truncate(t === '' ? ' ' : t, SLACK_LIMITS.sectionText))),
  };
}

export function divider(): Block {
  return { type: 'divider' };
}

/** Characters of visible text in one block (text, fields, elements, header), for the message budget. */
export function blockTextLength(block: Block): number {
  let n = 0;
  const b = block as unknown as Record<string, unknown>;
  const add = (t: unknown) => {
    if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') n += (t as { text: string }).text.length;
  };
  add(b.text);
  if (Array.isArray(b.fields)) for (const f of b.fields) add(f);
  if (Array.isArray(b.elements)) for (const e of b.elements) add(e);
  if (b.accessory) add((b.accessory as { text?: unknown }).text);
  if (typeof b.alt_text === 'string') n += b.alt_text.length;
  return n;
}

export interface SlackMessage {
  /** Plain-text fallback (notifications, screen readers); shown where blocks cannot be. */
  text: string;
  blocks: Block[];
}

/**
 * Keeps a message inside the limits whatever the builder produced: at most 50 blocks and under
 * 10k characters of block text (blocks past the budget are replaced by one "and N more" context),
 * a fallback `text` of at most 4,000 characters without bidi controls, and `verbatim: true` on every
 * mrkdwn object. Builders cut their own lists (and shorten names with `plainName`) first; this is the net.
 */
export function fitMessage(msg: SlackMessage): SlackMessage {
  const budget = SLACK_LIMITS.messageChars - 200;
  const out: Block[] = [];
  let used = 0;
  for (const [i, b] of msg.blocks.entries()) {
    const len = blockTextLength(b);
    const roomForBlocks = out.length < SLACK_LIMITS.blocks - (i < msg.blocks.length - 1 ? 1 : 0);
    if (!roomForBlocks || used + len > budget) {
      out.push(context(`_and ${msg.blocks.length - i} more blocks not shown (message limit)_`));
      break;
    }
    out.push(withVerbatim(b));
    used += len;
  }
  return { text: truncate(stripBidiControls(msg.text), SLACK_LIMITS.fallbackText), blocks: out };
}

/** A copy of `block` with `verbatim: true` on every mrkdwn text object in it (fields, elements, accessory …). */
export function withVerbatim<T>(block: T): T {
  if (Array.isArray(block)) return block.map(withVerbatim) as T;
  if (!block || typeof block !== 'object') return block;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block as Record<string, unknown>)) out[k] = withVerbatim(v);
  if (out.type === 'mrkdwn' && typeof out.text === 'string') out.verbatim = true;
  return out as T;
}

/** Sum of block text of a message (tests and assertions of the 10k budget). */
export function messageTextLength(msg: SlackMessage): number {
  return msg.blocks.reduce((n, b) => n + blockTextLength(b), 0);
}
