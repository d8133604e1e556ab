/**
 * Pure helpers for Slack text: mrkdwn escaping, the one sanitiser of untrusted text, a text
 * sparkline, and keeping messages inside Block Kit limits (docs: ../shared/SLACK.md "Rules").
 *
 * Untrusted text — log and log-set names, what people type, error messages — goes through
 * `escapeUntrusted` (or `shownName` / `plainName` / `codeSpan`, built on it) before it is put into a
 * message: `& < >` escaped (so `<!channel>` or `<@U…>` is shown, never acted on), `* _ ~ \` :`
 * neutralised (formatting and `:shortcode:` do not render), line breaks and bidi controls removed
 * (a name cannot fake a line or reverse text). Our own text uses `escapeMrkdwn` only. Every mrkdwn
 * object is `verbatim: true`, so Slack does not auto-link URLs or channel names in it.
 */
import type { types } from '@slack/bolt';

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

/** Escapes `&`, `<`, `>` (in that order) for mrkdwn and plain_text alike. */
export function escapeMrkdwn(s: string): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Line breaks of any kind (CR, LF, VT, FF, NEL, LS, PS): in untrusted text each becomes one space. */
const LINE_BREAKS = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/g;
/** Bidi embedding, override and isolate controls (U+202A–202E, U+2066–2069) and the LRM/RLM/ALM marks. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Zero-width joiner: put around a formatting marker it keeps the marker from opening or closing anything. */
export const MARKUP_GUARD = '\u200d';
/**
 * Markers that can open or close formatting: `* _ ~` unless inside a word (letters or digits on both
 * sides: `RAPID7_API_KEY`, `a*b` never format in Slack), every backtick, the colons of anything shaped
 * like an emoji shortcode (`:fire:`), and the colon of `://` (so a URL in a fallback does not link).
 */
const LIVE_MARKERS = /(?<![\p{L}\p{N}])[*_~]|[*_~](?![\p{L}\p{N}])|`|:(?=[\p{L}\p{N}_+'-]+:)|:(?<=:[\p{L}\p{N}_+'-]+:)|:(?=\/\/)/gu;

/** Untrusted text on one line, without bidi controls (not escaped). */
export function flattenText(s: string): string {
  return String(s).replace(LINE_BREAKS, ' ').replace(BIDI_CONTROLS, '');
}

/**
 * Untrusted text with a zero-width joiner on both sides of every marker that could format (not
 * escaped): no bold, italic, strike, code or emoji shortcode renders from it, and `://` does not
 * link. Invisible when shown; words such as `RAPID7_API_KEY` or `08:00` are left as they are, so
 * they can be copied.
 */
export function neutraliseMarkup(s: string): string {
  return String(s).replace(LIVE_MARKERS, `${MARKUP_GUARD}$&${MARKUP_GUARD}`);
}

/**
 * THE sanitiser of untrusted text (names, user text, error messages) for mrkdwn: one line, no bidi
 * controls, no live formatting, `& < >` escaped. Safe anywhere in a mrkdwn text except in a code span
 * (use `codeSpan`).
 */
export function escapeUntrusted(s: string): string {
  return escapeMrkdwn(neutraliseMarkup(flattenText(s)));
}

/** Removes the guards `neutraliseMarkup` put around markers: text copied from a message back into a command. */
export function stripMarkupGuards(s: string): string {
  return String(s).replace(/\u200d(?=[*_~`:])|(?<=[*_~`:])\u200d/g, '');
}

/**
 * Untrusted text as an inline code span: one line, no bidi controls, escaped, a backtick shown as `ˋ`
 * (it would end the span), `://` guarded (no link), at most `max` characters of the original.
 */
export function codeSpan(s: string, max = 200): string {
  const inert = ellipsize(flattenText(s), max).replace(/`/g, 'ˋ').replace(/:\/\//g, `:${MARKUP_GUARD}//`);
  return `\`${escapeMrkdwn(inert) || ' '}\``;
}

/** Cuts raw text to at most `max` characters (code points), ending in `…` when cut. */
export function ellipsize(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return max <= 1 ? '…'.slice(0, Math.max(0, max)) : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Cuts escaped text to at most `max` UTF-16 code units (what `.length` and the message budget count,
 * the stricter way of counting Slack's limits: an emoji is 2), ending in `…` when cut, without
 * splitting an entity (`&amp;` …) or a surrogate pair, so the result is still valid escaped text, and
 * without ending in a formatting marker or a guard of `neutraliseMarkup`.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let end = max - 1;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  let body = s.slice(0, end);
  const amp = body.lastIndexOf('&');
  if (amp >= 0 && !body.slice(amp).includes(';') && body.length - amp < 6) body = body.slice(0, amp);
  // A marker cut off from its guard (or a lone guard) is dropped: the cut never leaves a live marker.
  return `${body.replace(/[\u200d*_~`:]+$/, '')}…`;
}

/** A name for mrkdwn, shortened for lists: at most `max` characters shown of the original name, sanitised. */
export function shownName(name: string, max = 80): string {
  return escapeUntrusted(ellipsize(flattenText(name), max));
}

/**
 * A name for a plain-text fallback that is escaped as a whole afterwards (`escapeMrkdwn(text)`):
 * shortened to `max` characters, one line, no bidi controls, no live formatting — not escaped.
 */
export function plainName(name: string, max = 80): string {
  return neutraliseMarkup(ellipsize(flattenText(name), max));
}

/** A mrkdwn text object: `verbatim: true`, so Slack never auto-links URLs or conversation names in it. */
export function mrkdwn(text: string): { type: 'mrkdwn'; text: string; verbatim: true } {
  return { type: 'mrkdwn', text, verbatim: true };
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Shown for a day with no data (never observed): a gap, never drawn as zero. */
export const SPARK_GAP = '·';

/**
 * A text sparkline, one character per value (e.g. 30 days → 30 characters), scaled from the smallest
 * to the largest finite value; NaN (and other non-finite values) show as `·`. A flat series shows
 * mid-height bars (or the lowest bar when it is all zeros).
 */
export function sparkline(values: ArrayLike<number>): string {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) out += SPARK_GAP;
    else if (max === min) out += max === 0 ? BARS[0] : BARS[3];
    else out += BARS[Math.min(BARS.length - 1, Math.floor(((v - min) / (max - min)) * BARS.length))];
  }
  return out;
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
  return { text: truncate(msg.text.replace(BIDI_CONTROLS, ''), SLACK_LIMITS.fallbackText), blocks: out };
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
